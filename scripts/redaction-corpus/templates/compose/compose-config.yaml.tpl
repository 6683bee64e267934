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
