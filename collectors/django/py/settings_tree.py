# collect-bundle's Django probe, the settings tree: the settings module's siblings and their top-level
# DEBUG line, read as text and never imported (production evidence for the analyzers). Loaded before
# state.py, whose probe_main calls settings_tree() as the settingsTree section.
import os
import re
import sys


# A top-level `DEBUG = <literal>` line of a settings file (not indented: not inside an if or a function).
DEBUG_LINE = re.compile(r'^DEBUG\s*=\s*(True|False)\b')


def settings_tree():
    # The settings module's siblings (the other modules of its package, or the files beside a single
    # settings.py) and their top-level DEBUG assignment, read as text and never imported: a
    # settings_production.py with DEBUG = False says this project is deployed somewhere.
    from django.conf import settings

    name = getattr(settings, 'SETTINGS_MODULE', None) or os.environ.get('DJANGO_SETTINGS_MODULE')
    module = sys.modules.get(name) if name else None
    path = getattr(module, '__file__', None)
    if not path:
        return []
    if os.path.basename(path) == '__init__.py':
        folder, package = os.path.dirname(path), name
    else:
        folder, package = os.path.dirname(path), name.rpartition('.')[0]
    out = []
    for entry in sorted(os.listdir(folder))[:200]:
        full = os.path.join(folder, entry)
        if not entry.endswith('.py') or not os.path.isfile(full) or os.path.getsize(full) > 1024 * 1024:
            continue
        stem = entry[:-3]
        sibling = package if stem == '__init__' else (package + '.' + stem if package else stem)
        with open(full, encoding='utf-8', errors='replace') as f:
            for number, line in enumerate(f, 1):
                m = DEBUG_LINE.match(line)
                if m:
                    out.append({'module': sibling, 'file': entry, 'line': number, 'debug': m.group(1) == 'True', 'loaded': sibling == name})
    return out[:200]

