# Shared by the probes that load the project (container_manager.py + settings_tree.py + state.py + session.py, job.py, hosts.py): the loader
# (collectors/django/probes.ts) puts this file in front of each of them, so the masking rules are one
# copy and the probes can never disagree on which setting names hold secrets.
import os
import re
import sys
from urllib.parse import unquote

# Key names whose values are secrets. Wider than the bundle's line rules on purpose: any name with
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


# The container_manager app (by label, or a dotted name ending in it).
def container_manager_app(apps):
    for candidate in apps.get_app_configs():
        if candidate.label == 'container_manager' or candidate.name.split('.')[-1] == 'container_manager':
            return candidate
    return None


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


def settings_secrets():
    """The values the bundle must never show: under secret-looking setting names (nested too) and
    passwords in URLs, from the settings as loaded (never printed here; the caller prints the list)."""
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
    return sorted(v for v in out if len(v) >= 6)


def run_manage_py(command, main):
    """Runs the project's manage.py as `manage.py <command>` (its own preamble: default settings module,
    sys.path, .env loading) with Django's command dispatch replaced by `main`."""
    import runpy
    import django.core.management as management
    here = os.getcwd()
    if sys.path[:1] != [here]:
        sys.path.insert(0, here)
    sys.argv = [os.path.join(here, 'manage.py'), command]
    management.execute_from_command_line = main
    runpy.run_path(sys.argv[0], run_name='__main__')
