[⟪2024-11-05 09:00:00 +0000⟫] [1] [INFO] Starting gunicorn ⟪21.2.0⟫
[2024-11-05 09:00:00 +0000] [1] [INFO] Listening at: http://0.0.0.0:8000 (1)
[2024-11-05 09:00:00 +0000] [1] [INFO] Using worker: gthread
[2024-11-05 09:00:00 +0000] [7] [INFO] Booting worker with pid: ⟪7⟫
[2024-11-05 09:12:31 +0000] [7] [ERROR] Error handling request /api/v1/export?format=csv&access_token=⟦«a:40»⟧
Traceback (most recent call last):
  File "/usr/local/lib/python3.12/site-packages/gunicorn/workers/gthread.py", line 285, in handle
    keepalive = self.handle_request(req, conn)
OSError: [Errno 32] Broken pipe
[2024-11-05 09:13:02 +0000] [7] [WARNING] Invalid request from ip=⟪198.51.100.23⟫: Invalid HTTP request line: 'GET /login?user=admin&password=⟦«a:12»⟧ HTTP/1.1'
[2024-11-05 09:14:00 +0000] [1] [CRITICAL] WORKER TIMEOUT (pid:7)
[2024-11-05 09:14:00 +0000] [7] [INFO] Worker exiting (pid: 7)
[2024-11-05 09:14:01 +0000] [12] [INFO] Booting worker with pid: 12
