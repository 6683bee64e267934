import json, os, sys
BEGIN, END = '<<<collect-bundle:json>>>', '<<<collect-bundle:end>>>'
info = {'executable': sys.executable, 'realExecutable': os.path.realpath(sys.executable), 'version': sys.version.split()[0],
        'implementation': getattr(getattr(sys, 'implementation', None), 'name', 'unknown'),
        'prefix': sys.prefix, 'basePrefix': getattr(sys, 'base_prefix', sys.prefix)}
info['virtualEnv'] = info['prefix'] != info['basePrefix']
try:
    import django
    info['django'] = {'version': django.get_version(), 'path': os.path.dirname(django.__file__)}
except Exception as exc:
    info['djangoError'] = '%s: %s' % (type(exc).__name__, exc)
sys.stdout.write('\n' + BEGIN + json.dumps(info) + END + '\n')
