⟪2024-11-05 08:59:58,001⟫ INFO supervisord started with pid 1
2024-11-05 08:59:59,004 INFO spawned: 'web' with pid ⟪812⟫
2024-11-05 08:59:59,010 INFO spawned: 'worker' with pid 813
2024-11-05 09:00:00,012 INFO success: web entered RUNNING state, process has stayed up for > than 1 seconds (startsecs)
2024-11-05 09:00:30,100 INFO exited: worker (exit status 1; not expected)
2024-11-05 09:00:31,104 INFO spawned: 'backup' with pid 901
2024-11-05 09:00:31,105 DEBG 'backup' stdout output:
+ pg_dump --dbname=postgresql://backup:⟦«a:20»⟧@pg-primary.prod.internal:5432/shop -Fc -f /backup/shop.dump
2024-11-05 09:00:32,000 DEBG 'backup' stderr output:
+ rclone copy /backup s3:shop-backups --s3-access-key-id ⟦AKIA«u2:16»⟧ --s3-secret-access-key ⟦«b:40»⟧
2024-11-05 09:00:40,000 INFO exited: backup (exit status 0; expected)
