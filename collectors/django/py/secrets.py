# collect-bundle's secrets probe. It loads the settings the way manage.py does and prints the values
# the bundle must never show anywhere (values under secret-looking setting names, nested ones too, and
# passwords in URLs) as one JSON list between markers. It runs before any collector collects, so a
# database password echoed in a container's log is removed too. Nothing is written; the values stay in
# memory. Loaded after _shared.py (settings_secrets, run_manage_py). The one Django process of a run
# (session.py) prints the same list first.
import json, sys
BEGIN = '<<<collect-bundle:json>>>'
END = '<<<collect-bundle:end>>>'

def probe_main(argv=None):
    sys.stdout.write('\n' + BEGIN + json.dumps(settings_secrets()) + END + '\n')
    sys.stdout.flush()


run_manage_py('collect-bundle-secrets', probe_main)
