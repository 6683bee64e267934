"""Generator of tests/fixtures/redaction-corpus: realistic operator files with planted, format-valid fake
secrets. Templates mark a secret as ⟦value⟧ and a must-survive token as ⟪value⟫; «alphabet:N» draws N random
characters (seeded, so the corpus is reproducible). Inside a secret: 'b64:X' is base64 of X, 'pem:LABEL:N'
a PEM block, 'pemjson:LABEL:N' the same with \\n escapes, 'ssh:N' an OpenSSH key, 'jwt' a JWT, 'X¦name' binds
a value and '*name' reuses it. Run: python3 scripts/gen-redaction-corpus.py"""
import base64, json, os, random, re, sys

R = random.Random(20261207)
AL = {
    'a': 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
    'l': 'abcdefghijklmnopqrstuvwxyz0123456789',
    'L': 'abcdefghijklmnopqrstuvwxyz',
    'U': 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
    'A': 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    'u2': 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567',
    'h': '0123456789abcdef',
    'H': '0123456789ABCDEF',
    'd': '0123456789',
    'b': 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
    'u': 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-',
    'dj': 'abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)',
    'p': 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!%&*-_.+=^~',
    'bech': 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L',
}

def rnd(al, n):
    return ''.join(R.choice(AL[al]) for _ in range(n))

GEN = re.compile(r'«(\w+):(\d+)»')

def gen(s):
    return GEN.sub(lambda m: rnd(m.group(1), int(m.group(2))), s)

def b64(s):
    return base64.b64encode(s.encode()).decode()

def b64url(b):
    return base64.urlsafe_b64encode(b).decode().rstrip('=')

def pem_body(n):
    raw = bytes(R.getrandbits(8) for _ in range(48 * n + 20))
    s = base64.b64encode(raw).decode()
    return [s[i:i + 64] for i in range(0, len(s), 64)]

def pem(label, n):
    return '\n'.join([f'-----BEGIN {label}-----', *pem_body(n), f'-----END {label}-----'])

def ssh(n):
    raw = b'openssh-key-v1\x00\x00\x00\x00\x04none' + bytes(R.getrandbits(8) for _ in range(48 * n))
    s = base64.b64encode(raw).decode()
    return '\n'.join(['-----BEGIN OPENSSH PRIVATE KEY-----', *[s[i:i + 70] for i in range(0, len(s), 70)], '-----END OPENSSH PRIVATE KEY-----'])

def jwt(iss='https://auth.example-corp.io/'):
    head = json.dumps({'alg': R.choice(['HS256', 'RS256']), 'typ': 'JWT', 'kid': rnd('h', 8)}, separators=(',', ':'))
    body = json.dumps({'sub': rnd('d', 6), 'iss': iss, 'iat': 1764900000 + R.randint(0, 99999), 'exp': 1765000000 + R.randint(0, 99999), 'scope': 'read write'}, separators=(',', ':'))
    sig = bytes(R.getrandbits(8) for _ in range(32))
    return '.'.join([b64url(head.encode()), b64url(body.encode()), b64url(sig)])

TOKEN = re.compile(r'⟦(.*?)⟧|⟪(.*?)⟫|«(\w+):(\d+)»', re.S)

def render(tpl):
    secrets, survivors, bound = [], [], {}
    def secret_value(c):
        name = None
        if '¦' in c:
            c, name = c.rsplit('¦', 1)
        if c.startswith('*'):
            return bound[c[1:]]
        if c.startswith('b64:'):
            v = b64(gen(c[4:]))
        elif c.startswith('pemjson:'):
            _, label, n = c.split(':')
            v = pem(label, int(n))
        elif c.startswith('pem:'):
            _, label, n = c.split(':')
            v = pem(label, int(n))
        elif c.startswith('ssh:'):
            v = ssh(int(c[4:]))
        elif c.startswith('jwt'):
            v = jwt()
        else:
            v = gen(c)
        if name:
            bound[name] = v
        return v
    def sub(m):
        if m.group(1) is not None:
            c = m.group(1)
            v = secret_value(c)
            if v not in secrets:
                secrets.append(v)
            if c.startswith('pemjson:'):
                return v.replace('\n', '\\n')
            line_start = m.string.rfind('\n', 0, m.start()) + 1
            lead = m.string[line_start:m.start()]
            if '\n' in v and lead.strip() == '':
                return v.replace('\n', '\n' + lead)
            return v
        if m.group(2) is not None:
            v = gen(m.group(2))
            if v not in survivors:
                survivors.append(v)
            return v
        return rnd(m.group(3), int(m.group(4)))
    text = TOKEN.sub(sub, tpl)
    return text, secrets, survivors

FILES = []

def F(path, cls, tpl):
    if tpl.startswith('\n'):
        tpl = tpl[1:]
    FILES.append((path, cls, tpl))

def secret_lines(s):
    if '\n' not in s:
        return [s]
    return [l for l in s.split('\n') if len(l) >= 6 and not l.startswith('-----')]

def write(root):
    expect, seen = [], {}
    for path, cls, tpl in FILES:
        text, secrets, survivors = render(tpl)
        blank = text
        for s in sorted(secrets, key=len, reverse=True):
            for part in secret_lines(s):
                blank = blank.replace(part, '\x00')
        for s in secrets:
            assert len(s) >= 8, (path, s)
            assert s not in seen, (path, s, seen.get(s))
            seen[s] = path
            for line in secret_lines(s):
                for i in range(len(line) - 5):
                    w = line[i:i + 6]
                    if w not in blank:
                        continue
                    # The scorer excuses a window that also occurs outside the secrets; say so, to keep them rare.
                    print(f'note: {path}: {w!r} of a secret also occurs outside it', file=sys.stderr)
        for v in survivors:
            assert v in text, (path, v)
            assert v in blank, (path, 'survivor overlaps a secret', v)
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, 'w') as f:
            f.write(text)
        expect.append({'file': path, 'class': cls, 'secrets': secrets, 'survivors': survivors})
    with open(os.path.join(root, 'expect.json'), 'w') as f:
        json.dump(expect, f, indent=2)
        f.write('\n')
    print(f'{len(expect)} files, {sum(len(e["secrets"]) for e in expect)} secrets, {sum(len(e["survivors"]) for e in expect)} survivors')

# ---------------------------------------------------------------- shell history
F('shell/bash_history', 'command-line', r'''
cd /srv/app
git pull origin main
git log --oneline -3
git checkout ⟪4f9c2e1a7b3d5e6f8091a2b3c4d5e6f708192a3b⟫
docker ps -a
docker logs --tail 200 ⟪3f1a9c0d2b7e⟫
mysql -h db.internal -u admin -p⟦Kw9#mZ2q!vLx7⟧ appdb
mysql -uroot --password=⟦rT5$eW3q-Zp8Lm⟧ -e "SHOW PROCESSLIST"
redis-cli -h ⟪10.0.3.17⟫ -p ⟪6379⟫ -a ⟦r3dis-«a:18»⟧ INFO replication
PGPASSWORD=⟦pG_«a:16»⟧ psql -h ⟪pg-primary.prod.internal⟫ -U app -d app -c 'select now()'
export AWS_SECRET_ACCESS_KEY=⟦«b:40»⟧
export AWS_ACCESS_KEY_ID=⟦AKIA«u2:16»⟧
aws s3 ls s3://acme-backups/
echo "the token expired again, rotating"
docker login -u deploybot -p ⟦dckr_pat_«u:27»⟧ registry.example.com
docker login registry.gitlab.com -u ci --password '⟦glpat-«u:20»⟧'
curl -u admin:⟦Adm1n-«a:12»⟧ https://jenkins.internal:8443/api/json
curl -H "Authorization: Bearer ⟦«a:40»⟧" https://api.internal/v1/health
curl -sS -H 'X-Api-Key: ⟦«h:32»⟧' "https://metrics.internal/api/v2/query?q=up"
sshpass -p '⟦Ssh«p:14»⟧' ssh -o StrictHostKeyChecking=no ops@⟪192.168.10.42⟫
htpasswd -b /etc/nginx/.htpasswd grafana ⟦Gr4f«a:10»⟧
openssl pkcs12 -export -in cert.pem -inkey key.pem -out bundle.p12 -passout pass:⟦p12-«a:14»⟧
openssl rsa -in ⟪/etc/ssl/private/server.key⟫ -passin pass:⟦«a:18»⟧ -noout -check
python manage.py migrate app ⟪0007_auto_20231012_1530⟫
python manage.py changepassword admin
python manage.py shell -c "from django.contrib.auth.models import User; User.objects.create_superuser('ops', 'ops@example.com', '⟦Sup3r-«a:12»⟧')"
vault login ⟦hvs.«u:24»⟧
ls -la /accounts/password/reset/
MYSQL_PWD=⟦my-«a:16»⟧ mysqldump --single-transaction appdb > /backup/appdb.sql
kubectl create secret generic app --from-literal=DB_PASSWORD=⟦kub-«a:16»⟧
tail -f /var/log/nginx/access.log
history | grep secret
''')

