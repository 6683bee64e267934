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
