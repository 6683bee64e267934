/**
 * The pools the realistic bench corpus draws from (bench/corpus.ts): months, addresses, user agents,
 * paths, log messages, tracebacks, syslog lines and the planted secret lines.
 */

export interface Rng {
  (): number;
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
  hex(n: number): string;
  alnum(n: number): string;
  upper(n: number): string;
  token(n: number): string;
}

export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
export const p2 = (n: number): string => String(n).padStart(2, '0');
export const p3 = (n: number): string => String(n).padStart(3, '0');

export const CLIENT_IPS = Array.from({ length: 40 }, (_, i) =>
  i < 25 ? `10.0.${(i * 7) % 5}.${11 + ((i * 37) % 200)}` : `${[81, 93, 185, 203, 46][i % 5]}.${(i * 53) % 250}.${(i * 29) % 250}.${(i * 17) % 250}`,
);
export const UPSTREAMS = ['172.18.0.5:8000', '172.18.0.6:8000', '172.18.0.7:8000'];
export const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'python-requests/2.32.3',
  'curl/8.5.0',
  'kube-probe/1.30',
  'Prometheus/2.53.0',
  'Go-http-client/1.1',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'okhttp/4.12.0',
  'axios/1.7.7',
];
export const PATHS = [
  '/',
  '/healthz',
  '/readyz',
  '/metrics',
  '/static/css/app.4f2a9c.css',
  '/static/js/main.81be07.js',
  '/favicon.ico',
  '/api/v1/jobs/',
  '/api/v1/jobs/{id}/',
  '/api/v1/jobs/{id}/logs/',
  '/api/v1/jobs/{id}/cancel/',
  '/api/v1/hosts/',
  '/api/v1/hosts/{id}/',
  '/api/v1/images/',
  '/api/v1/schedules/',
  '/api/v1/users/me/',
  '/admin/',
  '/admin/login/',
  '/admin/container_manager/job/',
  '/admin/container_manager/job/{id}/change/',
  '/accounts/login/',
  '/accounts/logout/',
  '/api/v1/jobs/?status=running&page={n}',
  '/api/v1/jobs/?ordering=-created&page={n}',
  '/api/v1/events/?since={id}',
  '/media/reports/{id}.pdf',
  '/ws/jobs/{id}/',
  '/robots.txt',
  '/wp-login.php',
  '/.env',
];
export const METHODS = ['GET', 'GET', 'GET', 'GET', 'GET', 'GET', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'];
export const STATUS = [200, 200, 200, 200, 200, 200, 200, 200, 200, 201, 204, 301, 302, 304, 304, 400, 401, 403, 404, 404, 499, 500, 502, 504];
export const USERS = ['alice', 'bob', 'carol', 'deploy', 'ops-bot', 'mallory', 'svc-scheduler'];
export const HOSTS = ['web-1', 'web-2', 'worker-1', 'worker-2', 'db-1'];
export const TASKS = [
  'container_manager.tasks.run_job',
  'container_manager.tasks.poll_job',
  'container_manager.tasks.cleanup_containers',
  'reports.tasks.send_daily_report',
  'accounts.tasks.send_password_reset_email',
  'billing.tasks.sync_invoices',
];
export const IMAGES = [
  'registry.example.com/app/web:2.14.3',
  'registry.example.com/app/worker:2.14.3',
  'postgres:16.4',
  'redis:7.4-alpine',
  'nginx:1.27-alpine',
  'busybox:1.36',
];
export const LOGGERS = [
  'container_manager.executors.docker',
  'container_manager.views',
  'container_manager.models',
  'accounts.views',
  'django.db.backends',
  'django.security.csrf',
  'reports.views',
];
export const INFO_MESSAGES = [
  'Job {id} queued by user {user} (image {image})',
  'Job {id} started on host {host} in container {cname}',
  'Job {id} finished with exit code 0 after {s}s',
  'Job {id} failed with exit code 137 after {s}s (OOMKilled=true)',
  'Polling {n} running jobs on {host}',
  'Removed {n} stopped containers older than 24h',
  'User {user} logged in from {ip}',
  'Cache miss for schedules:{id}; rebuilding',
  'Slow query ({s}s): SELECT "container_manager_job"."id", "container_manager_job"."status" FROM "container_manager_job" WHERE "container_manager_job"."status" = \'running\'',
  'Forbidden (CSRF cookie not set.): /api/v1/jobs/{id}/cancel/',
  'Pulled image {image} in {s}s',
];
export const TRACEBACKS: readonly (readonly string[])[] = [
  [
    'Traceback (most recent call last):',
    '  File "/usr/local/lib/python3.12/site-packages/django/core/handlers/exception.py", line 55, in inner',
    '    response = get_response(request)',
    '               ^^^^^^^^^^^^^^^^^^^^^',
    '  File "/usr/local/lib/python3.12/site-packages/django/core/handlers/base.py", line 197, in _get_response',
    '    response = wrapped_callback(request, *callback_args, **callback_kwargs)',
    '               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
    '  File "/app/container_manager/views.py", line 212, in job_logs',
    '    container = client.containers.get(job.container_id)',
    '                ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
    '  File "/usr/local/lib/python3.12/site-packages/docker/models/containers.py", line 951, in get',
    '    resp = self.client.api.inspect_container(container_id)',
    'docker.errors.NotFound: 404 Client Error for http+docker://localhost/v1.45/containers/{cid}/json: Not Found ("No such container: {cid}")',
  ],
  [
    'Traceback (most recent call last):',
    '  File "/usr/local/lib/python3.12/site-packages/django/db/backends/utils.py", line 105, in _execute',
    '    return self.cursor.execute(sql, params)',
    '           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
    'psycopg.errors.UniqueViolation: duplicate key value violates unique constraint "container_manager_schedule_name_key"',
    'DETAIL:  Key (name)=(nightly-report) already exists.',
    '',
    'The above exception was the direct cause of the following exception:',
    '',
    'Traceback (most recent call last):',
    '  File "/app/container_manager/views.py", line 88, in create_schedule',
    '    schedule.save()',
    'django.db.utils.IntegrityError: duplicate key value violates unique constraint "container_manager_schedule_name_key"',
  ],
  [
    'Traceback (most recent call last):',
    '  File "/usr/local/lib/python3.12/site-packages/celery/app/trace.py", line 453, in trace_task',
    '    R = retval = fun(*args, **kwargs)',
    '  File "/app/container_manager/tasks.py", line 57, in run_job',
    '    executor.launch(job)',
    '  File "/app/container_manager/executors/docker.py", line 140, in launch',
    '    container = self.client.containers.run(job.image, detach=True, mem_limit=job.memory_limit, labels=labels)',
    'docker.errors.APIError: 500 Server Error for http+docker://localhost/v1.45/containers/create: Internal Server Error ("failed to create task for container: OCI runtime create failed: runc create failed: unable to start container process: exec: \\"/entrypoint.sh\\": permission denied: unknown")',
  ],
];
export const SYSLOG: readonly string[] = [
  'systemd[1]: Started session-{n}.scope - Session {n} of User deploy.',
  'systemd[1]: Starting logrotate.service - Rotate log files...',
  'systemd[1]: logrotate.service: Deactivated successfully.',
  'systemd[1]: Finished logrotate.service - Rotate log files.',
  'systemd-logind[655]: New session {n} of user deploy.',
  'systemd-logind[655]: Session {n} logged out. Waiting for processes to exit.',
  'sshd[{pid}]: Accepted publickey for deploy from {ip} port {port} ssh2: ED25519 SHA256:u8Qz3t7ZkqG2vX0sR9mP4nL1yW6eC5aB8dF2hJ0kM3o',
  'sshd[{pid}]: Invalid user admin from {ip} port {port}',
  'sshd[{pid}]: Connection closed by invalid user admin {ip} port {port} [preauth]',
  'CRON[{pid}]: (root) CMD (/usr/local/bin/collect-bundle collect --quiet --output-dir /var/lib/collect-bundle)',
  'CRON[{pid}]: (deploy) CMD (cd /srv/app && docker compose exec -T web python manage.py clearsessions)',
  'kernel: [{uptime}] br-3f2a9c81d0e4: port 2(veth{veth}) entered forwarding state',
  'kernel: [{uptime}] veth{veth}: renamed from eth0',
  'kernel: [{uptime}] Memory cgroup out of memory: Killed process {pid} (python) total-vm:2048000kB, anon-rss:1023412kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:2200kB oom_score_adj:0',
  'dockerd[812]: time="{iso}" level=info msg="ignoring event" container={cid} module=libcontainerd namespace=moby topic=/tasks/delete type="*events.TaskDelete"',
  'dockerd[812]: time="{iso}" level=warning msg="Health check for container {cid} error: context deadline exceeded"',
  'containerd[701]: time="{iso}" level=info msg="shim disconnected" id={cid} namespace=moby',
  'containerd[701]: time="{iso}" level=info msg="loading plugin \\"io.containerd.event.v1.publisher\\"..." runtime=io.containerd.runc.v2 type=io.containerd.event.v1',
  'systemd-timesyncd[540]: Initial synchronization to time server 185.125.190.56:123 (ntp.ubuntu.com).',
  'rsyslogd[590]: [origin software="rsyslogd" swVersion="8.2312.0" x-pid="590" x-info="https://www.rsyslog.com"] rsyslogd was HUPed',
];

/** The secrets planted in the generated lines (the fixture files bring their own). */
export const SECRET_LINES: readonly ((r: Rng) => string)[] = [
  (r) =>
    `django.db.utils.OperationalError: connection to server at "db" (172.18.0.2), port 5432 failed: FATAL:  password authentication failed for user "app" (DATABASE_URL=postgres://app:${r.token(18)}@db:5432/app)`,
  (r) => `{ip} - - [{clf}] "GET /api/v1/export/?format=csv&token=${r.token(32)} HTTP/1.1" 200 48211 "-" "curl/8.5.0"`,
  (r) =>
    `[{celery}: WARNING/ForkPoolWorker-2] Task accounts.tasks.send_password_reset_email[{uuid}] retry: kwargs={'user_id': 41, 'smtp_password': '${r.token(16)}'}`,
  (r) =>
    `DEBUG {djts} urllib3.connectionpool 41 140234 Resetting dropped connection; headers={'Authorization': 'Bearer ${r.token(40)}', 'Accept': 'application/json'}`,
  (r) => `Environment: AWS_ACCESS_KEY_ID=AKIA${r.upper(16)} AWS_SECRET_ACCESS_KEY=${r.token(40)}`,
  (r) => `git clone https://x-access-token:ghp_${r.alnum(36)}@github.com/example/app.git failed: exit status 128`,
  (r) => `SECRET_KEY=django-insecure-${r.pick(['dz+4(k#7&x!m@q^w%e*r-t_y', 'h8$2k!p^q=z(3m@x#w&r*e+t_u', 'a9!b8@c7#d6$e5%f4^g3&h2*i1'])}${r.alnum(20)}`,
  (r) => `redis.exceptions.AuthenticationError: invalid username-password pair (CELERY_BROKER_URL=redis://:${r.token(24)}@redis:6379/0)`,
];