F('shell/zsh_history', 'command-line', r'''
: 1700000000:0;cd ~/projects/shop
: 1700000012:0;git status
: 1700000020:3;git rebase -i ⟪9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d⟫
: 1700000101:0;export GITHUB_TOKEN=⟦ghp_«a:36»⟧
: 1700000110:12;gh pr list --repo acme/shop
: 1700000233:0;export STRIPE_SECRET_KEY="⟦sk_live_«a:99»⟧"
: 1700000240:1;python manage.py runserver ⟪0.0.0.0:8000⟫
: 1700000399:0;psql "postgresql://shop:⟦«a:20»⟧@⟪db.shop.internal:5432⟫/shop?sslmode=require"
: 1700000421:0;http POST https://api.shop.example/v1/login username=ops password=⟦Opspw-«a:12»⟧
: 1700000500:4;npm publish --otp=123456
: 1700000505:0;npm config set //registry.npmjs.org/:_authToken ⟦npm_«a:36»⟧
: 1700000600:0;twine upload -u __token__ -p ⟦pypi-AgEIcHlwaS5vcmc«u:140»⟧ dist/*
: 1700000700:0;./deploy.sh --token ⟦«h:40»⟧ --env production
: 1700000702:0;./sync.py --api-key="⟦«a:32»⟧" --dry-run
: 1700000800:0;echo "secret rotation failed for ⟪2024-11-03T10:15:00Z⟫"
: 1700000900:0;docker pull nginx@⟪sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31⟫
: 1700000950:0;ssh -i ~/.ssh/id_ed25519 deploy@⟪web-01.shop.internal⟫
''')

# ---------------------------------------------------------------- .env files
F('env/.env', 'key-value', r'''
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
''')

F('env/.env.production', 'key-value', r'''
NODE_ENV=production
APP_VERSION=⟪3.2.1⟫
BUILD_SHA=⟪0a1b2c3d4e5f60718293a4b5c6d7e8f901234567⟫
POSTGRES_PASSWORD=⟦«a:20»⟧
MYSQL_ROOT_PASSWORD=⟦root-«p:16»⟧
MONGO_URI=mongodb+srv://svc-app:⟦«a:22»⟧@⟪cluster0.ab1cd.mongodb.net⟫/app?retryWrites=true&w=majority
S3_BUCKET=acme-prod-media
AWS_STORAGE_BUCKET_NAME=acme-prod-media
AWS_S3_REGION_NAME=⟪eu-west-1⟫
AWS_ACCESS_KEY_ID=⟦AKIA«u2:16»⟧
AWS_SECRET_ACCESS_KEY=⟦«b:40»⟧
OPENAI_API_KEY=⟦sk-proj-«u:48»⟧
ANTHROPIC_API_KEY=⟦sk-ant-api03-«u:93»AA⟧
GOOGLE_MAPS_API_KEY=⟦AIza«u:35»⟧
OAUTH_CLIENT_ID=⟪1093847562-abc.apps.googleusercontent.com⟫
OAUTH_CLIENT_SECRET=⟦GOCSPX-«u:28»⟧
PRIVATE_KEY_PASSPHRASE=⟦«p:24»⟧
WEBHOOK_SECRET=⟦whsec_«a:32»⟧
FEATURE_FLAGS=new_checkout,fast_search
REQUEST_ID_HEADER=X-Request-ID
''')

F('env/docker.env', 'key-value', r'''
# passed with docker run --env-file docker.env (quotes are kept by docker)
TZ=Europe/Berlin
GUNICORN_WORKERS=4
DJANGO_SECRET_KEY=⟦«dj:50»⟧
DJANGO_DB_PASSWORD=⟦«a:18»⟧
DJANGO_SUPERUSER_PASSWORD=⟦«p:14»⟧
RABBITMQ_DEFAULT_PASS=⟦«a:20»⟧
MINIO_ROOT_PASSWORD=⟦«a:24»⟧
MINIO_SECRET_KEY=⟦«a:40»⟧
IMAGE=registry.example.com/shop/web@⟪sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b⟫
''')

F('env/printenv.txt', 'key-value', r'''
SHELL=/bin/bash
HOSTNAME=⟪7d1e3a9c2f4b⟫
PWD=/srv/app
HOME=/root
LANG=C.UTF-8
PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/bin
PYTHON_VERSION=⟪3.12.4⟫
GPG_KEY=⟪7169605F62C751356D054A26A821E680E5FA6305⟫
DJANGO_SETTINGS_MODULE=app.settings
DATABASE_PASSWORD=⟦«a:22»⟧
SECRET_KEY=⟦«dj:50»⟧
SENTRY_DSN=https://⟦«h:32»⟧@o4505.ingest.sentry.io/⟪4505123456789⟫
STRIPE_API_KEY=⟦rk_live_«a:99»⟧
SLACK_BOT_TOKEN=⟦xoxb-«d:12»-«d:13»-«a:24»⟧
HF_TOKEN=⟦hf_«A:4»«L:30»⟧
KUBERNETES_SERVICE_HOST=⟪10.96.0.1⟫
KUBERNETES_PORT=tcp://10.96.0.1:443
REQUEST_TIMEOUT=30
SHLVL=1
_=/usr/bin/env
''')

# ---------------------------------------------------------------- Django
F('django/settings.py', 'config-format', r'''
"""
Django settings for shop project.

Generated by 'django-admin startproject' using Django 4.2.7.
"""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = 'django-insecure-⟦«dj:50»⟧'

# SECURITY WARNING: don't run with debug turned on in production!
DEBUG = False

ALLOWED_HOSTS = ['shop.example.com', '⟪10.0.1.15⟫']

INSTALLED_APPS = [
    'django.contrib.admin',
    'django.contrib.auth',
    'django.contrib.contenttypes',
    'django.contrib.sessions',
    'storages',
    'shop.orders',
]

AUTH_PASSWORD_VALIDATORS = [
    {'NAME': 'django.contrib.auth.password_validation.UserAttributeSimilarityValidator'},
    {'NAME': 'django.contrib.auth.password_validation.MinimumLengthValidator'},
]
PASSWORD_HASHERS = ['django.contrib.auth.hashers.Argon2PasswordHasher']

DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.postgresql',
        'NAME': 'shop',
        'USER': 'shop_app',
        'PASSWORD': '⟦«a:9»!«a:6»⟧',
        'HOST': '⟪pg-primary.prod.internal⟫',
        'PORT': '⟪5432⟫',
        'OPTIONS': {'sslmode': 'require'},
    },
    "replica": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "shop",
        "USER": "shop_ro",
        "PASSWORD": "⟦«p:18»⟧",
        "HOST": "pg-replica.prod.internal",
    },
}

CACHES = {
    'default': {
        'BACKEND': 'django_redis.cache.RedisCache',
        'LOCATION': 'redis://:⟦«a:26»⟧@⟪redis.prod.internal:6379⟫/1',
        'OPTIONS': {'PASSWORD': '⟦«a:20»⟧'},
    }
}

EMAIL_BACKEND = 'django.core.mail.backends.smtp.EmailBackend'
EMAIL_HOST = 'smtp.mailgun.org'
EMAIL_HOST_USER = 'postmaster@mg.example.com'
EMAIL_HOST_PASSWORD = '⟦«h:32»-«h:8»-«h:8»⟧'
EMAIL_USE_TLS = True

# django-storages
AWS_ACCESS_KEY_ID = '⟦AKIA«u2:16»⟧'
AWS_SECRET_ACCESS_KEY = '⟦«b:40»⟧'
AWS_STORAGE_BUCKET_NAME = 'shop-media-prod'
AWS_S3_REGION_NAME = 'eu-central-1'
AWS_S3_CUSTOM_DOMAIN = '⟪d1a2b3c4d5e6f7.cloudfront.net⟫'
AWS_QUERYSTRING_AUTH = False

STRIPE_SECRET_KEY = os.environ.get('STRIPE_SECRET_KEY', '⟦sk_live_«a:24»⟧')
SOCIAL_AUTH_GITHUB_SECRET = "⟦«h:40»⟧"
CELERY_BROKER_URL = 'amqp://shop:⟦«a:18»⟧@rabbitmq.prod.internal:5672/shop'

LOGIN_URL = '⟪/accounts/login/⟫'
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
STATIC_URL = '/static/'
''')

F('django/local_settings.py', 'config-format', r'''
# local overrides, not in git
from .base import *  # noqa

SECRET_KEY = "⟦«dj:50»⟧"
DATABASES["default"].update(
    PASSWORD="⟦«a:16»⟧",
    HOST="⟪127.0.0.1⟫",
)
DATABASES['legacy'] = dict(ENGINE='django.db.backends.mysql', NAME='legacy', USER='legacy', PASSWORD='⟦«a:8»&«a:6»⟧', HOST='⟪mysql-legacy.internal⟫')
SENDGRID_API_KEY = '⟦SG.«u:22».«u:43»⟧'
TWILIO_ACCOUNT_SID = '⟪AC0f9e8d7c6b5a49382716059483726150⟫'
TWILIO_AUTH_TOKEN = '⟦«h:32»⟧'
TWILIO_API_KEY = '⟦SK«h:32»⟧'
TWILIO_API_SECRET = '⟦«a:32»⟧'
SIMPLE_JWT = {
    'SIGNING_KEY': '⟦«a:64»⟧',
    'ACCESS_TOKEN_LIFETIME': timedelta(minutes=15),
}
SOCIALACCOUNT_PROVIDERS = {
    'google': {'APP': {'client_id': '⟪1234-x.apps.googleusercontent.com⟫', 'secret': '⟦GOCSPX-«u:28»⟧', 'key': ''}},
}
LDAP_AUTH_CONNECTION_PASSWORD = r'⟦«a:10»\«a:6»⟧'
INTERNAL_IPS = ['127.0.0.1']
''')

