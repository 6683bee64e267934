/**
 * A realistic log corpus for the benchmarks: what a support bundle of a Django + Docker host holds.
 *
 * Lines come in runs from one source at a time (a bundle holds one file per log): nginx access and
 * error logs, Django request lines and `django.request` errors with tracebacks, gunicorn, celery
 * workers, docker json-file lines wrapping app lines, host syslog/journal lines. IPs, paths, user agents,
 * hosts and task names come from small pools, as on a real host; timestamps advance, request IDs and
 * task IDs vary. Secrets appear at a realistic rate (about one line in 2,000). Every file of
 * `tests/fixtures/redaction-corpus/**` (when present) is mixed in whole, in turn, so the rule set meets
 * every file kind of the independent corpus. Deterministic for a seed, so runs are comparable.
 *
 * The point of all this is gzip: random hex IDs compress badly and make `gzip -6` look slow (~35 MB/s)
 * against its ~57 MiB/s on real logs, which flatters the redactor's ratio. `gzipRatio` lets the benches
 * check the corpus compresses like real logs (4-10:1).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';

/** The repository root (bench files run from `dist/bench/`). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** The independent corpus another helper maintains; every file under it is mixed in. */
export const fixtureDir = join(repoRoot, 'tests/fixtures/redaction-corpus');

/** A deterministic pseudo-random source (mulberry32). */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** One fixture file of the independent corpus. */
export interface FixtureFile {
  readonly path: string;
  readonly text: string;
}

/**
 * Every text file under `dir` (recursively), sorted by path; none when the folder does not exist.
 * Files with a NUL byte are left out: the redactor refuses binary content, which is not what we time.
 */
