// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * The Python code collect-bundle runs in the project's interpreter, as string constants (tsc does not
 * copy .py files to dist/). Both print one JSON document between markers, so stray prints from settings
 * or apps cannot break the parsing. Both only read: no migrations, no writes, no files created (the
 * collector also sets PYTHONDONTWRITEBYTECODE, so not even __pycache__ appears in the project).
 */

/** Marks the start of the JSON document in a probe's stdout. */
export const BEGIN_MARKER = '<<<collect-bundle:json>>>';
/** Marks its end. */
export const END_MARKER = '<<<collect-bundle:end>>>';

/**
 * Which Python this is and whether it can import Django. Short enough to pass in argv, so the
 * manifest shows exactly what ran; needs no project code and no settings.
 */
export const INTERPRETER_PROBE = `import json, os, sys
BEGIN, END = '${BEGIN_MARKER}', '${END_MARKER}'
info = {'executable': sys.executable, 'realExecutable': os.path.realpath(sys.executable), 'version': sys.version.split()[0],
        'implementation': getattr(getattr(sys, 'implementation', None), 'name', 'unknown'),
        'prefix': sys.prefix, 'basePrefix': getattr(sys, 'base_prefix', sys.prefix)}
info['virtualEnv'] = info['prefix'] != info['basePrefix']
try:
    import django
    info['django'] = {'version': django.get_version(), 'path': os.path.dirname(django.__file__)}
except Exception as exc:
    info['djangoError'] = '%s: %s' % (type(exc).__name__, exc)
sys.stdout.write('\\n' + BEGIN + json.dumps(info) + END + '\\n')
`;

/**
 * Python that runs the project's manage.py as `manage.py <command>` (its own preamble: default settings
 * module, sys.path, .env loading) with Django's command dispatch replaced by `probe_main`.
 */
const runManagePy = (command: string): string => String.raw`def run_manage_py():
    import runpy
    import django.core.management as management
    here = os.getcwd()
    if sys.path[:1] != [here]:
        sys.path.insert(0, here)
    sys.argv = [os.path.join(here, 'manage.py'), '${command}']
    management.execute_from_command_line = probe_main
    runpy.run_path(sys.argv[0], run_name='__main__')
`;

/**
 * Which setting names hold secrets, in Python, shared by the state probe (which masks them) and the
 * secrets probe (which names them to the redactor), so the two can never disagree.
 */
const SECRET_NAMES_PY = String.raw`# Key names whose values are secrets. Wider than the bundle's line rules on purpose: any name with
# KEY in it counts, unless its last word says it is metadata about a key (KEY_PREFIX, KEY_FUNCTION).
SECRET_WORDS = {
    'password', 'passwd', 'pass', 'pwd', 'passphrase', 'secret', 'secrets', 'token', 'tokens', 'key',
    'keys', 'apikey', 'dsn', 'credential', 'credentials', 'privatekey', 'signature', 'sessionid', 'cookie',
}
METADATA_LAST_WORDS = {
    'name', 'names', 'prefix', 'function', 'func', 'class', 'classes', 'backend', 'backends', 'hashers',
    'hasher', 'validators', 'validator', 'timeout', 'age', 'expiry', 'expires', 'expiration', 'ttl',
    'lifetime', 'length', 'len', 'min', 'max', 'samesite', 'secure', 'httponly', 'domain', 'path', 'file',
    'dir', 'header', 'headers', 'field', 'fields', 'id', 'type', 'algorithm', 'algorithms', 'format', 'mode',
    'enabled', 'policy', 'required', 'count', 'limit', 'version', 'module', 'model', 'url', 'used',
}

def key_words(name):
    s = re.sub(r'([a-z0-9])([A-Z])', r'\1 \2', str(name))
    s = re.sub(r'([A-Z]+)([A-Z][a-z])', r'\1 \2', s)
    return [w.lower() for w in re.split(r'[^A-Za-z0-9]+', s) if w]


def secret_name(name):
    words = key_words(name)
    if not words or words[-1] in METADATA_LAST_WORDS:
        return False
    return any(w in SECRET_WORDS or w.endswith(('password', 'secret', 'token', 'apikey')) for w in words)
`;

/** Finds the container_manager app (by label, or a dotted name ending in it); shared by the probes. */
const CONTAINER_MANAGER_APP_PY = String.raw`
def container_manager_app(apps):
    for candidate in apps.get_app_configs():
        if candidate.label == 'container_manager' or candidate.name.split('.')[-1] == 'container_manager':
            return candidate
    return None
`;

/**
 * The Django probe: run as `python -c STATE_PROBE_BOOTSTRAP` with the code in the environment variable
 * STATE_PROBE_ENV, in the project directory. It runs manage.py itself (so its default settings module,
 * sys.path changes and .env loading apply) with Django's execute_from_command_line replaced by the probe.
 * Reads versions, database reachability (never creating a missing SQLite file), system checks, migration
 * state, settings (diffsettings form, secrets replaced before printing) and container_manager status.
 * Database reads happen in rolled-back transactions that are read-only where the database supports it.
 * Its markers are spelled out in the Python code: they must stay equal to BEGIN_MARKER and END_MARKER.
 */
