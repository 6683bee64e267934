// Room: core (src/core/) — imports nothing of ours (the rule: tests/architecture.test.ts).
/**
 * The classic diagnostic commands a support engineer asks for, and where a collect-bundle bundle holds
 * their equivalent. TROUBLESHOOTING.md's "Diagnostic Tools" section lists these commands for people who
 * want to run one by hand; tests/docs.test.ts checks that every command shown there is listed here, that
 * each entry's collector exists, and that each artifact really appears in a bundle collected from a real
 * engine and a real Django project. Add an entry only for data a collector really gathers.
 *
 * Placeholders in `command`: CONTAINER (a container name), PROJECT, REGION, SERVICE, JOB (Google Cloud
 * names); `python` is the project's own interpreter. In `artifact`: `<engine>` is the engine's folder
 * (`local`, a context name, `host-port`), `<container>`, `<service>`, `<job>`, `<execution>` the folder
 * or file named after that object.
 */

/** One classic command and its equivalent in the bundle. */
export interface DiagnosticCommand {
  /** The command as a user would type it (argv joined by spaces; copy-pasteable after filling placeholders). */
  readonly command: string;
  /** The collector that gathers the equivalent (a name in `builtinCollectors`). */
  readonly collector: string;
  /** Bundle-relative path of the equivalent, with `<engine>`/`<container>` placeholders. */
  readonly artifact: string;
  /** How the bundle's version differs from the command's own output, when it does. */
  readonly note?: string;
}