F('django/logs/error.log', 'python-repr', r'''
[⟪2024-11-03 10:15:22,481⟫] ERROR [django.request:241] Internal Server Error: /accounts/login/
Traceback (most recent call last):
  File "/usr/local/lib/python3.12/site-packages/django/core/handlers/exception.py", line 55, in inner
    response = get_response(request)
  File "/srv/app/shop/accounts/views.py", line 88, in login_view
    user = authenticate(request, username=username, password=password)
  File "/usr/local/lib/python3.12/site-packages/django/contrib/auth/__init__.py", line 77, in authenticate
    user = backend.authenticate(request, **credentials)
  File "/srv/app/shop/accounts/backends.py", line 31, in authenticate
    return self._ldap_bind(username, password)
  File "/srv/app/shop/accounts/backends.py", line 54, in _ldap_bind
    conn.simple_bind_s(dn, password)
ldap.INVALID_CREDENTIALS: {'msgtype': 97, 'msgid': 1, 'result': 49, 'desc': 'Invalid credentials', 'ctrls': []}

Local variables:
    dn = 'uid=jdoe,ou=people,dc=example,dc=com'
    password = '⟦«p:14»⟧'
    self = <shop.accounts.backends.LDAPBackend object at 0x7f3a2c1d4e50>
    request = <WSGIRequest: POST '/accounts/login/'>
[⟪2024-11-03 10:15:22,483⟫] WARNING [django.request:241] Bad Request: /api/v1/orders/⟪7c9e6679-7425-40de-944b-e07fc1f90ae7⟫/
[2024-11-03 10:16:01,002] ERROR [shop.payments:112] charge failed for order ⟪ORD-2024-000123⟫
  request.POST = <QueryDict: {'csrfmiddlewaretoken': ['⟦«a:64»⟧'], 'username': ['jdoe'], 'password': ['⟦«p:16»⟧'], 'next': ['/checkout/']}>
  payload = {'amount': 1999, 'currency': 'eur', 'api_key': '⟦sk_live_«a:24»⟧', 'customer': 'cus_Q1w2e3r4t5y6'}
  headers = {'Content-Type': 'application/json', 'Authorization': 'Bearer ⟦«a:48»⟧', 'X-Request-ID': '⟪req_8f3a2b1c9d⟫'}
[2024-11-03 10:17:45,120] ERROR [django.security.csrf:156] Forbidden (CSRF token from POST incorrect.): /accounts/password/change/
[2024-11-03 10:18:10,900] ERROR [django.db.backends:134] (0.001) connection failed
Traceback (most recent call last):
  File "/usr/local/lib/python3.12/site-packages/psycopg/connection.py", line 119, in connect
    raise last_ex.with_traceback(None)
psycopg.OperationalError: connection failed: FATAL:  password authentication failed for user "shop_app"
    conn_params = {'dbname': 'shop', 'user': 'shop_app', 'password': '⟦«a:20»⟧', 'host': 'pg-primary.prod.internal', 'port': '5432'}
    settings_dict = {'ENGINE': 'django.db.backends.postgresql', 'NAME': 'shop', 'USER': 'shop_app', 'PASSWORD': "⟦«a:6»'«a:8»⟧", 'HOST': 'pg-primary.prod.internal', 'PORT': '5432'}
[2024-11-03 10:19:00,000] INFO [django.server:161] "POST /accounts/password/reset/ HTTP/1.1" 302 0
[2024-11-03 10:19:03,511] INFO [django.server:161] "GET /accounts/reset/⟪MQ⟫/set-password/ HTTP/1.1" 200 3120
''')

F('django/logs/debug.log', 'python-repr', r'''
DEBUG ⟪2024-11-04T08:00:01.123456+00:00⟫ django.db.backends (0.002) SELECT "auth_user"."id" FROM "auth_user" WHERE "auth_user"."username" = 'jdoe' LIMIT 21; args=('jdoe',); alias=default
DEBUG 2024-11-04T08:00:01.200000+00:00 shop.api request.META={'HTTP_HOST': 'api.shop.example.com', 'HTTP_AUTHORIZATION': 'Token ⟦«h:40»⟧', 'HTTP_X_REQUEST_ID': '⟪0f8fad5b-d9cb-469f-a165-70867728950e⟫', 'REMOTE_ADDR': '⟪203.0.113.7⟫'}
DEBUG 2024-11-04T08:00:01.300000+00:00 shop.integrations.crm calling CRM with Client(base_url='https://crm.example.net', api_key='⟦«a:40»⟧', timeout=10)
DEBUG 2024-11-04T08:00:01.350000+00:00 shop.integrations.crm kwargs: {"token": "⟦«u:36»⟧", "page": 2}
INFO 2024-11-04T08:00:02.000000+00:00 shop.accounts password reset requested for user_id=4211
INFO 2024-11-04T08:00:02.100000+00:00 shop.accounts the token expired (issued ⟪2024-11-03T08:00:00Z⟫)
DEBUG 2024-11-04T08:00:03.000000+00:00 shop.auth decoded session: {'_auth_user_id': '4211', '_auth_user_hash': '«h:64»', '_auth_user_backend': 'django.contrib.auth.backends.ModelBackend'}
DEBUG 2024-11-04T08:00:04.000000+00:00 shop.payments Settings(secret_key='⟦«a:32»⟧', webhook_secret=SecretStr('**********'), mode='live')
DEBUG 2024-11-04T08:00:04.500000+00:00 shop.payments stripe.Charge.create(..., idempotency_key='⟪a3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d⟫')
DEBUG 2024-11-04T08:00:05.000000+00:00 urllib3.connectionpool https://api.stripe.com:443 "POST /v1/charges HTTP/1.1" 200 1830
DEBUG 2024-11-04T08:00:06.000000+00:00 shop.sso OAuth2Session token={'access_token': '⟦ya29.«u:120»⟧', 'refresh_token': '⟦1//«u:100»⟧', 'token_type': 'Bearer', 'expires_in': 3599}
''')

F('celery/worker.log', 'python-repr', r'''
[⟪2024-11-05 02:00:00,012⟫: INFO/MainProcess] Connected to amqp://shop:**@⟪rabbitmq.prod.internal:5672⟫/shop
[2024-11-05 02:00:00,031: INFO/MainProcess] mingle: searching for neighbors
[2024-11-05 02:00:01,040: INFO/MainProcess] celery@⟪worker-3f2a1b⟫ ready.
[2024-11-05 02:00:05,101: INFO/MainProcess] Task shop.tasks.sync_crm[⟪d9b2d63d-a233-4123-847a-7c3e0b9b2f11⟫] received
[2024-11-05 02:00:05,322: ERROR/ForkPoolWorker-2] Task shop.tasks.sync_crm[d9b2d63d-a233-4123-847a-7c3e0b9b2f11] raised unexpected: HTTPError('401 Client Error: Unauthorized for url: https://crm.example.net/api/v2/contacts?api_key=⟦«h:32»⟧')
Traceback (most recent call last):
  File "/usr/local/lib/python3.12/site-packages/celery/app/trace.py", line 477, in trace_task
    R = retval = fun(*args, **kwargs)
  File "/srv/app/shop/tasks.py", line 42, in sync_crm
    resp.raise_for_status()
requests.exceptions.HTTPError: 401 Client Error: Unauthorized
[2024-11-05 02:00:06,000: INFO/MainProcess] Task shop.tasks.send_sms[⟪5b1e4f3a-9c2d-4e8f-a1b0-c3d2e1f0a9b8⟫] received
[2024-11-05 02:00:06,420: WARNING/ForkPoolWorker-1] send_sms args=('+4915112345678', 'Your code is 123456') kwargs={'auth_token': '⟦«h:32»⟧', 'sender': 'SHOP'}
[2024-11-05 02:00:07,000: ERROR/ForkPoolWorker-1] Task shop.tasks.export_s3[1f2e3d4c-5b6a-4789-8a0b-1c2d3e4f5a6b] raised unexpected: ClientError("An error occurred (SignatureDoesNotMatch)")
  task args: ['s3://shop-exports/2024/11/', {'aws_access_key_id': '⟦AKIA«u2:16»⟧', 'aws_secret_access_key': '⟦«b:40»⟧'}]
[2024-11-05 02:00:08,000: INFO/Beat] Scheduler: Sending due task nightly-report (shop.tasks.nightly_report)
[2024-11-05 02:00:09,000: CRITICAL/MainProcess] Unrecoverable error: OperationalError('[Errno 111] Connection refused') while connecting to redis://:⟦«a:24»⟧@redis.prod.internal:6379/2
[2024-11-05 02:00:10,000: INFO/MainProcess] secret rotation failed, retrying in 30s
''')

# ---------------------------------------------------------------- app servers
F('gunicorn/gunicorn.conf.py', 'config-format', r'''
# gunicorn.conf.py
import multiprocessing

bind = "⟪0.0.0.0:8000⟫"
workers = multiprocessing.cpu_count() * 2 + 1
worker_class = "gthread"
threads = 4
timeout = 60
accesslog = "⟪/var/log/gunicorn/access.log⟫"
errorlog = "/var/log/gunicorn/error.log"
raw_env = [
    "DJANGO_SETTINGS_MODULE=shop.settings.production",
    "DJANGO_SECRET_KEY=⟦«dj:50»⟧",
    "DATABASE_URL=postgres://shop:⟦«a:22»⟧@pg-primary:5432/shop",
]
keyfile = "/etc/ssl/private/shop.key"
certfile = "/etc/ssl/certs/shop.crt"
''')

F('gunicorn/error.log', 'key-value', r'''
[⟪2024-11-05 09:00:00 +0000⟫] [1] [INFO] Starting gunicorn ⟪21.2.0⟫
[2024-11-05 09:00:00 +0000] [1] [INFO] Listening at: http://0.0.0.0:8000 (1)
[2024-11-05 09:00:00 +0000] [1] [INFO] Using worker: gthread
[2024-11-05 09:00:00 +0000] [7] [INFO] Booting worker with pid: ⟪7⟫
[2024-11-05 09:12:31 +0000] [7] [ERROR] Error handling request /api/v1/export?format=csv&access_token=⟦«a:40»⟧
Traceback (most recent call last):
  File "/usr/local/lib/python3.12/site-packages/gunicorn/workers/gthread.py", line 285, in handle
    keepalive = self.handle_request(req, conn)
OSError: [Errno 32] Broken pipe
[2024-11-05 09:13:02 +0000] [7] [WARNING] Invalid request from ip=⟪198.51.100.23⟫: Invalid HTTP request line: 'GET /login?user=admin&password=⟦«a:12»⟧ HTTP/1.1'
[2024-11-05 09:14:00 +0000] [1] [CRITICAL] WORKER TIMEOUT (pid:7)
[2024-11-05 09:14:00 +0000] [7] [INFO] Worker exiting (pid: 7)
[2024-11-05 09:14:01 +0000] [12] [INFO] Booting worker with pid: 12
''')

