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
