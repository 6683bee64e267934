# collect-bundle's job lookup (--job ID). It loads the project as manage.py does and reads ONE row of the
# container_manager job model, by primary key (or a uuid/external id field), in a rolled-back, read-only
# transaction (SQLite connections query_only). It prints the record with environment fields reduced to
# their variable names, secret-named fields masked and URL passwords masked; the values of secret-named
# variables and the raw text of command fields come back separately, so the caller can declare them to
# the redactor and shape command lines (they never reach the bundle as they are). Errors come back as
# {error, kind} with kind settings, no-model, database or not-found. The job id comes in the environment
# (COLLECT_BUNDLE_JOB_ID), never in argv. Loaded after _shared.py (secret_name, container_manager_app,
# run_manage_py).
import json, os, re, sys
BEGIN = '<<<collect-bundle:json>>>'
END = '<<<collect-bundle:end>>>'
MASK = '*' * 8

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


# A log's end says why the job stopped (the traceback, the last batch before the OOM kill): logs keep their tail.
LOG_FIELD = re.compile(r'(^|_)(log|logs|output)$', re.I)


def capped(value, name=''):
    if isinstance(value, str) and len(value) > FIELD_CAP:
        if LOG_FIELD.search(name):
            return '[truncated by collect-bundle: %d earlier characters]...' % (len(value) - FIELD_CAP) + value[-FIELD_CAP:]
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
    ident = os.environ.get('COLLECT_BUNDLE_JOB_ID', '')
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
            value = capped(plain(value), f.name)
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


run_manage_py('collect-bundle-job', probe_main)
