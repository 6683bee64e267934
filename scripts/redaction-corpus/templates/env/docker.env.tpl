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
