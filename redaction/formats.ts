/**
 * Rules for the formats an operator's files use beyond `key=value` (issue #12 parts 2 and 3): command
 * lines of programs whose password flag is not named like a secret (`redis-cli -a`, `sshpass -p`,
 * `docker login -p`, `curl -u user:pass`, `htpasswd -b`, `openssl -passin pass:`), XML and HTML
 * (`<password>x</password>`, `<add key="ApiKey" value="x"/>`, `name="password" value="x"`), `.netrc`,
 * `.pgpass`, Docker's `config.json` auths, htpasswd and Django password hashes, Python reprs
 * (`<QueryDict: {'password': ['x']}>`), and label/value tables (`aws configure list`).
 *
 * Every pattern is linear on adversarial input: repetitions are bounded (`{0,20}` words of a command,
 * `{0,500}` attribute characters) or run over a class that its delimiter excludes, so no position is
 * retried more than a bounded number of times (tests/redaction/adversarial.test.ts feeds each a 1 MiB line).
 */
import type { Rule } from './rule.js';
import { CANDIDATE, ENTROPY_RULE, SECRET_WORD } from './entropy.js';
import { defineRule } from './rules.js';

/**
 * A command-line argument: double-quoted (with backslash escapes), single-quoted, or a bare shell word
 * (a backslash escapes the next character, but `\"` ends it: that is a JSON string's closing quote).
 * Quotes stay outside the secret, so the shape survives.
 */
const ARG = String.raw`(?:"(?<secret>(?:[^"\\\n]|\\.)+)"|'(?<secret2>[^'\n]+)'|(?<secret3>(?:\\[^"\n]|[^\s"'\\])+))`;
/** Up to 20 words between a program and its flag (`redis-cli -h cache -p 6379 -a x`). */
const WORDS = String.raw`(?:[ \t]+[^\s]+){0,20}?`;

const program = (id: string, description: string, hint: RegExp, head: string, flag: string): Rule =>
  defineRule({ id, description, hint, pattern: new RegExp(String.raw`${head}${WORDS}[ \t]+${flag}[ \t]*${ARG}`, 'g') });

export const redisCliPassword = program(
  'redis-cli-password',
  'password after redis-cli -a',
  /redis-cli/,
  String.raw`\bredis-cli\b`,
  String.raw`(?:-a|--pass)(?=[ \t])`,
);
export const sshpassPassword = program('sshpass-password', 'password after sshpass -p', /sshpass/, String.raw`\bsshpass\b`, String.raw`-p`);
export const dockerLoginPassword = program(
  'docker-login-password',
  'password after docker login -p (the --password form is cli-flag)',
  // The blank before `login` is part of the hint: a bare `login` selected every `GET /login.php` line.
  / login|\tlogin/,
  String.raw`\b(?:docker|podman|nerdctl|buildah|skopeo|helm(?:[ \t]+registry)?)[ \t]+login\b`,
  String.raw`-p(?=[ \t])`,
);
export const opensslKey = program('openssl-key', 'passphrase after openssl enc -k', /openssl/, String.raw`\bopenssl\b`, String.raw`-k(?=[ \t])`);

export const curlUserPassword = defineRule({
  id: 'curl-user-password',
  description: 'password in curl -u user:password / --user user:password (also wget/http --user)',
  // The flag, not the program: `curl/8.5.0` is in every access log's user agent.
  hint: /-u|--user|--proxy-user/,
  pattern:
    /(?<![\w-])(?:-u[ \t]*|--(?:proxy-)?user(?:[ \t]+|=))(?:"[^":\n]{0,256}:(?<secret>(?:[^"\\\n]|\\.)+)"|'[^':\n]{0,256}:(?<secret2>[^'\n]+)'|(?:\\[^"\n]|[^\s"':\\]){0,256}:(?<secret3>(?:\\[^"\n]|[^\s"'\\])+))/g,
});

export const htpasswdPassword = defineRule({
  id: 'htpasswd-password',
  description: 'password given to htpasswd -b (htpasswd -b[c] file user PASSWORD, htpasswd -nb user PASSWORD)',
  hint: /htpasswd/,
  pattern: new RegExp(
    String.raw`\bhtpasswd[ \t]+(?:-(?=[A-Za-z]*n)(?=[A-Za-z]*b)[A-Za-z]+[ \t]+[^\s]+|-(?![A-Za-z]*n)(?=[A-Za-z]*b)[A-Za-z]+[ \t]+[^\s]+[ \t]+[^\s]+)[ \t]+${ARG}`,
    'g',
  ),
});

export const opensslPass = defineRule({
  id: 'openssl-passphrase',
  description: 'passphrase in openssl -passin/-passout/-pass pass:SECRET',
  hint: /pass:/,
  pattern: /(?<![\w-])-pass(?:in|out|word)?[ \t]+(?:"pass:(?<secret>(?:[^"\\\n]|\\.)+)"|'pass:(?<secret2>[^'\n]+)'|pass:(?<secret3>(?:\\[^"\n]|[^\s"'\\])+))/g,
});