export const STATE_PROBE = String.raw`# collect-bundle's Django probe. Read-only: it runs manage.py's own preamble (default settings module,
# sys.path, .env loading) and then, in place of a management command, reads versions, databases,
# system checks, migration state, settings and container_manager status, and prints them as one JSON
# document between markers (so stray prints from settings cannot break it). Values under secret-looking
# names and passwords in URLs are replaced here, before anything is printed.
import json
import os
import re
import sys
import time
import traceback

BEGIN = '<<<collect-bundle:json>>>'
END = '<<<collect-bundle:end>>>'
MASK = '*' * 8
LIMIT = int(os.environ.get('COLLECT_BUNDLE_FAILED_JOBS') or '20')

${SECRET_NAMES_PY}
${CONTAINER_MANAGER_APP_PY}
URL_USERINFO = re.compile(r'(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@\'"]*:)([^\s@/\'"]+)@')
# A string literal in a line of source code.
STRING_LITERAL = re.compile(r'(?P<prefix>\b[bBrRuUfF]{1,2})?(?P<quote>\'\'\'|"""|\'|")(?P<body>.*?)(?<!\\)(?P=quote)')


def mask_text(text):
    return URL_USERINFO.sub(lambda m: m.group(1) + MASK + '@', text)


class Shown(object):
    """A value shown by its (already masked) repr."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text


def mask(value, secret=False):
    """A copy of a settings value with secrets replaced by MASK, keeping its shape."""
    if isinstance(value, dict):
        return dict((k, mask(v, secret or secret_name(k))) for k, v in value.items())
    if isinstance(value, tuple) and hasattr(value, '_fields'):  # a namedtuple: shown by its repr
        return MASK if secret else Shown(mask_text(repr(value)))
    if isinstance(value, (list, tuple)):
        return type(value)(mask(v, secret) for v in value)
    if isinstance(value, (set, frozenset)):
        return Shown(repr(sorted((mask(v, secret) for v in value), key=repr)))
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if secret:
        return MASK if (value or value == 0) else value
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, bytes):
        return Shown(mask_text(repr(value)))
    return Shown(mask_text(repr(value)))


def mask_source_line(line):
    """A line of a traceback: string literals on a line that names a secret are replaced."""
    line = mask_text(line)
    names = re.findall(r'[A-Za-z_][A-Za-z0-9_]*', line)
    if any(secret_name(n) for n in names):
        line = STRING_LITERAL.sub(lambda m: (m.group('prefix') or '') + m.group('quote') + MASK + m.group('quote'), line)
    return line


def masked_traceback():
    return '\n'.join(mask_source_line(l) for l in traceback.format_exc().rstrip('\n').split('\n'))


def one_line(exc):
    text = '%s: %s' % (type(exc).__name__, exc)
    return mask_text(' '.join(text.split()))


def failure(exc):
    return {'error': one_line(exc), 'traceback': masked_traceback()}


def iso(value):
    return value.isoformat() if hasattr(value, 'isoformat') else value


def plain(value):
    """A JSON-safe form of a database value."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, 'isoformat'):
        return value.isoformat()
    return str(value)


def section(out, name, fn):
    try:
        out[name] = fn()
    except Exception as exc:  # one section failing must not lose the others
        out[name] = failure(exc)


def probe_main(argv=None):
    out = {'probe': 'django-state', 'version': 1}
    try:
        import django
        from django.conf import settings
        out['settingsModule'] = os.environ.get('DJANGO_SETTINGS_MODULE')
        guard_sqlite()
        django.setup()
        settings.INSTALLED_APPS  # noqa: B018 (forces the settings module to load)
    except BaseException as exc:  # SyntaxError, ImportError, ImproperlyConfigured, SystemExit, ...
        out['settingsError'] = dict(failure(exc), type=type(exc).__name__)
        emit(out)
        sys.exit(1)
    out['django'] = {'version': django.get_version(), 'path': os.path.dirname(django.__file__)}
    out['python'] = {'version': sys.version.split()[0], 'executable': sys.executable}
    out['installedApps'] = len(settings.INSTALLED_APPS)
    out['debug'] = bool(getattr(settings, 'DEBUG', False))
    out['databaseRouters'] = len(getattr(settings, 'DATABASE_ROUTERS', None) or [])
    section(out, 'databases', databases)
    reachable = [d['alias'] for d in out['databases'] if d.get('reachable')] if isinstance(out['databases'], list) else []
    section(out, 'checks', lambda: checks(reachable))
    section(out, 'migrations', lambda: migrations('default' in reachable))
    section(out, 'diffsettings', diffsettings)
    section(out, 'containerManager', lambda: container_manager(reachable))
    emit(out)


def emit(out):
    sys.stdout.write('\n' + BEGIN + json.dumps(out, default=str) + END + '\n')
    sys.stdout.flush()


def guard_sqlite():
    # Defence in depth: our queries only read, and SQLite connections are made read-only as well.
    # (Not done for PostgreSQL/MySQL sessions: behind a pooler a session setting would outlive us;
    # those get a read-only *transaction* in read_only() instead.)
    from django.db.backends.signals import connection_created

    def on_connect(sender, connection, **kwargs):
        if connection.vendor == 'sqlite':
            connection.connection.execute('PRAGMA query_only = ON')

    connection_created.connect(on_connect, weak=False)


class read_only(object):
    """A transaction that is read-only where the database supports it, and always rolled back."""

    def __init__(self, alias):
        from django.db import transaction
        self.alias = alias
        self.atomic = transaction.atomic(using=alias)

    def __enter__(self):
        from django.db import connections
        self.atomic.__enter__()
        connection = connections[self.alias]
        if connection.vendor in ('postgresql', 'mysql'):
            with connection.cursor() as cursor:
                cursor.execute('SET TRANSACTION READ ONLY')
        return connection

    def __exit__(self, *exc):
        from django.db import transaction
        transaction.set_rollback(True, using=self.alias)
        return self.atomic.__exit__(*exc)


def databases():
    from django.conf import settings
    from django.db import connections
    result = []
    for alias, cfg in settings.DATABASES.items():
        connection = connections[alias]
        entry = {
            'alias': alias,
            'engine': cfg.get('ENGINE'),
            'vendor': connection.vendor,
            'name': mask_text(str(cfg.get('NAME'))) if cfg.get('NAME') is not None else None,
            'host': mask_text(str(cfg.get('HOST') or '')) or None,
            'port': str(cfg.get('PORT') or '') or None,
            'user': cfg.get('USER') or None,
            'passwordSet': bool(cfg.get('PASSWORD')),
            'options': mask(cfg.get('OPTIONS') or {}),
            'connMaxAge': cfg.get('CONN_MAX_AGE'),
            'atomicRequests': cfg.get('ATOMIC_REQUESTS'),
        }
        entry.update(reach(alias))
        result.append(entry)
    return result


def reach(alias):
    from django.db import connections
    connection = connections[alias]
    cfg = connection.settings_dict
    began = time.time()
    if connection.vendor == 'sqlite':
        name = str(cfg.get('NAME') or '')
        if name and name != ':memory:' and not name.startswith('file:') and 'mode=memory' not in name and not os.path.exists(name):
            # Connecting would create an empty database file: say so instead.
            return {'reachable': False, 'sqliteFileMissing': True, 'error': 'database file %s does not exist (not created: collect-bundle only reads)' % name}
    if connection.vendor in ('postgresql', 'mysql'):
        cfg.setdefault('OPTIONS', {}).setdefault('connect_timeout', 10)
    try:
        with read_only(alias) as conn:
            with conn.cursor() as cursor:
                cursor.execute('SELECT 1 FROM DUAL' if conn.vendor == 'oracle' else 'SELECT 1')
                cursor.fetchone()
        entry = {'reachable': True, 'durationMs': int((time.time() - began) * 1000)}
        version = server_version(connection)
        if version:
            entry['serverVersion'] = version
        return entry
    except Exception as exc:
        return {'reachable': False, 'durationMs': int((time.time() - began) * 1000), 'error': one_line(exc)}


def server_version(connection):
    try:
        if hasattr(connection, 'get_database_version'):
            return '.'.join(str(p) for p in connection.get_database_version())
        if connection.vendor == 'sqlite':
            import sqlite3
            return sqlite3.sqlite_version
        if connection.vendor == 'postgresql':
            return str(connection.pg_version)
        if connection.vendor == 'mysql':
            return '.'.join(str(p) for p in connection.mysql_version)
    except Exception:
        return None
    return None


LEVELS = {10: 'DEBUG', 20: 'INFO', 30: 'WARNING', 40: 'ERROR', 50: 'CRITICAL'}


def message(m):
    from django.db import models
    if m.obj is None:
        obj = None
    elif isinstance(m.obj, models.base.ModelBase):
        obj = m.obj._meta.label
    else:
        obj = str(m.obj)
    return {
        'id': m.id, 'level': LEVELS.get(m.level, str(m.level)), 'object': obj, 'message': m.msg,
        'hint': m.hint, 'silenced': m.is_silenced(),
    }


def summary(messages):
    counts = {}
    for m in messages:
        if not m['silenced']:
            counts[m['level']] = counts.get(m['level'], 0) + 1
    return {'messages': messages, 'counts': counts, 'silenced': sum(1 for m in messages if m['silenced'])}


def checks(reachable):
    from django.core import checks as checks_module
    from django.core.checks import Tags
    result = {}
    section(result, 'check', lambda: summary([message(m) for m in checks_module.run_checks()]))
    section(result, 'deploy', lambda: summary([message(m) for m in checks_module.run_checks(include_deployment_checks=True)]))
    if reachable:
        try:
            found = checks_module.run_checks(tags=[Tags.database], databases=reachable)
        except TypeError:  # Django < 3.1: database checks take no databases argument
            found = checks_module.run_checks(tags=[Tags.database])
        result['database'] = dict(summary([message(m) for m in found]), databases=reachable)
    return result


def migrations(default_reachable):
    from django.db import connections
    from django.db.migrations.loader import MigrationLoader
    if default_reachable:
        with read_only('default') as connection:
            return migration_state(MigrationLoader(connection, ignore_no_migrations=True), connection)
    result = migration_state(MigrationLoader(None, ignore_no_migrations=True), None)
    result['note'] = 'the default database is not reachable: applied is null (unknown)'
    return result


def migration_state(loader, connection):
    graph = loader.graph
    applied = loader.applied_migrations if connection is not None else None
    apps = {}
    unapplied = {}
    for app in sorted(set(key[0] for key in graph.nodes)):
        shown = []
        seen = set()
        for leaf in sorted(graph.leaf_nodes(app)):
            for node in graph.forwards_plan(leaf):
                if node in seen or node[0] != app:
                    continue
                seen.add(node)
                migration = graph.nodes[node]
                entry = {'name': node[1], 'applied': None if applied is None else node in applied}
                record = applied.get(node) if isinstance(applied, dict) else None
                if record is not None and getattr(record, 'applied', None) is not None:
                    entry['appliedAt'] = iso(record.applied)
                if getattr(migration, 'replaces', None):
                    entry['replaces'] = ['%s.%s' % r for r in migration.replaces]
                shown.append(entry)
        apps[app] = shown
        if applied is not None:
            unapplied[app] = sum(1 for e in shown if not e['applied'])
    conflicts = dict((app, sorted(names)) for app, names in loader.detect_conflicts().items())
    result = {
        'database': 'default' if connection is not None else None,
        'apps': apps,
        'unapplied': None if applied is None else {'total': sum(unapplied.values()), 'byApp': dict((a, n) for a, n in unapplied.items() if n)},
        'conflicts': conflicts,
        'unmigratedApps': sorted(loader.unmigrated_apps),
    }
    if applied is not None:
        result['appliedButMissing'] = sorted('%s.%s' % key for key in applied if key not in graph.nodes)
        if not conflicts:
            from django.db.migrations.executor import MigrationExecutor
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
            result['plan'] = [{'migration': '%s.%s' % (m.app_label, m.name), 'backwards': bool(b)} for m, b in plan]
    if conflicts:
        result['pendingModelChanges'] = None
        result['pendingModelChangesNote'] = 'not computed: conflicting migrations (makemigrations refuses too)'
    else:
        section(result, 'pendingModelChanges', lambda: model_changes(loader))
    return result


def model_changes(loader):
    from django.apps import apps
    from django.db.migrations.autodetector import MigrationAutodetector
    from django.db.migrations.questioner import NonInteractiveMigrationQuestioner
    from django.db.migrations.state import ProjectState
    autodetector = MigrationAutodetector(
        loader.project_state(),
        ProjectState.from_apps(apps),
        NonInteractiveMigrationQuestioner(specified_apps=None, dry_run=True),
    )
    changes = autodetector.changes(graph=loader.graph)
    return dict(
        (app, [{'migration': m.name, 'operations': [op.describe() for op in m.operations]} for m in found])
        for app, found in sorted(changes.items())
    )


def diffsettings():
    from django.conf import global_settings, settings

    def module_to_dict(module):
        return dict((k, getattr(module, k)) for k in dir(module) if k.isupper() and not k.startswith('_'))

    user = module_to_dict(settings._wrapped)
    default = module_to_dict(global_settings)
    lines = []
    for key in sorted(user):
        shown = repr(mask(user[key], secret_name(key)))
        if key not in default:
            lines.append('%s = %s  ###' % (key, shown))
        elif repr(user[key]) != repr(default[key]):
            lines.append('%s = %s' % (key, shown))
    return lines


PENDING = ('pending', 'queued', 'waiting')
RUNNING = ('running', 'started', 'in_progress')
FAILED = ('failed', 'failure', 'error', 'errored', 'timeout', 'timed_out', 'timed-out')
CREATED_NAMES = ('created_at', 'created', 'created_on', 'submitted_at', 'queued_at', 'date_created')
STARTED_NAMES = ('started_at', 'start_time', 'started')
FINISHED_NAMES = ('completed_at', 'finished_at', 'ended_at', 'failed_at', 'end_time', 'updated_at', 'modified_at', 'modified')
JOB_FIELD = re.compile(r'^(id|uuid|name|job_name|status|state)$|exit|return_?code|error|fail|reason|exception|image|executor|host|duration|attempt|retr', re.I)
NEVER = re.compile(r'env|secret|passw|token|credential|key|command|args|payload|config|setting|cookie', re.I)


def container_manager(reachable):
    from django.apps import apps
    config = container_manager_app(apps)
    if config is None:
        return {'installed': False, 'note': 'the container_manager app is not in INSTALLED_APPS'}
    models = list(config.get_models())
    job = pick_model(models, 'ContainerJob', lambda m: 'job' in m.__name__.lower() and status_field(m))
    host = pick_model(models, 'ExecutorHost', lambda m: 'executor' in m.__name__.lower() or 'host' in m.__name__.lower())
    result = {
        'installed': True, 'app': config.name, 'label': config.label,
        'models': dict((m.__name__, describe_model(m)) for m in models),
        'jobModel': job.__name__ if job else None, 'executorHostModel': host.__name__ if host else None,
    }
    if job is not None:
        section(result, 'jobs', lambda: jobs(job, host, reachable))
    if host is not None:
        section(result, 'executorHosts', lambda: executor_hosts(host, reachable))
    return result


def pick_model(models, name, fallback):
    for m in models:
        if m.__name__ == name:
            return m
    for m in models:
        if fallback(m):
            return m
    return None


def status_field(model):
    for name in ('status', 'state'):
        try:
            return model._meta.get_field(name)
        except Exception:
            pass
    return None


def describe_model(model):
    return {
        'table': model._meta.db_table,
        # 'name (Type)' strings rather than {name: type}: a line rule would read "auth_token": "CharField"
        # as a secret and its value.
        'fields': ['%s (%s)' % (f.name, f.get_internal_type()) for f in model._meta.concrete_fields],
    }


def existing_fields(model, alias):
    """The model's concrete fields whose columns exist in the database (migrations may be missing)."""
    from django.db import connections
    connection = connections[alias]
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if model._meta.db_table not in tables:
            raise LookupError('table %s does not exist in database %r (migrations not applied?)' % (model._meta.db_table, alias))
        columns = set(c.name for c in connection.introspection.get_table_description(cursor, model._meta.db_table))
    present = [f for f in model._meta.concrete_fields if f.column in columns]
    missing = [f.name for f in model._meta.concrete_fields if f.column not in columns]
    return present, missing


def database_for(model, reachable):
    from django.db import router
    alias = router.db_for_read(model) or 'default'
    if alias not in reachable:
        raise LookupError('database %r is not reachable (see databases.json)' % alias)
    return alias


def first(fields, names, types=None):
    by_name = dict((f.name, f) for f in fields)
    for name in names:
        if name in by_name:
            return by_name[name]
    if types:
        for f in fields:
            if f.get_internal_type() in types and getattr(f, 'auto_now_add', False):
                return f
    return None


def row(values, fields):
    out = {}
    for f in fields:
        value = values.get(f.attname)
        if isinstance(value, str):
            value = mask_text(value[:2000] + ('...' if len(value) > 2000 else ''))
        out[f.attname] = plain(value)
    return out


def age_of(row_value):
    from django.utils import timezone
    if row_value is None:
        return None
    now = timezone.now()
    if timezone.is_naive(row_value) and timezone.is_aware(now):
        now = timezone.make_naive(now)
    return int((now - row_value).total_seconds())


def jobs(model, host, reachable):
    from django.db.models import Count
    alias = database_for(model, reachable)
    with read_only(alias):
        fields, missing = existing_fields(model, alias)
        status = status_field(model)
        if status is None or status not in fields:
            raise LookupError('%s has no status column' % model.__name__)
        manager = model._default_manager.using(alias)
        counts = dict((r[status.attname], r['n']) for r in manager.order_by().values(status.attname).annotate(n=Count('pk')))
        for value, _label in (status.choices or []):
            counts.setdefault(value, 0)
        created = first(fields, CREATED_NAMES, ('DateTimeField',))
        started = first(fields, STARTED_NAMES)
        finished = first(fields, FINISHED_NAMES)
        shown = [f for f in fields if (JOB_FIELD.search(f.name) or f.get_internal_type() in ('DateTimeField', 'DateField')) and not NEVER.search(f.name)]
        if model._meta.pk not in shown:
            shown.insert(0, model._meta.pk)
        attnames = [f.attname for f in shown]
        result = {
            'database': alias,
            'statusField': status.name,
            'total': sum(counts.values()),
            'countsByStatus': counts,
            'missingColumns': missing,
            'fieldsShown': attnames,
        }
        values = list(counts)

        def oldest(states, when):
            chosen = [s for s in values if str(s).lower() in states]
            if not chosen or when is None:
                return None
            found = manager.filter(**{status.attname + '__in': chosen}).exclude(**{when.attname + '__isnull': True}).order_by(when.attname).values(*attnames).first()
            if not found:
                return None
            entry = row(found, shown)
            entry['ageSeconds'] = age_of(found.get(when.attname))
            entry['ageFrom'] = when.name
            return entry

        result['oldestPending'] = oldest(PENDING, created)
        result['oldestRunning'] = oldest(RUNNING, started or created)
        failed_states = [s for s in values if str(s).lower() in FAILED]
        order = [f.attname for f in (finished, created) if f is not None] or [model._meta.pk.attname]
        latest = manager.filter(**{status.attname + '__in': failed_states}).order_by(*['-' + o for o in order]).values(*attnames)[:LIMIT] if failed_states else []
        result['latestFailed'] = [row(r, shown) for r in latest]
        fk = None
        if host is not None:
            for f in fields:
                if getattr(f, 'related_model', None) is host:
                    fk = f
                    break
        if fk is not None:
            by_host = {}
            for r in manager.order_by().values(fk.attname, status.attname).annotate(n=Count('pk')):
                by_host.setdefault(str(r[fk.attname]), {})[r[status.attname]] = r['n']
            result['countsByExecutorHost'] = by_host
        return result


def executor_hosts(model, reachable):
    alias = database_for(model, reachable)
    with read_only(alias):
        fields, missing = existing_fields(model, alias)
        shown = [f for f in fields if not re.search(r'env', f.name, re.I)]
        type_field = first(shown, ('executor_type', 'host_type', 'type', 'kind', 'backend'))
        active_field = first(shown, ('is_active', 'active', 'enabled', 'is_enabled'))
        rows = []
        for values in model._default_manager.using(alias).order_by('pk').values(*[f.attname for f in shown])[:200]:
            entry = {}
            for f in shown:
                value = values.get(f.attname)
                if secret_name(f.name) and value not in (None, ''):
                    value = MASK
                elif isinstance(value, (dict, list)):
                    value = mask(value)
                elif isinstance(value, str):
                    value = mask_text(value)
                entry[f.attname] = plain(value) if not isinstance(value, (dict, list)) else value
            rows.append(entry)
        return {
            'database': alias,
            'typeField': type_field.name if type_field else None,
            'activeField': active_field.name if active_field else None,
            'missingColumns': missing,
            'hosts': rows,
        }


${runManagePy('collect-bundle-probe')}

run_manage_py()
`;

