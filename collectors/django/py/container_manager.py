# The container_manager section of collect-bundle's Django probe (state.py): which models the app has,
# job counts by status, the latest failed jobs and the executor hosts, read in rolled-back read-only
# transactions. Assembled after _shared.py and before state.py (probes.ts), so state.py's helpers
# (mask, mask_text, plain, section, read_only, LIMIT, MASK) are defined by the time these run.
import re

PENDING = ('pending', 'queued', 'waiting')
RUNNING = ('running', 'started', 'in_progress')
FAILED = ('failed', 'failure', 'error', 'errored', 'timeout', 'timed_out', 'timed-out')
CREATED_NAMES = ('created_at', 'created', 'created_on', 'submitted_at', 'queued_at', 'date_created')
STARTED_NAMES = ('started_at', 'start_time', 'started')
FINISHED_NAMES = ('completed_at', 'finished_at', 'ended_at', 'failed_at', 'end_time', 'updated_at', 'modified_at', 'modified')
JOB_FIELD = re.compile(r'^(id|uuid|name|job_name|status|state)$|exit|return_?code|error|fail|reason|exception|image|executor|host|duration|attempt|retr', re.I)
# The outcome django-container-manager keeps on a job row (the container itself may be gone).
OUTCOME_FIELDS = (
    'name', 'job_name', 'docker_image', 'image', 'exit_code', 'error_message', 'last_error', 'last_error_at', 'retry_count',
    'max_retries', 'memory_limit', 'max_memory_usage', 'timeout_seconds', 'execution_id', 'created_at', 'started_at',
    'completed_at', 'finished_at',
)
# Log fields: only their tails are read (the end of a log says why it stopped).
LOG_FIELDS = ('stderr_log', 'docker_log', 'stdout_log')
LOG_TAIL = 4000
FAILURE_ROWS = 500
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
        result['failures'] = failures(manager, fields, status, failed_states, finished or created)
        result['overdue'] = overdue(manager, fields, status, [s for s in values if str(s).lower() in RUNNING], started)
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



def outcome_fields(fields, status, host_fk=None):
    by_name = dict((f.name, f) for f in fields)
    pk = [f for f in fields if f.primary_key]
    picked = pk + [status] + [by_name[n] for n in OUTCOME_FIELDS if n in by_name]
    picked += [f for f in fields if getattr(f, 'related_model', None) is not None and re.search(r'host|executor', f.name, re.I)]
    out = []
    for f in picked:
        if f not in out and not NEVER.search(f.name):
            out.append(f)
    return out


def log_tail(value, total):
    """The last LOG_TAIL characters of a log (whole lines), URL passwords masked; `total` is its length."""
    if not isinstance(value, str):
        return plain(value)
    if not isinstance(total, int):
        total = len(value)
    if total <= LOG_TAIL:
        return mask_text(value)
    cut = value[-LOG_TAIL:]
    nl = cut.find('\n')
    if 0 <= nl < 400:
        cut = cut[nl + 1:]
    return mask_text('[... %d earlier characters not collected]\n' % (total - len(cut)) + cut)


def failures(manager, fields, status, failed_states, when):
    """Failed jobs, newest first: status failed/timeout, or a non-zero exit code once it stopped; with
    their outcome fields and the tails of their logs (the database cuts them: Right())."""
    from django.db.models import Q
    from django.db.models.functions import Length, Right
    shown = outcome_fields(fields, status)
    by_name = dict((f.name, f) for f in fields)
    query = Q(**{status.attname + '__in': failed_states}) if failed_states else Q(pk__in=[])
    if 'exit_code' in by_name:
        waiting = [s for s in PENDING + RUNNING]
        query |= Q(exit_code__isnull=False) & ~Q(exit_code=0) & ~Q(**{status.attname + '__in': waiting})
    qs = manager.filter(query)
    logs = [n for n in LOG_FIELDS if n in by_name]
    qs = qs.annotate(**dict(('_tail_' + n, Right(n, LOG_TAIL)) for n in logs))
    qs = qs.annotate(**dict(('_len_' + n, Length(n)) for n in logs))
    from django.db.models import F
    # Newest first on every database (PostgreSQL puts NULLs first in a descending order).
    order = [F(when.attname).desc(nulls_last=True)] if when is not None else []
    rows = qs.order_by(*(order + ['-pk'])).values(*([f.attname for f in shown] + ['_tail_' + n for n in logs] + ['_len_' + n for n in logs]))[:FAILURE_ROWS]
    out = []
    for values in rows:
        entry = row(values, shown)
        for n in logs:
            tail = values.get('_tail_' + n)
            if tail:
                entry[n] = log_tail(tail, values.get('_len_' + n))
        out.append(entry)
    return out


def overdue(manager, fields, status, running_states, started):
    """Running jobs with a timeout_seconds, oldest start first (the analyzer decides how far past is too far)."""
    by_name = dict((f.name, f) for f in fields)
    if not running_states or started is None or 'timeout_seconds' not in by_name:
        return []
    shown = outcome_fields(fields, status)
    if started not in shown:
        shown.append(started)
    rows = manager.filter(**{status.attname + '__in': running_states, 'timeout_seconds__isnull': False}).exclude(
        **{started.attname + '__isnull': True}).order_by(started.attname).values(*[f.attname for f in shown])[:LIMIT]
    out = []
    for values in rows:
        entry = row(values, shown)
        entry['ageSeconds'] = age_of(values.get(started.attname))
        entry['ageFrom'] = started.name
        out.append(entry)
    return out
