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
