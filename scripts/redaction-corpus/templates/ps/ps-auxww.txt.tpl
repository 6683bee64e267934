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
