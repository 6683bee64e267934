/** Keys and tokens that belong to no one provider: escaped PEM keys, age keys, JWTs, password hashes. */
import type { Rule } from '../rule.js';
import { END, START, custom, token } from './define.js';

const rx = (source: string, flags = 'g'): RegExp => new RegExp(source, flags);

export const keyRules: readonly Rule[] = [
  custom({
    id: 'private-key-escaped',
    description: 'PEM/PGP private key inside a JSON string with \\n escapes (e.g. a GCP service-account key)',
    hint: /PRIVATE KEY/,
    // The body is anything up to the END marker within the string: armor headers (Proc-Type: 4,ENCRYPTED,
    // DEK-Info, PGP Version:) are not base64, and a key in a JSON log message inside a docker json-file
    // line is escaped twice (\\n).
    pattern: rx(
      String.raw`(?<=-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----)(?:\\+r)?\\+n[^"\n]+?(?=(?:\\+r)?\\+n-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----)`,
    ),
  }),
  token({
    id: 'age-secret-key',
    description: 'age encryption secret key (AGE-SECRET-KEY-1 + 58 bech32)',
    prefixes: ['AGE-SECRET-KEY-1'],
    body: '[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}',
  }),
  token({
    id: 'django-insecure-secret-key',
    description: "Django startproject SECRET_KEY (django-insecure- + 50 of Django's key alphabet)",
    prefixes: ['django-insecure-'],
    body: '[a-z0-9!@#$%^&*(=+)_-]{50}',
    extra: '!@#$%^&*(=+)',
  }),
  token({
    id: 'password-hash-bcrypt',
    description: 'bcrypt password hash ($2a$, $2b$, $2y$ + cost + 53)',
    prefixes: ['$2a$', '$2b$', '$2y$'],
    body: '[0-9]{2}\\$[./A-Za-z0-9]{53}',
    extra: '$./',
  }),
  // Fields split at `$`, each with its own bounded class: a run of `$5$=$5$=…` costs a few steps per start.
  token({
    id: 'password-hash-crypt',
    description: 'crypt(3) SHA-256/SHA-512/yescrypt password hash ($5$, $6$, $y$) as in /etc/shadow',
    prefixes: ['$5$', '$6$', '$y$'],
    body: '[./A-Za-z0-9=]{1,24}\\$(?:[./A-Za-z0-9]{1,32}\\$)?[./A-Za-z0-9]{43,86}',
    extra: '$./=',
  }),
  token({
    id: 'password-hash-django',
    description: 'Django password hash (pbkdf2_sha256$…, argon2$argon2id$…)',
    prefixes: ['pbkdf2_sha256$', 'pbkdf2_sha1$', 'argon2$argon2'],
    body: '(?:[0-9]{1,8}\\$[A-Za-z0-9./+]{1,64}\\$[A-Za-z0-9+/]{27,88}={0,2}|(?:id|i|d)\\$v=[0-9]{1,3}\\$m=[0-9]{1,9},t=[0-9]{1,3},p=[0-9]{1,3}\\$[A-Za-z0-9+/]{8,64}\\$[A-Za-z0-9+/]{16,128})',
    extra: '$=+/.,',
  }),
  custom({
    id: 'jwt',
    description: 'JSON Web Token (eyJ….eyJ….signature)',
    hint: /eyJ/,
    pattern: rx(String.raw`${START}eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*${END}`),
  }),
  token({
    id: 'jwt-base64',
    description: 'base64-encoded JSON Web Token (ZXlK…, a JWT encoded once more)',
    prefixes: ['ZXlK'],
    body: '[A-Za-z0-9+/]{60,8192}={0,2}',
    extra: '+/=',
  }),
];
