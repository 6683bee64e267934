# collect-bundle's one Django interpreter per run: the settings' secrets, the state probe (state.py), then Django's own
# read-only management commands, each run in this process through the same entry manage.py uses
# (ManagementUtility(argv).execute(), so the text, the error formatting and the exit status are the
# ones `python manage.py <command>` gives), with sys.stdout and sys.stderr captured. Each step has its
# own time limit (an interval alarm raises CommandTimeout in the main thread, and again every second
# if the command swallows it); the caller kills the process only at the collector's deadline. Each
# result is printed as its own marked JSON document as soon as it is known, so what finished before a
# hang is kept. The SQLite guard of state.py (query_only) covers these commands' connections too.
# Loaded after _shared.py, container_manager.py and state.py.
import io
import signal

COMMAND = '<<<collect-bundle:command>>>'
SECRETS = '<<<collect-bundle:secrets>>>'
COMMANDS_ENV = 'COLLECT_BUNDLE_COMMANDS'
TIMEOUT_ENV = 'COLLECT_BUNDLE_COMMAND_TIMEOUT'
# Output kept per command and stream (the tail), as the collector did for a process of its own.
KEEP = 4 * 1024 * 1024


class CommandTimeout(BaseException):
    """Raised by the alarm: a BaseException, so a command's `except Exception` does not swallow it."""


def alarm(seconds):
    def on_alarm(signum, frame):
        raise CommandTimeout('timed out after %gs' % seconds)

    signal.signal(signal.SIGALRM, on_alarm)
    # Again every second: a command that catches the first one (a bare except) is interrupted again.
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)


def quiet():
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, signal.SIG_IGN)


def emit_doc(marker, doc):
    # '<' escaped: a command that prints a marker cannot end the document early.
    text = json.dumps(doc, default=str).replace('<', '\\u003c')
    sys.stdout.write('\n' + marker + text + END + '\n')
    sys.stdout.flush()


def needed(need, state):
    """Whether a command's precondition holds on the probe's answer (mirrors commandPlans in documents.ts)."""
    dbs = state.get('databases')
    known = isinstance(dbs, list)
    reachable = [d['alias'] for d in dbs if d.get('reachable')] if known else []
    if need == 'default-database':
        return not known or 'default' in reachable
    if need == 'reachable-database':
        return bool(reachable)
    if need == 'no-missing-sqlite':
        routers = state.get('databaseRouters')
        return not (known and any(d.get('sqliteFileMissing') and (d.get('alias') == 'default' or routers) for d in dbs))
    return True


def arguments(spec, state):
    args = list(spec['args'])
    if spec.get('databases'):
        dbs = state.get('databases') if isinstance(state.get('databases'), list) else []
        for d in dbs:
            if d.get('reachable'):
                args += ['--database', d['alias']]
    return args + list(spec.get('tail') or [])


def run_command(args, seconds):
    from django.core import management
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdout, sys.stderr, sys.argv
    argv = ['manage.py'] + args
    code, timed_out = 0, False
    began = time.time()
    sys.stdout, sys.stderr, sys.argv = out, err, argv
    try:
        try:
            alarm(seconds)
            management.ManagementUtility(argv).execute()
        finally:
            quiet()
    except CommandTimeout:
        timed_out, code = True, None
    except SystemExit as exc:
        # As the interpreter ends: None is 0, a number is the status, anything else is printed and is 1.
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            err.write('%s\n' % (exc.code,))
            code = 1
    except BaseException:
        err.write(traceback.format_exc())
        code = 1
    finally:
        sys.stdout, sys.stderr, sys.argv = saved
    duration = int((time.time() - began) * 1000)
    return {'argv': argv, 'exitCode': code, 'timedOut': timed_out, 'durationMs': duration,
            'stdout': out.getvalue()[-KEEP:], 'stderr': err.getvalue()[-KEEP:]}


def session_main(argv=None):
    seconds = float(os.environ.get(TIMEOUT_ENV) or '60')
    specs = json.loads(os.environ.get(COMMANDS_ENV) or '[]')
    state = {}
    real_emit = globals()['emit']

    def keep(out):
        state.update(out)
        real_emit(out)

    globals()['emit'] = keep
    try:
        alarm(seconds)
        # First the settings' secrets: the run learns them from this process, before any collector collects.
        emit_doc(SECRETS, settings_secrets())
        probe_main(argv)
    except CommandTimeout as exc:
        state['timedOut'] = str(exc)
    finally:
        quiet()
    from django.apps import apps
    if not apps.ready:
        return
    for spec in specs:
        if not needed(spec.get('needs'), state):
            emit_doc(COMMAND, {'path': spec['path'], 'skipped': True})
            continue
        result = run_command(arguments(spec, state), seconds)
        result['path'] = spec['path']
        emit_doc(COMMAND, result)


run_manage_py('collect-bundle-probe', session_main)