F('gunicorn/access.log', 'key-value', r'''
⟪203.0.113.9⟫ - - [05/Nov/2024:09:20:01 +0000] "GET /healthz HTTP/1.1" 200 2 "-" "kube-probe/1.29"
203.0.113.9 - - [05/Nov/2024:09:20:02 +0000] "GET /api/v1/items?page=2&api_key=⟦«h:32»⟧ HTTP/1.1" 200 5123 "-" "python-requests/2.31.0"
203.0.113.10 - - [05/Nov/2024:09:20:03 +0000] "GET /oauth/callback?code=⟦«u:40»⟧&state=⟪af0ifjsldkj⟫ HTTP/1.1" 302 0 "-" "Mozilla/5.0"
203.0.113.11 - - [05/Nov/2024:09:20:04 +0000] "POST ⟪/accounts/password/reset/⟫ HTTP/1.1" 302 0 "https://shop.example.com/accounts/password/reset/" "Mozilla/5.0"
203.0.113.12 - - [05/Nov/2024:09:20:05 +0000] "GET /download/report.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20241105%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Signature=⟦«h:64»⟧ HTTP/1.1" 200 88123 "-" "curl/8.5.0"
203.0.113.13 - - [05/Nov/2024:09:20:06 +0000] "GET /reset/⟪Mg⟫/⟪c4x9qe-1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d⟫/ HTTP/1.1" 200 1402 "-" "Mozilla/5.0"
203.0.113.14 - - [05/Nov/2024:09:20:07 +0000] "GET /static/app.⟪5f3a1b2c⟫.js HTTP/1.1" 304 0 "-" "Mozilla/5.0"
''')

F('uwsgi/uwsgi.ini', 'config-format', r'''
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
''')

F('uwsgi/uwsgi.log', 'key-value', r'''
*** Starting uWSGI ⟪2.0.23⟫ (64bit) on [Tue Nov  5 09:00:00 2024] ***
compiled with version: 12.2.0 on 01 January 2024 10:00:00
detected number of CPU cores: 2
current working directory: /srv/app
uwsgi socket 0 bound to UNIX address /run/uwsgi/shop.sock fd 3
*** Operational MODE: preforking ***
WSGI app 0 (mountpoint='') ready in 2 seconds on interpreter ⟪0x55d1c2a3b4c0⟫ pid: 1201 (default app)
[pid: 1203|app: 0|req: 1/1] ⟪10.0.2.2⟫ () {42 vars in 812 bytes} [Tue Nov  5 09:01:00 2024] GET /api/v1/feed?token=⟦«a:32»⟧ => generated 1234 bytes in 12 msecs (HTTP/1.1 200) 4 headers in 130 bytes (1 switches on core 0)
[pid: 1203|app: 0|req: 2/2] 10.0.2.2 () {40 vars in 700 bytes} [Tue Nov  5 09:01:01 2024] POST /api/v1/login => generated 40 bytes in 80 msecs (HTTP/1.1 401) 3 headers in 120 bytes (1 switches on core 0)
{address space usage: 412000256 bytes/392MB} {rss usage: 98000000 bytes/93MB} [pid: 1203|app: 0|req: 3/3] 10.0.2.2 () {44 vars in 900 bytes} [Tue Nov  5 09:01:02 2024] GET /webhooks/stripe?secret=⟦«a:24»⟧ => generated 2 bytes in 5 msecs (HTTP/1.1 200) 2 headers in 64 bytes (1 switches on core 0)
''')

F('supervisor/supervisord.conf', 'config-format', r'''
[unix_http_server]
file=/var/run/supervisor.sock
chmod=0700

[inet_http_server]
port=⟪127.0.0.1:9001⟫
username=admin
password=⟦«a:16»⟧

[supervisord]
logfile=/var/log/supervisor/supervisord.log
pidfile=/var/run/supervisord.pid

[program:web]
command=/srv/app/.venv/bin/gunicorn shop.wsgi -c /srv/app/gunicorn.conf.py
directory=/srv/app
user=shop
autostart=true
autorestart=true
environment=DJANGO_SETTINGS_MODULE="shop.settings",DB_PASSWORD="⟦«a:18»⟧",STRIPE_KEY="⟦sk_live_«a:24»⟧",HOME="/home/shop"

[program:worker]
command=/srv/app/.venv/bin/celery -A shop worker -l info --broker amqp://shop:⟦«a:16»⟧@localhost:5672//
environment=C_FORCE_ROOT="false", REDIS_PASSWORD="⟦«a:20»⟧"
stdout_logfile=⟪/var/log/supervisor/worker.log⟫
''')

F('supervisor/supervisord.log', 'command-line', r'''
⟪2024-11-05 08:59:58,001⟫ INFO supervisord started with pid 1
2024-11-05 08:59:59,004 INFO spawned: 'web' with pid ⟪812⟫
2024-11-05 08:59:59,010 INFO spawned: 'worker' with pid 813
2024-11-05 09:00:00,012 INFO success: web entered RUNNING state, process has stayed up for > than 1 seconds (startsecs)
2024-11-05 09:00:30,100 INFO exited: worker (exit status 1; not expected)
2024-11-05 09:00:31,104 INFO spawned: 'backup' with pid 901
2024-11-05 09:00:31,105 DEBG 'backup' stdout output:
+ pg_dump --dbname=postgresql://backup:⟦«a:20»⟧@pg-primary.prod.internal:5432/shop -Fc -f /backup/shop.dump
2024-11-05 09:00:32,000 DEBG 'backup' stderr output:
+ rclone copy /backup s3:shop-backups --s3-access-key-id ⟦AKIA«u2:16»⟧ --s3-secret-access-key ⟦«b:40»⟧
2024-11-05 09:00:40,000 INFO exited: backup (exit status 0; expected)
''')

# ---------------------------------------------------------------- INI / cfg
F('ini/app.cfg', 'config-format', r'''
; legacy service configuration
[server]
host = ⟪0.0.0.0⟫
port: ⟪8080⟫
base_url = https://shop.example.com/app

[database]
driver = postgresql
host: db.internal
user = reporting
password = ⟦«a:8» «a:8» «a:6»⟧
password_file = ⟪/run/secrets/db_password⟫

[smtp]
user: alerts@example.com
pass: ⟦«a:14»⟧
secret key = ⟦«a:12» «a:10»⟧

[api]
client_id = ⟪shop-reporting⟫
client_secret=⟦«a:40»⟧
token_url = https://sso.example.com/oauth/token
token_expiry = 3600

[paths]
reset_page = /accounts/password/reset/
''')

F('ini/alembic.ini', 'config-format', r'''
[alembic]
script_location = migrations
prepend_sys_path = .
version_path_separator = os
sqlalchemy.url = postgresql+psycopg2://analytics:⟦«a:20»⟧@⟪analytics-db.internal:5432⟫/analytics

[loggers]
keys = root,sqlalchemy,alembic

[logger_sqlalchemy]
level = WARN
handlers =
qualname = sqlalchemy.engine
''')

F('ini/.my.cnf', 'config-format', r'''
[client]
user=backup
password="⟦«p:18»⟧"
host=⟪mysql-primary.internal⟫
port=3306

[mysqldump]
user = root
password = ⟦«a:20»⟧
single-transaction
max_allowed_packet=⟪64M⟫
''')

F('ini/pip.conf', 'config-format', r'''
[global]
timeout = 60
index-url = https://deploy:⟦«a:24»⟧@artifactory.example.com/artifactory/api/pypi/pypi-remote/simple
extra-index-url =
    https://__token__:⟦glpat-«u:20»⟧@gitlab.example.com/api/v4/projects/⟪1234⟫/packages/pypi/simple
    https://pypi.org/simple
trusted-host = ⟪artifactory.example.com⟫
''')

F('ini/.pypirc', 'config-format', r'''
[distutils]
index-servers =
    pypi
    testpypi
    private

[pypi]
username = __token__
password = ⟦pypi-AgEIcHlwaS5vcmc«u:150»⟧

[testpypi]
repository = https://test.pypi.org/legacy/
username = __token__
password = ⟦pypi-AgENdGVzdC5weXBpLm9yZw«u:140»⟧

[private]
repository = ⟪https://nexus.example.com/repository/pypi-internal/⟫
username = ci-publisher
password = ⟦«a:9»%«a:8»⟧
''')

F('ini/.s3cfg', 'config-format', r'''
[default]
access_key = ⟦AKIA«u2:16»⟧
secret_key = ⟦«b:40»⟧
bucket_location = ⟪EU⟫
host_base = s3.amazonaws.com
host_bucket = %(bucket)s.s3.amazonaws.com
gpg_passphrase = ⟦«a:16»⟧
signature_v2 = False
use_https = True
''')

F('ini/.gitconfig', 'config-format', r'''
[user]
	name = Deploy Bot
	email = deploy@example.com
[http "https://git.example.com/"]
	extraheader = AUTHORIZATION: basic ⟦b64:x-token-auth:«a:24»⟧
[url "https://oauth2:⟦glpat-«u:20»⟧@gitlab.example.com/"]
	insteadOf = https://gitlab.example.com/
[core]
	editor = vim
[commit]
	gpgsign = false
''')