/** Where STATE_PROBE travels: an environment variable, so the manifest's argv stays short and readable. */
export const STATE_PROBE_ENV = 'COLLECT_BUNDLE_CODE';

/** The `-c` argument that runs STATE_PROBE (recorded in the manifest as the command). */
export const STATE_PROBE_BOOTSTRAP = `import os; exec(os.environ['${STATE_PROBE_ENV}'])  # collect-bundle django probe (read-only)`;

/** The JSON document a probe printed between the markers, or undefined when there is none. */
export function extractJson<T = unknown>(stdout: string): T | undefined {
  const begin = stdout.lastIndexOf(BEGIN_MARKER);
  if (begin === -1) return undefined;
  const end = stdout.indexOf(END_MARKER, begin);
  if (end === -1) return undefined;
  try {
    return JSON.parse(stdout.slice(begin + BEGIN_MARKER.length, end)) as T;
  } catch {
    return undefined;
  }
}

/**
 * The secrets probe: loads the settings the way manage.py does and prints the values the bundle must
 * never show anywhere (values under secret-looking setting names, nested ones too, and passwords in
 * URLs), between the same markers. It runs before any collector collects, so a database password
 * echoed in a container's log is removed too. Nothing is written; the values stay in memory.
 */
export const SECRETS_PROBE = String.raw`import json, os, re, sys
from urllib.parse import unquote
BEGIN = '<<<collect-bundle:json>>>'
END = '<<<collect-bundle:end>>>'
${SECRET_NAMES_PY}

URL_PASSWORD = re.compile(r'(?i)\b[a-z][a-z0-9+.-]*://[^\s:/@\'"]*:([^\s@/\'"]+)@')

def walk(value, secret, out, depth=0):
    if depth > 8:
        return
    if isinstance(value, dict):
        for k, v in value.items():
            walk(v, secret or secret_name(k), out, depth + 1)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for v in value:
            walk(v, secret, out, depth + 1)
    elif isinstance(value, bytes):
        walk(value.decode('utf-8', 'replace'), secret, out, depth + 1)
    elif isinstance(value, str):
        if secret and len(value) >= 6:
            out.add(value)
        for m in URL_PASSWORD.finditer(value):
            out.add(m.group(1))
            out.add(unquote(m.group(1)))

def probe_main(argv=None):
    out = set()
    try:
        from django.conf import settings
        names = [n for n in dir(settings) if n.isupper()]
    except BaseException:
        names = []
    for name in names:
        try:
            walk(getattr(settings, name), secret_name(name), out)
        except BaseException:
            pass
    sys.stdout.write('\n' + BEGIN + json.dumps(sorted(v for v in out if len(v) >= 6)) + END + '\n')
    sys.stdout.flush()

${runManagePy('collect-bundle-secrets')}
run_manage_py()
`;

