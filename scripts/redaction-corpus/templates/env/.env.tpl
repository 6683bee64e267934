# Django
DJANGO_SETTINGS_MODULE=shop.settings.production
DEBUG=False
ALLOWED_HOSTS=shop.example.com,⟪api.shop.example.com⟫
SECRET_KEY='⟦«dj:50»⟧'

# Database
DB_HOST=⟪db.internal⟫
DB_PORT=⟪5432⟫
DB_NAME=shop
DB_USER=shop
DB_PASSWORD=⟦Hx7-«a:14»⟧
DATABASE_URL=postgres://shop:⟦«a:24»⟧@db.internal:5432/shop
export REDIS_URL="redis://:⟦«a:28»⟧@⟪cache.internal:6379⟫/0"
export CELERY_BROKER_URL=amqp://shop:⟦amqp«a:16»⟧@mq.internal:5672//

# Mail
EMAIL_HOST=smtp.sendgrid.net
EMAIL_HOST_USER=apikey
EMAIL_HOST_PASSWORD="⟦SG.«u:22».«u:43»⟧"
EMAIL_PORT=587

# quoted with a hash inside the value
SMTP_PASSWORD="⟦pa«a:6»#«a:6»⟧"
LEGACY_API_SECRET='⟦«a:8» #«a:6»⟧'
API_TOKEN = ⟦«a:32»⟧
export  JWT_SIGNING_KEY=⟦«u:43»⟧   # rotated 2024-10
PASSWORD_RESET_TIMEOUT=259200
PASSWORD_RESET_URL=⟪/accounts/password/reset/⟫
SESSION_COOKIE_AGE=1209600
SENTRY_ENVIRONMENT=production
SENTRY_RELEASE=⟪shop@2.14.3+⟫⟪a1b2c3d⟫
TOKEN_TTL_SECONDS=3600