F('git/.git-credentials', 'config-format', r'''
https://deploy-bot:⟦ghp_«a:36»⟧@github.com
https://x-access-token:⟦ghs_«a:36»⟧@github.com
https://oauth2:⟦glpat-«u:20»⟧@⟪gitlab.example.com⟫
https://jdoe:⟦«a:12»⟧@bitbucket.org
''')

F('ini/redis.conf', 'config-format', r'''
bind ⟪127.0.0.1⟫ -::1
port 6379
protected-mode yes
tcp-keepalive 300
requirepass ⟦«a:32»⟧
masterauth ⟦«a:28»⟧
user default on >⟦«a:24»⟧ ~* &* +@all
maxmemory ⟪2gb⟫
save 900 1
dir /var/lib/redis
''')

F('ini/postgresql.auto.conf', 'config-format', r'''
# Do not edit this file manually!
# It will be overwritten by the ALTER SYSTEM command.
primary_conninfo = 'user=replicator password=⟦«a:20»⟧ channel_binding=prefer host=⟪10.0.5.11⟫ port=5432 sslmode=prefer'
primary_slot_name = 'replica_1'
restore_command = 'wal-g wal-fetch %f %p'
archive_timeout = '60s'
''')

# ---------------------------------------------------------------- XML
F('xml/web.config', 'config-format', r'''
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <connectionStrings>
    <add name="Default" connectionString="Server=⟪sql01.corp.local⟫;Database=Shop;User Id=shop_app;Password=⟦«a:18»⟧;Encrypt=True" providerName="System.Data.SqlClient" />
  </connectionStrings>
  <appSettings>
    <add key="Environment" value="Production" />
    <add key="ApiKey" value="⟦«h:32»⟧" />
    <add key="StorageAccountKey" value="⟦«b:86»==⟧" />
    <add key="PasswordResetPath" value="⟪/accounts/password/reset/⟫" />
    <add key="ClientSecret" value="⟦«a:3»8Q~«u:31»⟧" />
    <add key="BuildId" value="⟪20241105.3⟫" />
  </appSettings>
  <system.web>
    <machineKey validationKey="⟦«H:128»⟧" decryptionKey="⟦«H:64»⟧" validation="HMACSHA256" decryption="AES" />
  </system.web>
</configuration>
''')

F('xml/settings.xml', 'config-format', r'''
<?xml version="1.0" encoding="UTF-8"?>
<settings xmlns="http://maven.apache.org/SETTINGS/1.0.0"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
          xsi:schemaLocation="http://maven.apache.org/SETTINGS/1.0.0 https://maven.apache.org/xsd/settings-1.0.0.xsd">
  <localRepository>⟪/home/ci/.m2/repository⟫</localRepository>
  <servers>
    <server>
      <id>artifactory-releases</id>
      <username>ci-deployer</username>
      <password>⟦AKCp«a:69»⟧</password>
    </server>
    <server>
      <id>github</id>
      <username>acme-ci</username>
      <password>⟦ghp_«a:36»⟧</password>
    </server>
    <server>
      <id>nexus-snapshots</id>
      <username>deployment</username>
      <password>⟦«a:8»&amp;«a:8»⟧</password>
    </server>
    <server>
      <id>signing</id>
      <passphrase>⟦«a:20»⟧</passphrase>
    </server>
  </servers>
  <mirrors>
    <mirror>
      <id>central-proxy</id>
      <url>⟪https://artifactory.example.com/artifactory/maven-remote⟫</url>
      <mirrorOf>central</mirrorOf>
    </mirror>
  </mirrors>
</settings>
''')

F('xml/tomcat-users.xml', 'config-format', r'''
<?xml version="1.0" encoding="UTF-8"?>
<tomcat-users xmlns="http://tomcat.apache.org/xml" version="1.0">
  <role rolename="manager-gui"/>
  <role rolename="manager-script"/>
  <user username="admin" password="⟦«a:16»⟧" roles="manager-gui"/>
  <user username="deployer" password="⟦«a:10»!«a:6»⟧" roles="manager-script"/>
</tomcat-users>
<!-- datasource -->
<Resource name="jdbc/shop" auth="Container" type="javax.sql.DataSource"
          username="shop" password="⟦«a:20»⟧"
          url="jdbc:postgresql://⟪db.internal:5432⟫/shop"/>
<credentials>
  <apiToken>⟦«h:40»⟧</apiToken>
  <secret>⟦«a:32»⟧</secret>
  <password>⟦«a:8»&lt;«a:8»⟧</password>
  <tokenEndpoint>⟪https://sso.example.com/oauth2/token⟫</tokenEndpoint>
</credentials>
''')

# ---------------------------------------------------------------- netrc, pgpass, npmrc, docker
F('netrc/.netrc', 'config-format', r'''
machine ⟪api.heroku.com⟫
  login ops@example.com
  password ⟦«h:8»-«h:4»-«h:4»-«h:4»-«h:12»⟧
machine git.heroku.com
  login ops@example.com
  password ⟦«h:8»-«h:4»-«h:4»-«h:4»-«h:12»⟧
machine ftp.example.com login backup password ⟦«a:16»⟧
machine artifactory.example.com login ci password ⟦AKCp«a:69»⟧ port 443
default login anonymous password ⟦«a:12»⟧
''')

F('netrc/_netrc', 'config-format', r'''
machine github.com login acme-ci password ⟦github_pat_11«U:20»_«a:59»⟧
machine ⟪dev.azure.com⟫ login PAT password ⟦«l:52»⟧
machine nexus.corp.local
login jenkins
password ⟦«a:14»⟧
''')

F('pgpass/.pgpass', 'config-format', r'''
# hostname:port:database:username:password
⟪pg-primary.prod.internal⟫:5432:shop:shop_app:⟦«a:20»⟧
pg-replica.prod.internal:5432:*:shop_ro:⟦«a:18»⟧
localhost:*:*:postgres:⟦«a:8»\:«a:8»⟧
*:*:*:backup:⟦«p:22»⟧
''')

F('npm/.npmrc', 'config-format', r'''
registry=https://registry.npmjs.org/
@acme:registry=https://npm.pkg.github.com/
//npm.pkg.github.com/:_authToken=⟦ghp_«a:36»⟧
//registry.npmjs.org/:_authToken=⟦npm_«a:36»⟧
//artifactory.example.com/artifactory/api/npm/npm-virtual/:_auth=⟦b64:ci:«a:20»⟧
//nexus.example.com/repository/npm-group/:_password=⟦b64:«a:18»⟧
//nexus.example.com/repository/npm-group/:username=ci
always-auth=true
save-exact=true
engine-strict=true
''')

F('docker/config.json', 'config-format', r'''
{
	"auths": {
		"https://index.docker.io/v1/": {
			"auth": "⟦b64:acmeci:dckr_pat_«u:27»⟧"
		},
		"⟪registry.example.com⟫": {
			"auth": "⟦b64:deploy:«a:20»⟧"
		},
		"123456789012.dkr.ecr.eu-west-1.amazonaws.com": {
			"auth": "⟦b64:AWS:«b:300»⟧"
		},
		"myregistry.azurecr.io": {
			"auth": "MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAwOg==",
			"identitytoken": "⟦jwt⟧"
		}
	},
	"credsStore": "desktop",
	"currentContext": "⟪default⟫",
	"plugins": {
		"-x-cli-hints": {
			"enabled": "true"
		}
	}
}
''')

F('docker/inspect.json', 'key-value', r'''
[
    {
        "Id": "⟪«h:64»⟫",
        "Created": "⟪2024-11-05T08:59:57.123456789Z⟫",
        "Path": "docker-entrypoint.sh",
        "Args": [
            "gunicorn",
            "shop.wsgi",
            "--bind",
            "0.0.0.0:8000",
            "--env",
            "DB_PASSWORD=⟦«a:18»⟧",
            "--password",
            "⟦«a:16»⟧"
        ],
        "State": {
            "Status": "exited",
            "Running": false,
            "ExitCode": ⟪137⟫,
            "Error": "",
            "StartedAt": "2024-11-05T08:59:58.000000000Z",
            "FinishedAt": "2024-11-05T09:14:00.000000000Z"
        },
        "Image": "⟪sha256:«h:64»⟫",
        "ResolvConfPath": "/var/lib/docker/containers/⟪«h:64»⟫/resolv.conf",
        "Name": "/shop-web-1",
        "RestartCount": 0,
        "Driver": "overlay2",
        "Config": {
            "Hostname": "⟪«h:12»⟫",
            "User": "app",
            "Env": [
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "DJANGO_SECRET_KEY=⟦«dj:50»⟧",
                "POSTGRES_PASSWORD=⟦«a:24»⟧",
                "REDIS_URL=redis://default:⟦«a:22»⟧@redis:6379/0",
                "SENTRY_DSN=https://⟦«h:32»⟧@o450.ingest.sentry.io/⟪5501234⟫",
                "GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D",
                "PYTHON_VERSION=3.12.4",
                "PYTHON_SHA256=⟪«h:64»⟫",
                "DATADOG_API_KEY=⟦«h:32»⟧"
            ],
            "Cmd": [
                "sh",
                "-c",
                "python manage.py migrate && exec gunicorn shop.wsgi --access-logfile - --api-key ⟦«a:28»⟧"
            ],
            "Image": "registry.example.com/shop/web:⟪2.14.3⟫",
            "Labels": {
                "com.docker.compose.project": "shop",
                "com.docker.compose.service": "web",
                "com.docker.compose.config-hash": "⟪«h:64»⟫",
                "org.opencontainers.image.revision": "⟪«h:40»⟫",
                "traefik.http.middlewares.auth.basicauth.users": "admin:⟦$$apr1$$«a:8»$$«b:22»⟧"
            }
        },
        "NetworkSettings": {
            "Networks": {
                "shop_default": {
                    "IPAddress": "⟪172.18.0.5⟫",
                    "Gateway": "172.18.0.1",
                    "MacAddress": "⟪02:42:ac:12:00:05⟫",
                    "EndpointID": "⟪«h:64»⟫"
                }
            }
        }
    }
]
''')

