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
