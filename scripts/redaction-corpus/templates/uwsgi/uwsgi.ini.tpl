[uwsgi]
module = shop.wsgi:application
master = true
processes = 4
socket = ⟪/run/uwsgi/shop.sock⟫
chmod-socket = 660
vacuum = true
env = DJANGO_SETTINGS_MODULE=shop.settings.production
env = SECRET_KEY=⟦«dj:50»⟧
env = DATABASE_PASSWORD=⟦«a:18»⟧
env = SENTRY_DSN=https://⟦«h:32»⟧@sentry.internal/3
stats = 127.0.0.1:9191
stats-http = true
logto = /var/log/uwsgi/shop.log