F('compose/docker-compose.yml', 'key-value', r'''
services:
  web:
    image: registry.example.com/shop/web:⟪2.14.3⟫
    command: gunicorn shop.wsgi --bind 0.0.0.0:8000
    env_file: .env
    environment:
      DJANGO_SETTINGS_MODULE: shop.settings.production
      DATABASE_URL: postgres://shop:⟦«a:22»⟧@db:5432/shop
      SECRET_KEY: "⟦«dj:50»⟧"
      STRIPE_SECRET_KEY: ⟦sk_live_«a:24»⟧
    ports:
      - "⟪8000:8000⟫"
    depends_on: [db, redis]
  db:
    image: postgres:16-alpine
    environment:
      - POSTGRES_USER=shop
      - POSTGRES_PASSWORD=⟦«a:20»⟧
      - "PGDATA=/var/lib/postgresql/data/pgdata"
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U shop"]
      interval: 10s
  redis:
    image: redis:7
    command: ["redis-server", "--requirepass", "⟦«a:26»⟧"]
  worker:
    image: registry.example.com/shop/web:2.14.3
    command: celery -A shop worker --loglevel=info
    environment:
      - 'CELERY_BROKER_URL=amqp://shop:⟦«a:16»⟧@rabbitmq:5672//'
      - AWS_SECRET_ACCESS_KEY=⟦«b:40»⟧
volumes:
  pgdata: {}
''')

F('compose/compose-config.yaml', 'key-value', r'''
name: shop
services:
  db:
    environment:
      POSTGRES_DB: shop
      POSTGRES_PASSWORD: ⟦«a:20»⟧
      POSTGRES_USER: shop
    image: postgres:16-alpine
    networks:
      default: null
  web:
    command:
      - gunicorn
      - shop.wsgi
      - --bind
      - 0.0.0.0:8000
    environment:
      DB_PASSWORD: ⟦«a:8»#«a:8»⟧
      DJANGO_SECRET_KEY: ⟦«dj:50»⟧
      EMAIL_HOST_PASSWORD: ⟦«a:16»⟧
      MAILCHIMP_API_KEY: ⟦«h:32»-us12⟧
      SENTRY_RELEASE: ⟪4f3e2d1c0b9a⟫
    image: registry.example.com/shop/web@⟪sha256:«h:64»⟫
    ports:
      - mode: ingress
        target: 8000
        published: "⟪8000⟫"
        protocol: tcp
    secrets:
      - source: db_password
        target: /run/secrets/db_password
secrets:
  db_password:
    file: ⟪/srv/shop/secrets/db_password.txt⟫
networks:
  default:
    name: shop_default
''')

F('k8s/secret.yaml', 'config-format', r'''
apiVersion: v1
kind: Secret
metadata:
  name: shop-secrets
  namespace: shop
  uid: ⟪«h:8»-«h:4»-4«h:3»-a«h:3»-«h:12»⟫
  resourceVersion: "⟪48211093⟫"
type: Opaque
data:
  DB_PASSWORD: ⟦b64:«a:20»⟧
  SECRET_KEY: ⟦b64:«dj:50»⟧
  tls.key: ⟦b64:-----BEGIN EC PRIVATE KEY-----«b:64»⟧
stringData:
  REDIS_PASSWORD: ⟦«a:24»⟧
  config.yaml: |
    api:
      token: ⟦«a:40»⟧
    log_level: info
---
apiVersion: v1
kind: Secret
metadata:
  name: regcred
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: ⟦b64:{"auths":{"registry.example.com":{"username":"ci","password":"«a:20»"}}}⟧
''')

F('k8s/deployment.yaml', 'key-value', r'''
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop-web
  labels:
    app.kubernetes.io/version: "⟪2.14.3⟫"
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: web
          image: registry.example.com/shop/web@⟪sha256:«h:64»⟫
          args: ["--db-password", "⟦«a:18»⟧", "--workers", "4"]
          env:
            - name: DJANGO_SETTINGS_MODULE
              value: shop.settings.production
            - name: DB_PASSWORD
              value: "⟦«a:20»⟧"
            - name: STRIPE_API_KEY
              value: ⟦sk_live_«a:24»⟧
            - name: SECRET_KEY
              valueFrom:
                secretKeyRef:
                  name: shop-secrets
                  key: SECRET_KEY
          ports:
            - containerPort: ⟪8000⟫
''')

F('systemd/shop-web.service', 'key-value', r'''
[Unit]
Description=Shop web (gunicorn)
After=network-online.target ⟪postgresql.service⟫
Wants=network-online.target

[Service]
Type=notify
User=shop
Group=shop
WorkingDirectory=/srv/app
Environment=DJANGO_SETTINGS_MODULE=shop.settings.production
Environment="DATABASE_PASSWORD=⟦«a:18»⟧" "SECRET_KEY=⟦«dj:50»⟧"
Environment=API_TOKEN=⟦«a:32»⟧
Environment='SENDGRID_API_KEY=⟦SG.«u:22».«u:43»⟧'
EnvironmentFile=-/etc/shop/shop.env
ExecStartPre=/srv/app/.venv/bin/python manage.py migrate --noinput
ExecStart=/srv/app/.venv/bin/gunicorn shop.wsgi --bind unix:/run/shop/gunicorn.sock --statsd-host ⟪127.0.0.1:8125⟫
ExecStartPost=/usr/local/bin/notify --webhook-secret ⟦«a:24»⟧
Restart=on-failure
RestartSec=⟪5s⟫
LimitNOFILE=65536

[Install]
WantedBy=multi-user.target
''')

F('cron/crontab', 'command-line', r'''
# m h  dom mon dow   command
SHELL=/bin/bash
MAILTO=ops@example.com
PATH=/usr/local/bin:/usr/bin:/bin
BACKUP_PASSPHRASE=⟦«a:24»⟧
*/5 * * * * curl -fsS -m 10 --retry 5 -o /dev/null https://hc-ping.com/⟪eb095278-f28d-448d-87fb-7b75c171a6aa⟫
0 3 * * * PGPASSWORD='⟦«a:20»⟧' pg_dump -h pg-primary.prod.internal -U backup shop | gzip > /backup/shop-$(date +\%F).sql.gz
15 3 * * * mysqldump -u backup -p'⟦«a:9»!«a:6»⟧' --all-databases > /backup/all.sql 2>> /var/log/backup.log
30 3 * * * /usr/bin/restic -r s3:s3.amazonaws.com/shop-restic backup /srv --password-file /etc/restic/pass
45 3 * * * curl -s -u monitor:⟦«a:16»⟧ -X POST https://status.example.com/api/heartbeat
0 4 * * 0 /srv/app/.venv/bin/python /srv/app/manage.py clearsessions
0 5 * * * docker run --rm -e AWS_SECRET_ACCESS_KEY=⟦«b:40»⟧ amazon/aws-cli s3 sync /backup s3://shop-backups
@reboot /usr/local/bin/tunnel --token ⟦eyJhIjoi«b:120»⟧ run
''')

F('nginx/shop.conf', 'config-format', r'''
upstream shop_app {
    server ⟪unix:/run/shop/gunicorn.sock⟫ fail_timeout=0;
}

server {
    listen 443 ssl http2;
    server_name shop.example.com;
    ssl_certificate     ⟪/etc/letsencrypt/live/shop.example.com/fullchain.pem⟫;
    ssl_certificate_key /etc/letsencrypt/live/shop.example.com/privkey.pem;
    ssl_session_ticket_key /etc/nginx/ticket.key;

    location /accounts/password/reset/ {
        limit_req zone=login burst=5;
        proxy_pass http://shop_app;
    }

    location /internal/metrics {
        auth_basic "metrics";
        auth_basic_user_file /etc/nginx/.htpasswd;
        proxy_pass http://⟪127.0.0.1:9100⟫;
    }

    location /legacy-api/ {
        proxy_set_header Authorization "Basic ⟦b64:legacy:«a:18»⟧";
        proxy_pass https://legacy.internal:8443/;
    }

    location /search/ {
        proxy_set_header Authorization "Bearer ⟦«a:48»⟧";
        proxy_set_header X-Api-Key ⟦«h:40»⟧;
        proxy_pass https://search.example.net/;
    }

    location /maps/ {
        set $maps_key "⟦AIza«u:35»⟧";
        proxy_pass https://maps.googleapis.com/maps/api/staticmap?key=$maps_key;
    }

    location / {
        proxy_set_header Host $host;
        proxy_set_header X-Request-ID $request_id;
        proxy_pass http://shop_app;
    }
}
''')

F('htpasswd/.htpasswd', 'config-format', r'''
grafana:⟦$apr1$«a:8»$«b:22»⟧
admin:⟦$2y$05$«b:53»⟧
metrics:⟦{SHA}«b:27»=⟧
legacy:⟦«a:13»⟧
''')

