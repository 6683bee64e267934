[⟪2024-11-05 02:00:00,012⟫: INFO/MainProcess] Connected to amqp://shop:**@⟪rabbitmq.prod.internal:5672⟫/shop
[2024-11-05 02:00:00,031: INFO/MainProcess] mingle: searching for neighbors
[2024-11-05 02:00:01,040: INFO/MainProcess] celery@⟪worker-3f2a1b⟫ ready.
[2024-11-05 02:00:05,101: INFO/MainProcess] Task shop.tasks.sync_crm[⟪d9b2d63d-a233-4123-847a-7c3e0b9b2f11⟫] received
[2024-11-05 02:00:05,322: ERROR/ForkPoolWorker-2] Task shop.tasks.sync_crm[d9b2d63d-a233-4123-847a-7c3e0b9b2f11] raised unexpected: HTTPError('401 Client Error: Unauthorized for url: https://crm.example.net/api/v2/contacts?api_key=⟦«h:32»⟧')
Traceback (most recent call last):
  File "/usr/local/lib/python3.12/site-packages/celery/app/trace.py", line 477, in trace_task
    R = retval = fun(*args, **kwargs)
  File "/srv/app/shop/tasks.py", line 42, in sync_crm
    resp.raise_for_status()
requests.exceptions.HTTPError: 401 Client Error: Unauthorized
[2024-11-05 02:00:06,000: INFO/MainProcess] Task shop.tasks.send_sms[⟪5b1e4f3a-9c2d-4e8f-a1b0-c3d2e1f0a9b8⟫] received
[2024-11-05 02:00:06,420: WARNING/ForkPoolWorker-1] send_sms args=('+4915112345678', 'Your code is 123456') kwargs={'auth_token': '⟦«h:32»⟧', 'sender': 'SHOP'}
[2024-11-05 02:00:07,000: ERROR/ForkPoolWorker-1] Task shop.tasks.export_s3[1f2e3d4c-5b6a-4789-8a0b-1c2d3e4f5a6b] raised unexpected: ClientError("An error occurred (SignatureDoesNotMatch)")
  task args: ['s3://shop-exports/2024/11/', {'aws_access_key_id': '⟦AKIA«u2:16»⟧', 'aws_secret_access_key': '⟦«b:40»⟧'}]
[2024-11-05 02:00:08,000: INFO/Beat] Scheduler: Sending due task nightly-report (shop.tasks.nightly_report)
[2024-11-05 02:00:09,000: CRITICAL/MainProcess] Unrecoverable error: OperationalError('[Errno 111] Connection refused') while connecting to redis://:⟦«a:24»⟧@redis.prod.internal:6379/2
[2024-11-05 02:00:10,000: INFO/MainProcess] secret rotation failed, retrying in 30s
