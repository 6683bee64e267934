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