F('html/login.html', 'key-value', r'''
<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="csrf-token" content="⟦«a:64»⟧">
  <title>Log in | Shop</title>
  <link rel="stylesheet" href="/static/css/app.⟪9f8e7d6c⟫.css">
</head>
<body>
  <form method="post" action="/accounts/login/">
    <input type="hidden" name="csrfmiddlewaretoken" value="⟦«a:64»⟧">
    <label for="id_username">Username</label>
    <input type="text" name="username" value="jdoe" id="id_username" autocomplete="username">
    <label for="id_password">Password</label>
    <input type="password" name="password" value="⟦«p:14»⟧" id="id_password" autocomplete="current-password">
    <input type="hidden" name="api_key" value="⟦«h:32»⟧">
    <a href="⟪/accounts/password/reset/⟫">Forgot your password?</a>
    <button type="submit">Log in</button>
  </form>
  <img alt="logo" src="⟪data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAGXRFWHRTb2Z0d2FyZQBBZG9iZSBJbWFnZVJlYWR5ccllPAAAAyRpVFh0WE1MOmNvbS5hZG9iZS54bXAAAAAAADw/eHBhY2tldCBiZWdpbj0i77u/IiBpZD0iVzVNME1wQ2VoaUh6cmVTek5UY3prYzlkIj8+⟫">
  <script nonce="⟪rAnd0mN0nce⟫">window.SENTRY_RELEASE = "⟪shop@2.14.3⟫";</script>
</body>
</html>
''')

F('aws/credentials', 'config-format', r'''
[default]
aws_access_key_id = ⟦AKIA«u2:16»⟧
aws_secret_access_key = ⟦«b:40»⟧
region = ⟪eu-west-1⟫

[prod-admin]
aws_access_key_id=⟦ASIA«u2:16»⟧
aws_secret_access_key=⟦«b:40»⟧
aws_session_token=⟦IQoJb3JpZ2luX2VjE«b:300»⟧
output = json

[profile ci]
role_arn = ⟪arn:aws:iam::123456789012:role/ci-deploy⟫
source_profile = default
''')

F('aws/cli-session.txt', 'key-value', r'''
$ aws configure list
      Name                    Value             Type    Location
      ----                    -----             ----    --------
   profile                <not set>             None    None
access_key     ⟪****************QX7A⟫ shared-credentials-file
secret_key     ****************9fKe shared-credentials-file
    region                ⟪eu-west-1⟫      config-file    ~/.aws/config
$ aws sts get-caller-identity
{
    "UserId": "⟪AIDAJQABLZS4A3QDU576Q⟫",
    "Account": "⟪123456789012⟫",
    "Arn": "arn:aws:iam::123456789012:user/ops"
}
$ aws sts get-session-token --duration-seconds 3600
{
    "Credentials": {
        "AccessKeyId": "⟦ASIA«u2:16»⟧",
        "SecretAccessKey": "⟦«b:40»⟧",
        "SessionToken": "⟦FwoGZXIvYXdzE«b:200»⟧",
        "Expiration": "⟪2024-11-05T10:15:00+00:00⟫"
    }
}
$ aws configure get aws_secret_access_key
⟦«b:40»⟧
''')

F('ps/ps-auxww.txt', 'command-line', r'''
USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND
root           1  0.0  0.1 167744 11520 ?        Ss   Nov04   0:05 /sbin/init
root         612  0.0  0.2 1285432 45000 ?       Ssl  Nov04   1:12 /usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock
shop         812  0.3  2.1 245000 170000 ?       S    08:59   0:42 /srv/app/.venv/bin/python /srv/app/.venv/bin/gunicorn shop.wsgi --bind 0.0.0.0:8000
shop         901  0.0  0.1  12000  4000 ?        S    09:00   0:00 /usr/local/bin/backup --db-host pg-primary.prod.internal --password=⟦«a:18»⟧ --out /backup
shop         902  0.0  0.1  12000  4000 ?        S    09:00   0:00 /usr/local/bin/sync-tool --password ⟦«a:16»⟧ --verbose
root         903  0.0  0.0  11000  3000 ?        S    09:00   0:00 mysql -h mysql-primary.internal -u root -p⟦«a:14»⟧ shop
root         904  0.0  0.0  11000  3000 ?        S    09:00   0:00 redis-cli -h 10.0.3.17 -a ⟦«a:22»⟧ --no-auth-warning monitor
root         905  0.0  0.0  11000  3000 pts/0    S+   09:01   0:00 docker login -u ci -p ⟦«a:20»⟧ registry.example.com
root         906  0.0  0.0  11000  3000 pts/0    S+   09:01   0:00 sshpass -p ⟦«a:15»⟧ rsync -a /srv/media backup@⟪10.0.9.4⟫:/media
root         907  0.0  0.0  11000  3000 pts/1    S+   09:01   0:00 curl -sS -u deploy:⟦«a:17»⟧ https://nexus.example.com/service/rest/v1/status
root         908  0.0  0.0  11000  3000 pts/1    S+   09:01   0:00 sh -c PGPASSWORD=⟦«a:19»⟧ psql -h db -U app -c vacuum
root         909  0.0  0.0  11000  3000 pts/1    S+   09:01   0:00 env MYSQL_PWD=⟦«a:21»⟧ mysqlcheck --all-databases
root         910  0.0  0.0  11000  3000 pts/1    S+   09:01   0:00 htpasswd -b /etc/nginx/.htpasswd metrics ⟦«a:13»⟧
root         911  0.0  0.0  11000  3000 pts/1    S+   09:01   0:00 openssl pkcs12 -in /etc/ssl/shop.p12 -nodes -passin pass:⟦«a:16»⟧
root         912  0.0  0.0  11000  3000 pts/1    S+   09:02   0:00 /opt/agent/bin/agent --token ⟦«h:40»⟧ --server https://ci.example.com
root         913  0.0  0.0  11000  3000 pts/1    S+   09:02   0:00 /opt/exporter --api-key ⟦«a:32»⟧ --listen :⟪9187⟫
root         914  0.0  0.0  11000  3000 pts/1    S+   09:02   0:00 /opt/tool --password "⟦«a:8» «a:8»⟧" --user admin
root         915  0.0  0.0  11000  3000 pts/1    S+   09:02   0:00 /opt/tool --client-secret='⟦«a:12»$«a:8»⟧' --tenant ⟪72f988bf-86f1-41af-91ab-2d7cd011db47⟫
root         916  0.0  0.0  11000  3000 pts/1    S+   09:02   0:00 mongosh mongodb://admin:⟦«a:20»⟧@⟪mongo-0.mongo:27017⟫/admin
root         917  0.0  0.0  11000  3000 pts/1    S+   09:02   0:00 java -Djavax.net.ssl.keyStorePassword=⟦«a:16»⟧ -Dspring.datasource.password=⟦«a:18»⟧ -jar /opt/app.jar
root         918  0.0  0.0  11000  3000 pts/1    S+   09:03   0:00 rabbitmqctl add_user shop ⟦«a:18»⟧
root         919  0.0  0.0  11000  3000 pts/1    S+   09:03   0:00 mysqladmin -uroot --password ⟦«a:15»⟧ status
root         920  0.0  0.0  11000  3000 pts/1    S+   09:03   0:00 containerd-shim-runc-v2 -namespace moby -id ⟪«h:64»⟫ -address /run/containerd/containerd.sock
root         921  0.0  0.0   8000  1000 pts/1    R+   09:03   0:00 ps auxww
''')

F('gcp/service-account.json', 'private-key', r'''
{
  "type": "service_account",
  "project_id": "⟪acme-shop-prod⟫",
  "private_key_id": "«h:40»",
  "private_key": "⟦pemjson:PRIVATE KEY:20⟧\n",
  "client_email": "⟪shop-backend@acme-shop-prod.iam.gserviceaccount.com⟫",
  "client_id": "⟪104857392018273645012⟫",
  "auth_uri": "https://accounts.google.com/o/oauth2/auth",
  "token_uri": "https://oauth2.googleapis.com/token",
  "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
  "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/shop-backend%40acme-shop-prod.iam.gserviceaccount.com",
  "universe_domain": "googleapis.com"
}
''')

F('keys/id_ed25519', 'private-key', r'''
⟦ssh:5⟧
''')

F('keys/server.key', 'private-key', r'''
⟦pem:RSA PRIVATE KEY:25⟧
''')

F('keys/tls-bundle.pem', 'private-key', r'''
subject=CN = shop.example.com
issuer=C = US, O = Let's Encrypt, CN = R11
-----BEGIN CERTIFICATE-----
⟪MIIFBjCCA+6gAwIBAgISBK3Uv4u0DvAAcZMw1oTh0Vr9MA0GCSqGSIb3DQEBCwUA⟫
MDMxCzAJBgNVBAYTAlVTMRYwFAYDVQQKEw1MZXQncyBFbmNyeXB0MQwwCgYDVQQD
EwNSMTEwHhcNMjQxMTA1MDAwMDAwWhcNMjUwMjAzMDAwMDAwWjAbMRkwFwYDVQQD
-----END CERTIFICATE-----
⟦pem:EC PRIVATE KEY:4⟧
''')

F('keys/ansible-vars.yml', 'private-key', r'''
---
nginx_server_name: shop.example.com
nginx_tls_cert_path: ⟪/etc/ssl/certs/shop.crt⟫
nginx_tls_key: |
  ⟦pem:ENCRYPTED PRIVATE KEY:6⟧
deploy_user: deploy
deploy_ssh_key_passphrase: ⟦«a:20»⟧
''')

# ---------------------------------------------------------------- provider tokens in context
F('providers/ci-job.log', 'provider', r'''
⟪2024-11-05T09:30:00.0000000Z⟫ ##[group]Run actions/checkout@⟪b4ffde65f46336ab88eb53be808477a3936bae11⟫
2024-11-05T09:30:00.1000000Z Syncing repository: acme/shop
2024-11-05T09:30:01.0000000Z [command]/usr/bin/git -c http.extraheader="AUTHORIZATION: basic ***" fetch
2024-11-05T09:30:05.0000000Z Cloning with https://x-access-token:⟦ghs_«a:36»⟧@github.com/acme/shop.git
2024-11-05T09:30:06.0000000Z fine-grained token in use: ⟦github_pat_11«U:20»_«a:59»⟧
2024-11-05T09:30:07.0000000Z glab auth status: Logged in to gitlab.example.com as ci (⟦glpat-«u:20»⟧)
2024-11-05T09:30:08.0000000Z npm notice using ⟦npm_«a:36»⟧ for registry.npmjs.org
2024-11-05T09:30:09.0000000Z docker: logged in with ⟦dckr_pat_«u:27»⟧
2024-11-05T09:30:09.5000000Z docker: org access ⟦dckr_oat_«u:32»⟧
2024-11-05T09:30:10.0000000Z Run ⟪actions/upload-artifact@v4⟫
2024-11-05T09:30:11.0000000Z Artifact digest is ⟪sha256:«h:64»⟫
2024-11-05T09:30:12.0000000Z ##[endgroup]
''')