export const DIAGNOSTIC_COMMANDS: readonly DiagnosticCommand[] = Object.freeze([
  // system: one systeminformation call each (no processes), plus one `--version` per tool.
  { command: 'uname -a', collector: 'system', artifact: 'system/os.json', note: 'kernel, arch and hostname fields' },
  { command: 'cat /etc/os-release', collector: 'system', artifact: 'system/os.json', note: 'distro, release and codename fields' },
  { command: 'lscpu', collector: 'system', artifact: 'system/cpu.json', note: 'model, cores, physical cores, speed, virtualization' },
  { command: 'uptime', collector: 'system', artifact: 'system/uptime.json', note: 'load averages (1, 5, 15 min) and CPU use per core are in system/load.json' },
  { command: 'free -b', collector: 'system', artifact: 'system/memory.json', note: 'total, available, used, buffers/cache and swap, in bytes' },
  { command: 'df -h', collector: 'system', artifact: 'system/filesystems.json', note: 'size, used, available and use % per mount, in bytes' },
  { command: 'docker --version', collector: 'system', artifact: 'system/versions.json', note: 'with the path of the docker CLI found on PATH' },
  { command: 'python3 --version', collector: 'system', artifact: 'system/versions.json', note: 'the python3 first on PATH (the project may use another: see django/interpreter.json)' },
  { command: 'git --version', collector: 'system', artifact: 'system/versions.json' },
  { command: 'uv --version', collector: 'system', artifact: 'system/versions.json', note: '"not found on PATH" when uv is not installed' },
  { command: 'node --version', collector: 'system', artifact: 'system/versions.json', note: 'the Node.js running collect-bundle' },

  // docker: the Engine API, per engine, the same requests the docker CLI makes.
  { command: 'docker version', collector: 'docker', artifact: 'docker/<engine>/version.json', note: 'the server part, as JSON' },
  { command: 'docker info', collector: 'docker', artifact: 'docker/<engine>/info.json', note: 'as JSON (docker info --format json)' },
  { command: 'docker ps -a', collector: 'docker', artifact: 'docker/<engine>/ps.txt', note: 'plus exit code, OOM-killed, restart count, health and whether it was collected; docker/<engine>/containers.json has the same rows as JSON' },
  { command: 'docker inspect CONTAINER', collector: 'docker', artifact: 'docker/<engine>/containers/<container>/inspect.json', note: 'environment values, passwords in command lines and labels replaced by redaction tags' },
  { command: 'docker logs --timestamps --since 24h --tail 10000 CONTAINER', collector: 'docker', artifact: 'docker/<engine>/containers/<container>/logs.txt', note: 'stdout and stderr in order, each line labelled with its stream; the window follows --since, --tail and --max-log-bytes' },
  { command: 'docker stats --no-stream CONTAINER', collector: 'docker', artifact: 'docker/<engine>/containers/<container>/stats.json', note: 'running containers only; one sample with memory vs limit, CPU %, pids, and the raw counters (CPU throttling included)' },
  { command: 'docker events --since 24h --until 0s', collector: 'docker', artifact: 'docker/<engine>/events.jsonl', note: 'one JSON event per line: die, oom, kill, restart, health_status, pull, ...' },
  { command: 'docker system df -v', collector: 'docker', artifact: 'docker/<engine>/df.json', note: 'images, containers, volumes and build cache with their sizes' },
  { command: 'docker images --digests', collector: 'docker', artifact: 'docker/<engine>/images.json' },
  { command: 'docker network ls', collector: 'docker', artifact: 'docker/<engine>/networks.json', note: 'each network in full (driver, IPAM, options), as docker network inspect shows it' },
  { command: 'docker volume ls', collector: 'docker', artifact: 'docker/<engine>/volumes.json' },

  // django: with the project's own interpreter (see django/interpreter.json), in the project directory.
  { command: 'python -c "import sys; print(sys.executable)"', collector: 'django', artifact: 'django/interpreter.json', note: 'which interpreter was chosen and why, and the ones that were considered' },
  { command: 'python -m django --version', collector: 'django', artifact: 'django/versions.json', note: 'with the Python version and the settings module' },
  { command: 'python manage.py check', collector: 'django', artifact: 'django/check.txt', note: 'the same messages, by id, in django/checks.json' },
  { command: 'python manage.py check --deploy', collector: 'django', artifact: 'django/check-deploy.txt' },
  { command: 'python manage.py check --database default', collector: 'django', artifact: 'django/check-database.txt', note: 'every reachable database alias; django/databases.json has a read-only connection test per alias' },
  { command: 'python manage.py showmigrations', collector: 'django', artifact: 'django/showmigrations.txt', note: 'applied and unapplied migrations per app are also in django/migrations.json' },
  { command: 'python manage.py makemigrations --check --dry-run', collector: 'django', artifact: 'django/makemigrations-check.txt', note: 'writes no migration file; conflicts and model changes without a migration are in django/migrations.json' },
  { command: 'python manage.py migrate --plan', collector: 'django', artifact: 'django/migrate-plan.txt', note: 'applies nothing' },
  { command: 'python manage.py diffsettings', collector: 'django', artifact: 'django/diffsettings.txt', note: 'values under secret-looking names and passwords in URLs are masked before they are printed' },
  {
    command: `python manage.py shell -c "from django.db.models import Count; from container_manager.models import ContainerJob; print(list(ContainerJob.objects.values('status').annotate(n=Count('pk')).order_by('status')))"`,
    collector: 'django',
    artifact: 'django/container-manager.json',
    note: 'job counts per status and per executor host, the oldest pending and running job with its age, the latest failed jobs',
  },
  {
    command: `python manage.py shell -c "from container_manager.models import ExecutorHost; print(list(ExecutorHost.objects.values('name', 'executor_type', 'is_active')))"`,
    collector: 'django',
    artifact: 'django/container-manager.json',
    note: 'every executor host with its type and whether it is active (tokens masked)',
  },

  // cloudrun: gcloud's read-only commands, each with a timeout, when gcloud is on PATH and a project and region are known.
  { command: 'gcloud run services list --project PROJECT --region REGION --format=json', collector: 'cloudrun', artifact: 'cloudrun/services.json' },
  { command: 'gcloud run jobs list --project PROJECT --region REGION --format=json', collector: 'cloudrun', artifact: 'cloudrun/jobs.json', note: 'cloudrun/summary.json has each job with its latest execution' },
  { command: 'gcloud run services describe SERVICE --project PROJECT --region REGION --format=json', collector: 'cloudrun', artifact: 'cloudrun/services/<service>.json', note: 'environment values replaced by redaction tags' },
  { command: 'gcloud run revisions list --service SERVICE --limit=10 --project PROJECT --region REGION --format=json', collector: 'cloudrun', artifact: 'cloudrun/revisions/<service>.json', note: 'status, conditions, timeout and resources of the newest revisions' },
  { command: 'gcloud run jobs executions list --job JOB --limit=10 --project PROJECT --region REGION --format=json', collector: 'cloudrun', artifact: 'cloudrun/executions/<job>.json' },
  {
    command: `gcloud logging read 'resource.type="cloud_run_job" AND resource.labels.job_name="JOB"' --project PROJECT --limit=200 --freshness=7d --format=json`,
    collector: 'cloudrun',
    artifact: 'cloudrun/logs/<execution>.jsonl',
    note: 'for the newest failed executions only, each narrowed to its execution and region',
  },
]);
