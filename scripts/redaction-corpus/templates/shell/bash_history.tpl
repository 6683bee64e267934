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
