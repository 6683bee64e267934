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
