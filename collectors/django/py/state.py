# collect-bundle's Django probe. Read-only: it runs manage.py's own preamble (default settings module,
# sys.path, .env loading) and then, in place of a management command, reads versions, databases,
# system checks, migration state, settings and container_manager status, and prints them as one JSON
# document between markers (so stray prints from settings cannot break it). Values under secret-looking
# names and passwords in URLs are replaced here, before anything is printed. Database reads happen in
# rolled-back transactions that are read-only where the database supports it, and SQLite connections
# are query_only. Loaded after _shared.py (secret_name, container_manager_app, run_manage_py) and
# container_manager.py and settings_tree.py (their sections); session.py then runs it and Django's commands.
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
    section(out, 'settingsTree', settings_tree)
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