/** Where the job probe finds the job id it looks up (never in argv: the manifest shows argv). */
export const JOB_ID_ENV = 'COLLECT_BUNDLE_JOB_ID';

/**
 * The job lookup probe (`--job ID`): loads the project as manage.py does and reads ONE row of the
 * container_manager job model, by primary key (or a uuid/external id field), in a rolled-back,
 * read-only transaction (SQLite connections query_only). It prints the record with environment
 * fields reduced to their variable names, secret-named fields masked and URL passwords masked; the
 * values of secret-named variables and the raw text of command fields come back separately, so the
 * caller can declare them to the redactor and shape command lines (they never reach the bundle as is).
 * Errors come back as `{error, kind}` with kind settings, no-model, database or not-found.
 */
export const JOB_PROBE = String.raw`import json, os, re, sys
BEGIN = '<<<collect-bundle:json>>>'
END = '<<<collect-bundle:end>>>'
MASK = '*' * 8
${SECRET_NAMES_PY}
${CONTAINER_MANAGER_APP_PY}
URL_USERINFO = re.compile(r'(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@\'"]*:)([^\s@/\'"]+)@')
ENV_FIELD = re.compile(r'env|environ|variables', re.I)
COMMAND_FIELD = re.compile(r'^(command|cmd|args|arguments|entrypoint|docker_command|container_command)$', re.I)
ALT_ID_FIELDS = ('uuid', 'job_uuid', 'external_id', 'job_id')
CREATED_NAMES = ('created_at', 'created', 'created_on', 'submitted_at', 'queued_at', 'date_created')
STARTED_NAMES = ('started_at', 'start_time', 'started')
FINISHED_NAMES = ('completed_at', 'finished_at', 'ended_at', 'failed_at', 'end_time')


def emit(out):
    sys.stdout.write('\n' + BEGIN + json.dumps(out, default=str) + END + '\n')
    sys.stdout.flush()


def mask_text(text):
    return URL_USERINFO.sub(lambda m: m.group(1) + MASK + '@', text)


# A job row can hold whole logs (stdout_log, clean_output, ...): each string is cut so the one JSON
# line stays far below the output the caller keeps (its marker must survive).
FIELD_CAP = 64 * 1024


def capped(value):
    if isinstance(value, str) and len(value) > FIELD_CAP:
        return value[:FIELD_CAP] + '... [truncated by collect-bundle: %d more characters]' % (len(value) - FIELD_CAP)
    return value


def when(value):
    from django.utils import timezone
    if value is None or not hasattr(value, 'isoformat'):
        return None
    if hasattr(value, 'tzinfo') and timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return value.isoformat()


def plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, 'isoformat'):
        return when(value)
    if isinstance(value, (dict, list)):
        return value
    return str(value)


def env_items(value):
    """(name, value) pairs of an environment stored as a dict, JSON text, a list, or KEY=VALUE lines."""
    data = value
    if isinstance(data, bytes):
        data = data.decode('utf-8', 'replace')
    if isinstance(data, str) and data.strip()[:1] in ('{', '['):
        try:
            data = json.loads(data)
        except ValueError:
            pass
    items = []
    if isinstance(data, dict):
        items = [(str(k), v) for k, v in data.items()]
    elif isinstance(data, list):
        for e in data:
            if isinstance(e, dict) and 'name' in e:
                items.append((str(e['name']), e.get('value')))
            elif isinstance(e, str) and '=' in e:
                k, _, v = e.partition('=')
                items.append((k.strip(), v))
    elif isinstance(data, str):
        for line in data.splitlines():
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            if line.startswith('export '):
                line = line[7:].strip()
            k, sep, v = line.partition('=')
            if sep:
                items.append((k.strip(), v.strip().strip('"\'')))
    return items


def probe_main(argv=None):
    out = {'probe': 'django-job', 'version': 1}
    ident = os.environ.get('${JOB_ID_ENV}', '')
    try:
        import django
        from django.conf import settings
        from django.db.backends.signals import connection_created

        def on_connect(sender, connection, **kwargs):
            if connection.vendor == 'sqlite':
                connection.connection.execute('PRAGMA query_only = ON')

        connection_created.connect(on_connect, weak=False)
        django.setup()
        settings.INSTALLED_APPS  # noqa: B018
    except BaseException as exc:
        out.update(error='the settings failed to load: %s' % mask_text(' '.join(('%s: %s' % (type(exc).__name__, exc)).split())), kind='settings')
        emit(out)
        return
    try:
        lookup(ident, out)
    except Exception as exc:
        out.update(error=mask_text(' '.join(('%s: %s' % (type(exc).__name__, exc)).split())), kind='database')
    emit(out)


def lookup(ident, out):
    from django.apps import apps
    from django.db import connections, router, transaction
    config = container_manager_app(apps)
    if config is None:
        out.update(error='the container_manager app is not in INSTALLED_APPS', kind='no-model')
        return
    models = list(config.get_models())
    model = next((m for m in models if m.__name__ == 'ContainerJob'), None) or next((m for m in models if 'job' in m.__name__.lower()), None)
    if model is None:
        out.update(error='container_manager has no job model (looked for ContainerJob)', kind='no-model')
        return
    out['model'] = model._meta.label
    alias = router.db_for_read(model) or 'default'
    out['database'] = alias
    connection = connections[alias]
    name = str(connection.settings_dict.get('NAME') or '')
    if connection.vendor == 'sqlite' and name and name != ':memory:' and not name.startswith('file:') and not os.path.exists(name):
        out.update(error='database file %s does not exist (not created: collect-bundle only reads)' % name, kind='database')
        return
    with connection.cursor() as cursor:
        # Only columns that exist: the model may be ahead of the applied migrations.
        if model._meta.db_table not in connection.introspection.table_names(cursor):
            out.update(error='table %s does not exist in database %r (migrations not applied?)' % (model._meta.db_table, alias), kind='database')
            return
        columns = set(c.name for c in connection.introspection.get_table_description(cursor, model._meta.db_table))
    fields = [f for f in model._meta.concrete_fields if f.column in columns]
    candidates = [model._meta.pk] + [f for f in fields if f.name in ALT_ID_FIELDS and f is not model._meta.pk]
    row = None
    with transaction.atomic(using=alias):
        if connection.vendor in ('postgresql', 'mysql'):
            with connection.cursor() as cursor:
                cursor.execute('SET TRANSACTION READ ONLY')
        manager = model._default_manager.using(alias)
        for field in candidates:
            try:
                value = field.to_python(ident)
            except Exception:
                continue
            row = manager.filter(**{field.attname: value}).values(*[f.attname for f in fields]).first()
            if row is not None:
                out['matchedBy'] = field.name
                break
        transaction.set_rollback(True, using=alias)
    if row is None:
        out.update(error='no %s with %s %r' % (model.__name__, ' or '.join(f.name for f in candidates), ident), kind='not-found')
        return
    record, env_fields, commands, secrets = {}, {}, {}, []
    for f in fields:
        value = row.get(f.attname)
        if ENV_FIELD.search(f.name):
            items = env_items(value)
            env_fields[f.attname] = [k for k, _ in items]
            secrets.extend(str(v) for k, v in items if v not in (None, '') and secret_name(k))
            record[f.attname] = {'variables': [k for k, _ in items], 'values': 'not collected'}
        elif secret_name(f.name):
            record[f.attname] = MASK if value not in (None, '') else value
        elif COMMAND_FIELD.search(f.name) and value not in (None, ''):
            commands[f.attname] = capped(plain(value))
            record[f.attname] = None
        else:
            value = capped(plain(value))
            if isinstance(value, (dict, list)) and len(json.dumps(value, default=str)) > FIELD_CAP:
                value = '[left out by collect-bundle: %d characters of JSON]' % len(json.dumps(value, default=str))
            record[f.attname] = mask_text(value) if isinstance(value, str) else value
    pk = row.get(model._meta.pk.attname)
    out['found'] = True
    out['pk'] = str(pk)
    if hasattr(pk, 'hex'):
        out['pkHex'] = pk.hex
    by_name = dict((f.name, f) for f in fields)
    pick = lambda names: next((by_name[n] for n in names if n in by_name), None)
    out['times'] = dict((k, when(row.get(f.attname)) if f is not None else None) for k, f in (('created', pick(CREATED_NAMES)), ('started', pick(STARTED_NAMES)), ('finished', pick(FINISHED_NAMES))))
    out['status'] = plain(row.get('status', row.get('state')))
    out['record'] = record
    out['envFields'] = env_fields
    out['commandFields'] = commands
    out['secrets'] = sorted(set(s for s in secrets if len(s) >= 4))
    for f in fields:
        related = getattr(f, 'related_model', None)
        if related is not None and row.get(f.attname) is not None and ('host' in related.__name__.lower() or 'executor' in related.__name__.lower()):
            wanted = [hf.attname for hf in related._meta.concrete_fields if hf.name in ('id', 'name', 'executor_type', 'host_type', 'type', 'host_url', 'url', 'is_active')]
            try:
                with transaction.atomic(using=alias):
                    host = related._default_manager.using(alias).filter(pk=row.get(f.attname)).values(*wanted).first()
                    transaction.set_rollback(True, using=alias)
            except Exception as exc:  # the job is what matters; its host is a detail
                out['executorHost'] = {'error': mask_text(' '.join(('%s: %s' % (type(exc).__name__, exc)).split()))}
                break
            if host is not None:
                out['executorHost'] = dict((k, mask_text(v) if isinstance(v, str) else plain(v)) for k, v in host.items())
            break


${runManagePy('collect-bundle-job')}
run_manage_py()
`;