F('providers/integrations.yaml', 'provider', r'''
# third-party integrations (values pasted by ops)
slack:
  bot: ⟦xoxb-«d:11»-«d:13»-«a:24»⟧
  app_level: ⟦xapp-1-A«U:10»-«d:13»-«h:64»⟧
  webhook: https://hooks.slack.com/services/T«U:8»/B«U:10»/⟦«a:24»⟧
discord:
  alerts: https://discord.com/api/webhooks/«d:19»/⟦«u:68»⟧
telegram:
  bot: ⟦«d:10»:AA«u:33»⟧
  chat_id: "⟪-1001234567890⟫"
stripe:
  live: ⟦sk_live_51«a:97»⟧
  publishable: ⟪pk_live_51Hx2JkLmNoPqRsTuVwXyZ0123456789abcdefABCDEF⟫
huggingface: ⟦hf_«A:6»«L:28»⟧
linear: ⟦lin_api_«a:40»⟧
postman: ⟦PMAK-«h:24»-«h:34»⟧
newrelic:
  user: ⟦NRAK-«U:27»⟧
  license: ⟦«h:36»NRAL⟧
databricks: ⟦dapi«h:32»-2⟧
shopify: ⟦shpat_«h:32»⟧
square: ⟦EAAA«u:60»⟧
mailchimp: ⟦«h:32»-us21⟧
sendgrid: ⟦SG.«u:22».«u:43»⟧
twilio:
  account_sid: ⟪ACa1b2c3d4e5f60718293a4b5c6d7e8f90⟫
  auth: ⟦«h:32»⟧
''')

F('providers/platform.tfvars', 'provider', r'''
region          = "⟪eu-central-1⟫"
instance_type   = "t3.large"
vault_token     = "⟦hvs.CAESI«u:86»⟧"
vault_batch     = "⟦hvb.AAAAAQ«u:130»⟧"
do_token        = "⟦dop_v1_«h:64»⟧"
cloudflare_api_token = "⟦«u:40»⟧"
cloudflare_global_key = "⟦«h:37»⟧"
doppler_token   = "⟦dp.st.prd.«a:40»⟧"
planetscale_pw  = "⟦pscale_pw_«u:43»⟧"
supabase_access = "⟦sbp_«h:40»⟧"
grafana_sa      = "⟦glsa_«a:32»_«h:8»⟧"
grafana_cloud   = "⟦glc_eyJvIjoi«b:120»=⟧"
atlassian       = "⟦ATATT3xFfGF0«u:170»=«H:8»⟧"
onepassword_sa  = "⟦ops_eyJzaWduSW5BZGRyZXNzIjoi«b:300»⟧"
alibaba_id      = "⟦LTAI«a:20»⟧"
alibaba_secret  = "⟦«a:30»⟧"
azure_client_secret = "⟦«a:3»8Q~«u:31»⟧"
age_identity    = "⟦AGE-SECRET-KEY-1«bech:58»⟧"
ami_id          = "⟪ami-0abcdef1234567890⟫"
vpc_cidr        = "⟪10.20.0.0/16⟫"
''')

F('providers/notes.md', 'provider', r'''
# Incident 2024-11-05: payments outage

Timeline (UTC):
- ⟪09:12⟫ alerts from New Relic; the token expired for the CRM sync.
- 09:20 Bob pasted the Stripe key in chat to test: ⟦sk_live_«a:34»⟧ (rotated since).
- 09:25 tried with the restricted key ⟦rk_live_«a:34»⟧ instead
- 09:31 the GitHub token ⟦ghp_«a:36»⟧ from the old deploy box still worked (revoked 09:40)
- 09:45 ran `vault token lookup ⟦hvs.«u:24»⟧` to check its TTL
- 09:50 JWT from the failing request: ⟦jwt⟧
- 10:02 secret rotation failed for the Databricks job, token ⟦dapi«h:32»⟧
- 10:05 bot token ⟦«d:10»:AA«u:33»⟧ posted to #ops by mistake
- 10:10 Slack user token ⟦xoxp-«d:11»-«d:12»-«d:13»-«h:32»⟧

Commit ⟪8c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d⟫ fixed it; see request ⟪req_01HF3ZK8XW5Y2A4B6C8D0E1F3G⟫.
''')

F('providers/app.json', 'provider', r'''
{"level":"info","ts":"⟪2024-11-05T09:40:00.000Z⟫","msg":"loaded integrations","integrations":{"github":"⟦ghp_«a:36»⟧","gitlab":"⟦glpat-«u:20»⟧","openai":"⟦sk-proj-«u:48»⟧","npm":"⟦npm_«a:36»⟧","pypi":"⟦pypi-AgEIcHlwaS5vcmc«u:120»⟧","artifactory":"⟦cmVmdGtuOjAxOjE3«a:48»⟧","sendgrid":"⟦SG.«u:22».«u:43»⟧"},"request_id":"⟪9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d⟫"}
{"level":"warn","ts":"2024-11-05T09:40:01.000Z","msg":"webhook registered","url":"https://discord.com/api/webhooks/«d:18»/⟦«u:68»⟧","trace_id":"⟪4bf92f3577b34da6a3ce929d0e0e4736⟫"}
{"level":"info","ts":"2024-11-05T09:40:02.000Z","msg":"private key loaded","key":"⟦pemjson:RSA PRIVATE KEY:6⟧","fingerprint":"⟪SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8⟫"}
''')

# ---------------------------------------------------------------- high-entropy values near keywords
F('logs/http-debug.log', 'entropy-near-keyword', r'''
send: b'POST /oauth/token HTTP/1.1\r\nHost: sso.example.com\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\ngrant_type=client_credentials&client_id=shop&client_secret=⟦«a:36»⟧'
reply: 'HTTP/1.1 200 OK\r\n'
header: Content-Type: application/json
send: b'GET /v2/orders HTTP/1.1\r\nHost: ⟪api.partner.example⟫\r\nAuthorization: Bearer ⟦«a:44»⟧\r\nX-Request-Id: ⟪6f1c2e3d-4b5a-4c6d-8e7f-9a0b1c2d3e4f⟫\r\n\r\n'
reply: 'HTTP/1.1 401 Unauthorized\r\n'
send: b'GET /v1/me HTTP/1.1\r\nHost: api.partner.example\r\nX-Auth-Token: ⟦«h:48»⟧\r\nCookie: sessionid=⟦«l:32»⟧; csrftoken=⟦«a:32»⟧\r\n\r\n'
reply: 'HTTP/1.1 200 OK\r\n'
header: Set-Cookie: sessionid=⟦«l:32»⟧; expires=Tue, 19 Nov 2024 09:40:00 GMT; HttpOnly; Path=/; SameSite=Lax
header: ETag: "⟪33a64df551425fcc55e4d42a148795d9f25f89d4⟫"
DEBUG:urllib3.connectionpool:https://api.partner.example:443 "GET /v2/orders?signature=⟦«u:43»⟧ HTTP/1.1" 200 512
''')

F('logs/app.log', 'entropy-near-keyword', r'''
⟪2024-11-05T09:50:00Z⟫ INFO  starting shop-web version=⟪2.14.3⟫ commit=⟪1a2b3c4d5e6f⟫ pid=812
2024-11-05T09:50:01Z INFO  connected to postgres at ⟪10.0.5.10:5432⟫ (user=shop_app)
2024-11-05T09:50:02Z DEBUG loaded api key ⟦«a:32»⟧ for partner acme
2024-11-05T09:50:03Z WARN  login failed for user=jdoe password=⟦«p:12»⟧ from ⟪198.51.100.77⟫
2024-11-05T09:50:04Z DEBUG auth header was: Basic ⟦b64:jdoe:«a:14»⟧
2024-11-05T09:50:05Z INFO  session token: ⟦«h:64»⟧
2024-11-05T09:50:06Z INFO  the token expired, refreshing
2024-11-05T09:50:07Z INFO  using secret ⟦«u:40»⟧ to sign webhooks
2024-11-05T09:50:08Z ERROR secret rotation failed: AccessDenied (request id ⟪7d5a2f1e-3c4b-4d6e-8f9a-0b1c2d3e4f5a⟫)
2024-11-05T09:50:09Z INFO  GET /accounts/password/reset/done/ -> ⟪HTTP/1.1 200 OK⟫
2024-11-05T09:50:10Z INFO  image layer ⟪sha256:«h:64»⟫ pulled (⟪12.4MB⟫)
2024-11-05T09:50:11Z DEBUG passwd=⟦«a:16»⟧ accepted for replication
2024-11-05T09:50:12Z DEBUG pwd: ⟦«a:15»⟧
2024-11-05T09:50:13Z INFO  migration ⟪0012_alter_order_status_20241101_0930⟫ applied
2024-11-05T09:50:14Z INFO  container ⟪«h:64»⟫ healthy
''')

if __name__ == '__main__':
    here = os.path.dirname(os.path.abspath(__file__))
    write(os.path.join(here, '..', 'tests', 'fixtures', 'redaction-corpus'))