export async function readFixtures(dir = fixtureDir): Promise<FixtureFile[]> {
  let names: string[];
  try {
    names = (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((d) => d.isFile())
      .map((d) => join(d.parentPath, d.name))
      .sort();
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return [];
    throw err;
  }
  const files: FixtureFile[] = [];
  for (const name of names) {
    const buf = await readFile(name);
    if (buf.includes(0)) continue;
    const text = buf.toString('utf8');
    files.push({ path: relative(dir, name), text: text.endsWith('\n') || text === '' ? text : `${text}\n` });
  }
  return files;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');
const p3 = (n: number): string => String(n).padStart(3, '0');

const CLIENT_IPS = Array.from({ length: 40 }, (_, i) => (i < 25 ? `10.0.${(i * 7) % 5}.${11 + ((i * 37) % 200)}` : `${[81, 93, 185, 203, 46][i % 5]}.${(i * 53) % 250}.${(i * 29) % 250}.${(i * 17) % 250}`));
const UPSTREAMS = ['172.18.0.5:8000', '172.18.0.6:8000', '172.18.0.7:8000'];
const USER_AGENTS = [
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
const PATHS = [
  '/', '/healthz', '/readyz', '/metrics', '/static/css/app.4f2a9c.css', '/static/js/main.81be07.js', '/favicon.ico',
  '/api/v1/jobs/', '/api/v1/jobs/{id}/', '/api/v1/jobs/{id}/logs/', '/api/v1/jobs/{id}/cancel/', '/api/v1/hosts/',
  '/api/v1/hosts/{id}/', '/api/v1/images/', '/api/v1/schedules/', '/api/v1/users/me/', '/admin/', '/admin/login/',
  '/admin/container_manager/job/', '/admin/container_manager/job/{id}/change/', '/accounts/login/', '/accounts/logout/',
  '/api/v1/jobs/?status=running&page={n}', '/api/v1/jobs/?ordering=-created&page={n}', '/api/v1/events/?since={id}',
  '/media/reports/{id}.pdf', '/ws/jobs/{id}/', '/robots.txt', '/wp-login.php', '/.env',
];
const METHODS = ['GET', 'GET', 'GET', 'GET', 'GET', 'GET', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'];
const STATUS = [200, 200, 200, 200, 200, 200, 200, 200, 200, 201, 204, 301, 302, 304, 304, 400, 401, 403, 404, 404, 499, 500, 502, 504];
const USERS = ['alice', 'bob', 'carol', 'deploy', 'ops-bot', 'mallory', 'svc-scheduler'];
const HOSTS = ['web-1', 'web-2', 'worker-1', 'worker-2', 'db-1'];
const TASKS = ['container_manager.tasks.run_job', 'container_manager.tasks.poll_job', 'container_manager.tasks.cleanup_containers', 'reports.tasks.send_daily_report', 'accounts.tasks.send_password_reset_email', 'billing.tasks.sync_invoices'];
const IMAGES = ['registry.example.com/app/web:2.14.3', 'registry.example.com/app/worker:2.14.3', 'postgres:16.4', 'redis:7.4-alpine', 'nginx:1.27-alpine', 'busybox:1.36'];
const LOGGERS = ['container_manager.executors.docker', 'container_manager.views', 'container_manager.models', 'accounts.views', 'django.db.backends', 'django.security.csrf', 'reports.views'];
const INFO_MESSAGES = [
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
const TRACEBACKS: readonly (readonly string[])[] = [
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
const SYSLOG: readonly string[] = [
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
const SECRET_LINES: readonly ((r: Rng) => string)[] = [
  (r) => `django.db.utils.OperationalError: connection to server at "db" (172.18.0.2), port 5432 failed: FATAL:  password authentication failed for user "app" (DATABASE_URL=postgres://app:${r.token(18)}@db:5432/app)`,
  (r) => `{ip} - - [{clf}] "GET /api/v1/export/?format=csv&token=${r.token(32)} HTTP/1.1" 200 48211 "-" "curl/8.5.0"`,
  (r) => `[{celery}: WARNING/ForkPoolWorker-2] Task accounts.tasks.send_password_reset_email[{uuid}] retry: kwargs={'user_id': 41, 'smtp_password': '${r.token(16)}'}`,
  (r) => `DEBUG {djts} urllib3.connectionpool 41 140234 Resetting dropped connection; headers={'Authorization': 'Bearer ${r.token(40)}', 'Accept': 'application/json'}`,
  (r) => `Environment: AWS_ACCESS_KEY_ID=AKIA${r.upper(16)} AWS_SECRET_ACCESS_KEY=${r.token(40)}`,
  (r) => `git clone https://x-access-token:ghp_${r.alnum(36)}@github.com/example/app.git failed: exit status 128`,
  (r) => `SECRET_KEY=django-insecure-${r.pick(['dz+4(k#7&x!m@q^w%e*r-t_y', 'h8$2k!p^q=z(3m@x#w&r*e+t_u', 'a9!b8@c7#d6$e5%f4^g3&h2*i1'])}${r.alnum(20)}`,
  (r) => `redis.exceptions.AuthenticationError: invalid username-password pair (CELERY_BROKER_URL=redis://:${r.token(24)}@redis:6379/0)`,
];

interface Rng {
  (): number;
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
  hex(n: number): string;
  alnum(n: number): string;
  upper(n: number): string;
  token(n: number): string;
}

function rng(seed: number): Rng {
  const next = prng(seed);
  const chars = (alphabet: string, n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(next() * alphabet.length)];
    return s;
  };
  return Object.assign(() => next(), {
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    hex: (n: number) => chars('0123456789abcdef', n),
    alnum: (n: number) => chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', n),
    upper: (n: number) => chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', n),
    token: (n: number) => chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', n),
  });
}

/** The kinds of runs, with their weights (share of runs). */
const SOURCES = [
  ['nginx-access', 26],
  ['nginx-error', 4],
  ['django', 16],
  ['gunicorn', 10],
  ['celery', 14],
  ['docker-json', 20],
  ['syslog', 10],
] as const;
type Source = (typeof SOURCES)[number][0];

/** Options of a corpus. */
export interface CorpusOptions {
  readonly seed?: number;
  /** Fixture files mixed in whole, in turn (default: none). */
  readonly fixtures?: readonly FixtureFile[];
  /** Generated bytes between two fixture files (default 192 KiB). */
  readonly fixtureEvery?: number;
  /** One secret line per this many generated lines (default 2,000). */
  readonly secretEvery?: number;
}

/**
 * Yields the corpus as blocks of about 1 MiB of text, without end: the caller stops when it has enough.
 */
export function* corpusBlocks(options: CorpusOptions = {}): Generator<string> {
  const r = rng(options.seed ?? 42);
  const fixtures = options.fixtures ?? [];
  const fixtureEvery = options.fixtureEvery ?? 192 * 1024;
  const secretEvery = options.secretEvery ?? 2000;
  let clock = Date.UTC(2026, 11, 6, 23, 0, 0);
  const cids = Array.from({ length: 12 }, () => r.hex(64));
  const cnames = ['app-web-1', 'app-web-2', 'app-worker-1', 'app-worker-2', 'app-beat-1', 'app-nginx-1', 'app-db-1', 'app-redis-1', 'job-4711', 'job-4712', 'job-4713', 'job-4714'];
  let jobId = 4700;
  let sessionN = 1200;
  let lineNo = 0;
  let sinceFixture = 0;
  let nextFixture = 0;
  let pid = 20_000;
  const uptime = () => `${((clock - Date.UTC(2026, 11, 1)) / 1000).toFixed(6).padStart(12, ' ')}`;
  const d = () => new Date(clock);
  const iso = () => d().toISOString();
  const isoNano = () => `${iso().slice(0, 23)}${p3(r.int(1000))}${p3(r.int(1000))}Z`;
  const clf = () => {
    const t = d();
    return `${p2(t.getUTCDate())}/${MONTHS[t.getUTCMonth()]}/${t.getUTCFullYear()}:${p2(t.getUTCHours())}:${p2(t.getUTCMinutes())}:${p2(t.getUTCSeconds())} +0000`;
  };
  const djts = () => iso().replace('T', ' ').replace('Z', '').replace('.', ',');
  const celery = djts;
  const syslogTs = () => {
    const t = d();
    return `${MONTHS[t.getUTCMonth()]} ${String(t.getUTCDate()).padStart(2, ' ')} ${p2(t.getUTCHours())}:${p2(t.getUTCMinutes())}:${p2(t.getUTCSeconds())}`;
  };
  const uuid = () => `${r.hex(8)}-${r.hex(4)}-4${r.hex(3)}-${r.pick(['8', '9', 'a', 'b'])}${r.hex(3)}-${r.hex(12)}`;
  const path = () =>
    r
      .pick(PATHS)
      .replace('{id}', String(jobId - r.int(300)))
      .replace('{n}', String(1 + r.int(9)));
  const fill = (s: string): string =>
    s.replace(/\{(\w+)\}/g, (_, k: string) => {
      switch (k) {
        case 'id':
          return String(jobId - r.int(50));
        case 'user':
          return r.pick(USERS);
        case 'image':
          return r.pick(IMAGES);
        case 'host':
          return r.pick(HOSTS);
        case 'cname':
          return r.pick(cnames);
        case 'cid':
          return r.pick(cids);
        case 's':
          return (r() * 30).toFixed(3);
        case 'n':
          return String(1 + r.int(40));
        case 'ip':
          return r.pick(CLIENT_IPS);
        case 'port':
          return String(32_768 + r.int(28_000));
        case 'pid':
          return String(pid + r.int(400));
        case 'uptime':
          return uptime();
        case 'veth':
          return r.hex(7);
        case 'iso':
          return iso();
        case 'clf':
          return clf();
        case 'djts':
          return djts();
        case 'celery':
          return celery();
        case 'uuid':
          return uuid();
        default:
          return k;
      }
    });
  const access = (withTiming: boolean): string => {
    const status = r.pick(STATUS);
    const bytes = status === 304 || status === 204 ? 0 : 200 + r.int(40_000);
    const ref = r() < 0.6 ? '-' : `https://app.example.com${r.pick(PATHS).replace(/\{\w+\}/g, '1')}`;
    const base = `${r.pick(CLIENT_IPS)} - ${r() < 0.2 ? r.pick(USERS) : '-'} [${clf()}] "${r.pick(METHODS)} ${path()} HTTP/1.1" ${status} ${bytes} "${ref}" "${r.pick(USER_AGENTS)}"`;
    return withTiming ? `${base} rt=${(r() * 0.4).toFixed(3)} uct="0.000" uht="${(r() * 0.4).toFixed(3)}" urt="${(r() * 0.4).toFixed(3)}"` : base;
  };
  const djangoLines = (): string[] => {
    const x = r();
    if (x < 0.55) return [`[${clf().slice(0, 20).replace(':', ' ')}] "${r.pick(METHODS)} ${path()} HTTP/1.1" ${r.pick(STATUS)} ${r.int(30_000)}`];
    if (x < 0.97) return [`${r.pick(['INFO', 'INFO', 'INFO', 'WARNING', 'DEBUG'])} ${djts()} ${r.pick(LOGGERS)} ${pid} ${140_000_000_000_000 + r.int(1000)} request_id=${uuid()} ${fill(r.pick(INFO_MESSAGES))}`];
    const tb = r.pick(TRACEBACKS).map(fill);
    return [`ERROR ${djts()} django.request ${pid} ${140_000_000_000_000 + r.int(1000)} Internal Server Error: ${path()}`, ...tb];
  };
  const gunicornLines = (): string[] => {
    const x = r();
    if (x < 0.85) return [access(false).replace(/"https:\/\/[^"]*"|"-"(?= ")/, '"-"')];
    const t = `[${iso().slice(0, 19).replace('T', ' ')} +0000] [${pid + r.int(8)}]`;
    return [r.pick([`${t} [INFO] Booting worker with pid: ${pid + r.int(400)}`, `${t} [CRITICAL] WORKER TIMEOUT (pid:${pid + r.int(400)})`, `${t} [INFO] Worker exiting (pid: ${pid + r.int(400)})`, `${t} [INFO] Handling signal: winch`, `${t} [ERROR] Worker (pid:${pid + r.int(400)}) was sent SIGKILL! Perhaps out of memory?`])];
  };
  const celeryLines = (): string[] => {
    const task = r.pick(TASKS);
    const id = uuid();
    const w = `ForkPoolWorker-${1 + r.int(4)}`;
    const x = r();
    if (x < 0.4) return [`[${celery()}: INFO/MainProcess] Task ${task}[${id}] received`, `[${celery()}: INFO/${w}] Task ${task}[${id}] succeeded in ${(r() * 12).toFixed(9)}s: None`];
    if (x < 0.75) return [`[${celery()}: INFO/${w}] ${task}[${id}]: ${fill(r.pick(INFO_MESSAGES))}`];
    if (x < 0.96) return [`[${celery()}: WARNING/${w}] Task ${task}[${id}] retry: Retry in ${r.pick([10, 30, 60, 300])}s: ConnectionError('Error 111 connecting to redis:6379. Connection refused.')`];
    return [`[${celery()}: ERROR/${w}] Task ${task}[${id}] raised unexpected: APIError('500 Server Error: Internal Server Error')`, ...r.pick(TRACEBACKS).map(fill)];
  };
  const lines = (source: Source): string[] => {
    switch (source) {
      case 'nginx-access':
        return [access(true)];
      case 'nginx-error': {
        const client = r.pick(CLIENT_IPS);
        return [
          r.pick([
            `${iso().slice(0, 19).replace(/-/g, '/').replace('T', ' ')} [error] 29#29: *${100_000 + r.int(900_000)} upstream timed out (110: Connection timed out) while reading response header from upstream, client: ${client}, server: app.example.com, request: "GET ${path()} HTTP/1.1", upstream: "http://${r.pick(UPSTREAMS)}${path()}", host: "app.example.com"`,
            `${iso().slice(0, 19).replace(/-/g, '/').replace('T', ' ')} [warn] 29#29: *${100_000 + r.int(900_000)} an upstream response is buffered to a temporary file /var/cache/nginx/proxy_temp/${r.int(10)}/${p2(r.int(100))}/000000${r.int(10_000)} while reading upstream, client: ${client}, server: app.example.com, request: "GET /api/v1/jobs/${jobId}/logs/ HTTP/1.1", upstream: "http://${r.pick(UPSTREAMS)}/api/v1/jobs/${jobId}/logs/", host: "app.example.com"`,
            `${iso().slice(0, 19).replace(/-/g, '/').replace('T', ' ')} [error] 29#29: *${100_000 + r.int(900_000)} open() "/usr/share/nginx/html/wp-login.php" failed (2: No such file or directory), client: ${client}, server: app.example.com, request: "GET /wp-login.php HTTP/1.1", host: "${r.pick(CLIENT_IPS)}"`,
          ]),
        ];
      }
      case 'django':
        return djangoLines();
      case 'gunicorn':
        return gunicornLines();
      case 'celery':
        return celeryLines();
      case 'docker-json': {
        const inner = r() < 0.5 ? djangoLines() : r() < 0.6 ? celeryLines() : gunicornLines();
        const stream = r() < 0.7 ? 'stdout' : 'stderr';
        return inner.map((l) => `{"log":${JSON.stringify(`${l}\n`)},"stream":"${stream}","time":"${isoNano()}"}`);
      }
      case 'syslog': {
        const host = r.pick(HOSTS);
        return [`${syslogTs()} ${host} ${fill(r.pick(SYSLOG).replaceAll('{n}', String(sessionN)))}`];
      }
    }
  };
  const totalWeight = SOURCES.reduce((s, [, w]) => s + w, 0);
  const pickSource = (): Source => {
    let x = r() * totalWeight;
    for (const [name, w] of SOURCES) if ((x -= w) < 0) return name;
    return SOURCES[0][0];
  };

  let source: Source = 'nginx-access';
  let runLeft = 0;
  for (;;) {
    let block = '';
    while (block.length < 1 << 20) {
      if (fixtures.length && sinceFixture >= fixtureEvery) {
        const f = fixtures[nextFixture++ % fixtures.length]!;
        block += f.text;
        sinceFixture = 0;
        continue;
      }
      if (runLeft-- <= 0) {
        source = pickSource();
        runLeft = 20 + r.int(400);
      }
      clock += r.int(r() < 0.9 ? 400 : 8000);
      if (r() < 0.002) jobId++;
      if (r() < 0.001) sessionN++;
      if (r() < 0.0005) pid += 1 + r.int(50);
      const out = ++lineNo % secretEvery === 0 ? [fill(r.pick(SECRET_LINES)(r))] : lines(source);
      for (const l of out) {
        block += `${l}\n`;
        sinceFixture += l.length + 1;
      }
    }
    yield block;
  }
}

/** Writes `bytes` (at least; whole blocks) of corpus to `file`; returns the size written. */
export async function writeCorpus(file: string, bytes: number, options: CorpusOptions = {}): Promise<number> {
  const out = createWriteStream(file, { mode: 0o600 });
  let written = 0;
  for (const block of corpusBlocks(options)) {
    if (written >= bytes) break;
    const part = Buffer.from(block, 'utf8');
    const take = written + part.length > bytes ? part.subarray(0, part.lastIndexOf(0x0a, bytes - written - 1) + 1 || bytes - written) : part;
    written += take.length;
    if (!out.write(take)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return written;
}

/** Compressed size of `file` under gzip level `level` (zlib, the same deflate as gzip(1)). */
export async function gzipSize(file: string, level = 6): Promise<number> {
  let size = 0;
  await pipeline(createReadStream(file), createGzip({ level }), async (src: AsyncIterable<Buffer>) => {
    for await (const c of src) size += c.length;
  });
  return size;
}
