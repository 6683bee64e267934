/** Shapes Django settings and their dumps take, which line rules alone used to miss (found by the django collector's tests). */
import { describe, expect, it } from 'vitest';
import { KEY_VALUE, makeRedactor, redactString, tok } from './support.js';

const cases: [string, string, string][] = [
  [
    'environ.get default',
    "SECRET_KEY = os.environ.get('DJANGO_SECRET_KEY', 'dev-insecure-literal-1')",
    `SECRET_KEY = os.environ.get('DJANGO_SECRET_KEY', '${tok('settings-default', 'dev-insecure-literal-1')}')`,
  ],
  [
    'django-environ default=',
    "DB = env('DB_PASSWORD', default='hunter2-default')",
    `DB = env('DB_PASSWORD', default='${tok('settings-default', 'hunter2-default')}')`,
  ],
  [
    'decouple config',
    'EMAIL_HOST_PASSWORD = config("EMAIL_PASSWORD", "mail-pw-9x")',
    `EMAIL_HOST_PASSWORD = config("EMAIL_PASSWORD", "${tok('settings-default', 'mail-pw-9x')}")`,
  ],
  [
    'subscript assignment',
    "CACHES['default']['OPTIONS']['PASSWORD'] = 'cache-pw-123'",
    `CACHES['default']['OPTIONS']['PASSWORD'] = '${tok(KEY_VALUE, 'cache-pw-123')}'`,
  ],
  ['unqualified *_KEY with a random value', "STRIPE_KEY = 'Ab3dEf9hIj2kLm'", `STRIPE_KEY = '${tok(KEY_VALUE, 'Ab3dEf9hIj2kLm')}'`],
];
const survivors: [string, string][] = [
  ['a call is not the value', "SECRET_KEY = os.environ['DJANGO_SECRET_KEY']"],
  ['environ.get without default', "SECRET_KEY = os.environ.get('DJANGO_SECRET_KEY')"],
  ['a sort key', "SORT_KEY = 'created_at_2024'"],
  ['a primary key name', 'PRIMARY_KEY = "id"'],
  ['a model field type', '"auth_token": "CharField",'],
  ['a short word under *_KEY', "CACHE_KEY = 'sessions'"],
  ['a path under *_KEY (docker inspect SandboxKey)', '"SandboxKey": "/var/run/docker/netns/1a2b3c4d5e6f",'],
  ['a path under another *_KEY', "KEYRING_KEY = '/etc/app/keys/k1a2b3c4d5'"],
];

describe('settings shapes', () => {
  it.each(cases)('redacts %s', (_name, input, expected) => {
    expect(makeRedactor().text(input, 'settings.py')).toBe(expected);
  });
  it.each(survivors)('leaves %s alone', (_name, input) => {
    expect(makeRedactor().text(input, 'settings.py')).toBe(input);
  });

  it('redacts a value printed on the line after its secret key, in any chunking', async () => {
    const input = "DATABASES = {\n    'default': {\n        'PASSWORD':\n            'split-line-pw-1',\n        'HOST': 'db',\n    }\n}\n";
    const expected = input.replace("'split-line-pw-1'", `'${tok(KEY_VALUE, 'split-line-pw-1')}'`);
    for (const sizes of [[1], [3], [17], [1 << 20]]) expect(await redactString(makeRedactor(), input, sizes)).toBe(expected);
    // A key whose next line is not a quoted value leaves that line alone.
    expect(makeRedactor().text('password:\n  - item\n', 'x.yaml')).toBe('password:\n  - item\n');
  });
});