export const xmlSecret = defineRule({
  id: 'xml-secret',
  description: 'text of an XML element named like a secret: <password>x</password>, <ApiKey>x</ApiKey>',
  hint: /<\//,
  pattern: /<(?<key>[A-Za-z_][\w.:-]{0,100})(?:[ \t][^<>\n]{0,500})?>(?<secret>[^<\n]+)<\/\k<key>[ \t]*>/g,
});

export const attributeSecret = defineRule({
  id: 'attribute-secret',
  description: 'value="x" beside key="ApiKey" or name="password" (XML appSettings, HTML form fields such as csrfmiddlewaretoken)',
  hint: /value/i,
  pattern:
    /(?<![\w-])(?:key|name|id)[ \t]*=[ \t]*(?<q>["'])(?<key>[^"'\n<>]{1,100})\k<q>(?:[ \t]+[\w:.-]+[ \t]*=[ \t]*(?:"[^"\n]{0,300}"|'[^'\n]{0,300}'|[\w.-]{1,100})){0,10}?[ \t]+value[ \t]*=[ \t]*(?:"(?<secret>[^"\n]+)"|'(?<secret2>[^'\n]+)')/gi,
});

export const netrcPassword = defineRule({
  id: 'netrc-password',
  description: '.netrc/_netrc password on one line: machine h login u password p',
  hint: /password|passwd/,
  // Lower-case keywords only, as .netrc writes them, so "Password changed" in a log is not read as one.
  pattern:
    /\b(?:machine|default|login|account)[ \t][^\n]{0,300}?[ \t](?:password|passwd)[ \t]+(?<secret>[^\s"]+|"[^"\n]+")(?=[ \t\r]*$|[ \t]+(?:machine|default|login|account|macdef)\b)/g,
});

/** Rules that only run in files of one name (a bare `password p` line is prose elsewhere). */
export const NETRC_ONLY_RULES: ReadonlySet<string> = new Set(['netrc-password-line', 'htpasswd-crypt']);

export const netrcPasswordLine = defineRule({
  id: 'netrc-password-line',
  description: 'a "password p" line of a multi-line .netrc/_netrc entry (only in files named .netrc or _netrc)',
  hint: /password|passwd/,
  pattern: /^[ \t]*(?:password|passwd)[ \t]+(?<secret>[^\s"]+|"[^"\n]+")[ \t\r]*$/g,
});

export const pgpassPassword = defineRule({
  id: 'pgpass-password',
  description: '.pgpass line host:port:database:user:password (port a number or *)',
  hint: /:\d{2,5}:|:\*:/,
  pattern: /^(?:\\.|[^:\s\\#]){1,255}:(?:\d{1,5}|\*):(?:\\.|[^:\s\\]){1,255}:(?:\\.|[^:\s\\]){1,255}:(?<secret>(?:\\.|[^\s\\])+)[ \t\r]*$/g,
});

export const dockerAuth = defineRule({
  id: 'docker-auth',
  description: 'Docker config.json auths.*.auth (base64 of user:password), identitytoken and registrytoken',
  hint: /"auth"|identitytoken|registrytoken/i,
  pattern: /"(?:auth|identitytoken|registrytoken)"[ \t]*:[ \t]*"(?<secret>[^"\n]{4,})"/gi,
});

// A user's line may also sit in a quoted string or a comma list (a Traefik basicauth.users label in
// docker inspect), where Compose doubles each $: `"admin:$$apr1$$salt$$hash"`. Hash alphabets hold no
// quote or comma, so the hash ends at one.
export const passwordHash = defineRule({
  id: 'password-hash',
  description:
    'password hash in an htpasswd/shadow line or a quoted user:hash ($apr1$ or Compose $$apr1$$…, $2y$, $6$, {SHA}) or a Django hash (pbkdf2_sha256$…)',
  hint: /\$apr1\$|\$2a\$|\$2b\$|\$2y\$|\$1\$|\$5\$|\$6\$|\$y\$|\{SHA\}|\{SSHA\}|pbkdf2_|argon2|bcrypt|scrypt\$/i,
  pattern:
    /(?:(?:^|(?<=["'\s,]))[^:\s"',]{1,255}:(?<secret>\$\$?(?:apr1|2[abxy]|1|5|6|y|gy|7)\$[^:\s"',]+|\{S?SHA\}[^:\s"',]+)|(?<![\w$])(?<secret2>(?:pbkdf2_sha256|pbkdf2_sha1|argon2|bcrypt_sha256|bcrypt|scrypt)\$[^\s"',:$]+\$[^\s"',:]+))/g,
});

/** The legacy DES crypt of an htpasswd line (`user:` + 13 characters of ./0-9A-Za-z) has no `$` to tell it. */
export const htpasswdCrypt = defineRule({
  id: 'htpasswd-crypt',
  description: 'a DES crypt htpasswd line user:<13 characters> (only in files named .htpasswd, .netrc or _netrc)',
  hint: /:/,
  pattern: /^[^:\s#]{1,255}:(?<secret>[./0-9A-Za-z]{13})[ \t\r]*$/g,
});

/** `rabbitmqctl add_user u pw` / `change_password u pw`: the password is the second word after the verb. */
export const rabbitmqctlPassword = defineRule({
  id: 'rabbitmqctl-password',
  description: 'password after rabbitmqctl add_user/change_password <user>',
  hint: /rabbitmqctl/,
  pattern: new RegExp(String.raw`\brabbitmqctl\b${WORDS}[ \t]+(?:add_user|change_password)[ \t]+(?:"[^"\n]*"|'[^'\n]*'|[^\s"']+)[ \t]+${ARG}`, 'g'),
});

/** A Redis ACL user (`user default on >pw ~* +@all` in redis.conf, `ACL SETUSER u on >pw`): `>` adds a password. */
export const redisAclPassword = defineRule({
  id: 'redis-acl-password',
  description: 'a Redis ACL password (>pw) on a redis.conf user line or after ACL SETUSER',
  // `user` with its blank (not every `/users/me/` of an access log), or ACL.
  hint: /user |user\t|ACL|acl/,
  pattern: /(?:^[ \t]*user|\b(?:ACL|acl)[ \t]+(?:SETUSER|setuser))[ \t]+[^\s]+(?:[ \t]+[^\s>]+){0,30}?[ \t]+>(?<secret>[^\s]+)/g,
});

/** Django's `create_superuser('u', 'e@x', 'pw')` / `create_user(…)` third argument and `set_password('pw')`, as literals. */
export const djangoPasswordCall = defineRule({
  id: 'django-password-call',
  description: "a literal password in Django's create_superuser/create_user(user, email, 'pw') or set_password('pw')",
  hint: /create_superuser|create_user|set_password/,
  pattern:
    /(?:\bcreate_(?:super)?user\([ \t]*(?:'[^'\n]*'|"[^"\n]*"|[\w.]+)[ \t]*,[ \t]*(?:'[^'\n]*'|"[^"\n]*"|[\w.]+|None)[ \t]*,|\.set_password\()[ \t]*(?:'(?<secret>[^'\n]+)'|"(?<secret2>[^"\n]+)")/g,
});

/**
 * nginx sending a fixed credential upstream (`proxy_set_header X-Api-Key v;`): a header named like a
 * secret. A `$variable` value is nginx passing the client's own header on, and survives.
 */
export const nginxSecretHeader = defineRule({
  id: 'nginx-secret-header',
  description: 'a fixed value of a secret-named header in nginx (proxy_set_header X-Api-Key v;)',
  hint: /_set_header/,
  pattern:
    /\b(?:proxy|grpc|uwsgi|fastcgi)_set_header[ \t]+[\w-]*(?:[Kk]ey|[Tt]oken|[Ss]ecret|[Aa]uth|[Pp]assword|[Ss]ignature|[Cc]ookie)[\w-]*[ \t]+(?:"(?<secret>(?!\$)[^"\n]+)"|'(?<secret2>(?!\$)[^'\n]+)'|(?<secret3>[^\s;"'$][^\s;]*))/g,
});

/** A Kubernetes secret of type dockerconfigjson: its data is the base64 of a Docker config with auths. */
export const dockerConfigJson = defineRule({
  id: 'docker-config-json',
  description: 'base64 Docker config in a Kubernetes secret (.dockerconfigjson / .dockercfg data)',
  hint: /\.dockerc/,
  pattern: /\.docker(?:configjson|cfg)["']?[ \t]*:[ \t]*["']?(?<secret>[A-Za-z0-9+/]{16,}={0,2})/g,
});

export const pythonListSecret = defineRule({
  id: 'python-list-secret',
  description: "first value of a secret key in a Python dict of lists: <QueryDict: {'password': ['x']}>",
  hint: /': \[|':\[|": \[|":\[/,
  pattern: /(?<![\w.-])(?<q>["'])(?<key>[A-Za-z_][\w.-]{0,100})\k<q>[ \t]*:[ \t]*\[[ \t]*(?:'(?<secret>(?:[^'\\\n]|\\.)+)'|"(?<secret2>(?:[^"\\\n]|\\.)+)")/g,
});

export const secretKeyTable = defineRule({
  id: 'secret-key-table',
  description: 'a value beside its secret label in a table: aws configure list (value, then its Type column), or a | bordered row',
  hint: /key|secret|token|pass/i,
  confirm: /\||shared-credentials-file|config-file|iam-role|assume-role|container-role|[ \t](?:env|sso|manual|process)\b/,
  // The table must show itself: a `|` border on both sides of the value, or `aws configure list`'s Type
  // column after it. Two spaces alone are not enough: prose and aligned logs have them too.
  pattern:
    /(?<![\w.-])(?<key>[A-Za-z_][\w.-]{0,60})(?:[ \t]*\|[ \t]*(?<secret>[^\s|]{8,})(?=[ \t]*\|)|[ \t]{2,}(?<secret2>[^\s|]{8,})(?=[ \t]+(?:shared-credentials-file|config-file|env|iam-role|assume-role|container-role|sso|manual|process)\b))/g,
});

/**
 * The last line of defence (entropy.ts): a long high-entropy token on a line with a secret-ish word.
 * Its pattern lists the candidates; the engine runs it after every other rule, on what they left, and
 * keeps only tokens that pass entropy.ts's survivor shapes and entropy threshold.
 */
export const highEntropySecret = defineRule({
  id: ENTROPY_RULE,
  description: 'a long high-entropy token (24+ characters, mixed case and digits) just after a mention of a password, secret, token, key, auth or credential',
  hint: SECRET_WORD,
  pattern: CANDIDATE,
});

/** Rules of this file whose findings are chosen passwords, learned as literals for the rest of the run. */
export const LEARNING_FORMAT_RULES: ReadonlySet<string> = new Set([
  'redis-cli-password',
  'sshpass-password',
  'docker-login-password',
  'openssl-key',
  'curl-user-password',
  'htpasswd-password',
  'openssl-passphrase',
  'xml-secret',
  'attribute-secret',
  'netrc-password',
  'netrc-password-line',
  'pgpass-password',
  'python-list-secret',
  'rabbitmqctl-password',
  'redis-acl-password',
  'django-password-call',
]);

/** Format rules, in priority order (after the structure-aware rules, before the provider formats). */
export const formatRules: readonly Rule[] = Object.freeze([
  redisCliPassword,
  sshpassPassword,
  dockerLoginPassword,
  opensslKey,
  curlUserPassword,
  htpasswdPassword,
  opensslPass,
  xmlSecret,
  attributeSecret,
  netrcPassword,
  netrcPasswordLine,
  pgpassPassword,
  dockerAuth,
  passwordHash,
  htpasswdCrypt,
  rabbitmqctlPassword,
  redisAclPassword,
  djangoPasswordCall,
  nginxSecretHeader,
  dockerConfigJson,
  pythonListSecret,
  secretKeyTable,
  highEntropySecret,
]);
