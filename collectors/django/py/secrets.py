# collect-bundle's secrets probe. It loads the settings the way manage.py does and prints the values
# the bundle must never show anywhere (values under secret-looking setting names, nested ones too, and
# passwords in URLs) as one JSON list between markers. It runs before any collector collects, so a
# database password echoed in a container's log is removed too. Nothing is written; the values stay in
# memory. Loaded after _shared.py (secret_name, run_manage_py).
import json, os, re, sys
from urllib.parse import unquote
BEGIN = '<<<collect-bundle:json>>>'
END = '<<<collect-bundle:end>>>'

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


run_manage_py('collect-bundle-secrets', probe_main)
