# m h  dom mon dow   command
SHELL=/bin/bash
MAILTO=ops@example.com
PATH=/usr/local/bin:/usr/bin:/bin
BACKUP_PASSPHRASE=⟦«a:24»⟧
*/5 * * * * curl -fsS -m 10 --retry 5 -o /dev/null https://hc-ping.com/⟪eb095278-f28d-448d-87fb-7b75c171a6aa⟫
0 3 * * * PGPASSWORD='⟦«a:20»⟧' pg_dump -h pg-primary.prod.internal -U backup shop | gzip > /backup/shop-$(date +\%F).sql.gz
15 3 * * * mysqldump -u backup -p'⟦«a:9»!«a:6»⟧' --all-databases > /backup/all.sql 2>> /var/log/backup.log
30 3 * * * /usr/bin/restic -r s3:s3.amazonaws.com/shop-restic backup /srv --password-file /etc/restic/pass
45 3 * * * curl -s -u monitor:⟦«a:16»⟧ -X POST https://status.example.com/api/heartbeat
0 4 * * 0 /srv/app/.venv/bin/python /srv/app/manage.py clearsessions
0 5 * * * docker run --rm -e AWS_SECRET_ACCESS_KEY=⟦«b:40»⟧ amazon/aws-cli s3 sync /backup s3://shop-backups
@reboot /usr/local/bin/tunnel --token ⟦eyJhIjoi«b:120»⟧ run
