# collect-bundle's executor host lookup (--executor-hosts). It loads the project as manage.py does and
# reads the container_manager ExecutorHost rows of type docker (name, connection string, TLS flags,
# active), in a rolled-back, read-only transaction (SQLite connections query_only), so the run can
# collect each active host's Docker engine. The connection strings come back as they are: the caller
# keeps them in memory, connects with them and declares any password in them to the redactor; the
# bundle shows them only masked (container-manager.json). Errors come back as {error, kind} with kind
# settings, no-model or database. Loaded after _shared.py (container_manager_app, run_manage_py).
import json, os, re, sys
BEGIN = '<<<collect-bundle:json>>>'
END = '<<<collect-bundle:end>>>'
URL_USERINFO = re.compile(r'(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@\'"]*:)([^\s@/\'"]+)@')
URL_FIELDS = ('connection_string', 'host_url', 'url', 'docker_host', 'base_url')
TYPE_FIELDS = ('executor_type', 'host_type_name', 'type', 'kind', 'backend')
ACTIVE_FIELDS = ('is_active', 'active', 'enabled', 'is_enabled')


def emit(out):
    sys.stdout.write('\n' + BEGIN + json.dumps(out, default=str) + END + '\n')
    sys.stdout.flush()


def one_line(exc):
    return URL_USERINFO.sub(lambda m: m.group(1) + '********@', ' '.join(('%s: %s' % (type(exc).__name__, exc)).split()))


def probe_main(argv=None):
    out = {'probe': 'django-executor-hosts', 'version': 1}
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
        out.update(error='the settings failed to load: %s' % one_line(exc), kind='settings')
        emit(out)
        return
    try:
        hosts(out)
    except Exception as exc:
        out.update(error=one_line(exc), kind='database')
    emit(out)


def hosts(out):
    from django.apps import apps
    from django.db import connections, router, transaction
    config = container_manager_app(apps)
    if config is None:
        out.update(error='the container_manager app is not in INSTALLED_APPS', kind='no-model')
        return
    models = list(config.get_models())
    model = next((m for m in models if m.__name__ in ('ExecutorHost', 'DockerHost')), None)
    if model is None:
        out.update(error='container_manager has no ExecutorHost model', kind='no-model')
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
        if model._meta.db_table not in connection.introspection.table_names(cursor):
            out.update(error='table %s does not exist in database %r (migrations not applied?)' % (model._meta.db_table, alias), kind='database')
            return
        columns = set(c.name for c in connection.introspection.get_table_description(cursor, model._meta.db_table))
    by_name = dict((f.name, f) for f in model._meta.concrete_fields if f.column in columns)
    pick = lambda names: next((by_name[n] for n in names if n in by_name), None)
    url, kind, active = pick(URL_FIELDS), pick(TYPE_FIELDS), pick(ACTIVE_FIELDS)
    if url is None:
        out.update(error='%s has no connection string field (looked for %s)' % (model.__name__, ', '.join(URL_FIELDS)), kind='no-model')
        return
    wanted = [f for f in (by_name.get('id'), by_name.get('name'), url, kind, active, by_name.get('tls_enabled'), by_name.get('tls_verify')) if f is not None]
    rows = []
    with transaction.atomic(using=alias):
        if connection.vendor in ('postgresql', 'mysql'):
            with connection.cursor() as cursor:
                cursor.execute('SET TRANSACTION READ ONLY')
        for r in model._default_manager.using(alias).order_by('pk').values(*[f.attname for f in wanted])[:200]:
            rows.append({
                'id': str(r.get('id')) if r.get('id') is not None else None,
                'name': r.get('name'),
                'connection': r.get(url.attname),
                # Rows written before the field existed hold NULL: read as the model's default (docker, active).
                'type': r.get(kind.attname) if kind is not None else None,
                'active': r.get(active.attname) if active is not None else None,
                'tlsEnabled': r.get('tls_enabled'),
                'tlsVerify': r.get('tls_verify'),
            })
        transaction.set_rollback(True, using=alias)
    out['urlField'] = url.name
    out['hosts'] = rows


run_manage_py('collect-bundle-executor-hosts', probe_main)
