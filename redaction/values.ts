// Room: redaction (redaction/) — may import core only (the rule: tests/architecture.test.ts).
/**
 * Value classification: which values under secret keys are never secrets, which part of a value is the
 * secret, and what a file's name says about its lines. Where a bare value ends is bare-value.ts.
 */
import { looksRandom } from './literals.js';
import { keyWords } from './keys.js';
import { TOKEN_PREFIX } from './tags.js';
import { fromBytes } from './bytes.js';

/**
 * Values that are never secrets whatever the key: placeholders (`<your-password>`, not `<#'H2";>`), empties, masked values
 * (`****************ABCD` in `aws configure list`), our own tokens, and YAML block indicators
 * (`ssh_private_key: |`: the value is on the lines below).
 */
const NOT_A_SECRET =
  /^(?:null|none|nil|true|false|undefined|\*+|\*{4,}[A-Za-z0-9]{1,8}|x+|<[A-Za-z][\w .-]*>|%\([^)]*\)s|[|>][-+1-9]{0,2}|\{\{[^{}]*\}\}|<not set>|[([{\\])$/i;
/**
 * A reference to another variable: `$DB_PASSWORD`, `${DB_PASSWORD}`. Only upper-case names (how
 * environment variables are written): `$ecr3t99` or `$aB_x` is a password that starts with a dollar.
 */
const REFERENCE = /^\$(?:\{[A-Z_][A-Z0-9_]*\}|[A-Z_][A-Z0-9_]*)$/;
/** A reference to another setting or attribute (`secret = settings.SECRET_KEY`), not the secret itself. */
export const ATTRIBUTE_REFERENCE = /^(?:settings|self|cls|os\.environ|config|conf|request|app\.config)\.[A-Za-z_][A-Za-z0-9_.]*$/;
/** A model field's type in a schema dump (`"auth_token": "CharField"`), not a value. */
export const FIELD_TYPE = /^[A-Z][A-Za-z]*Field$/;
/**
 * Code, not a value: a call or subscript whose arguments read as code (`os.environ.get('X', 'y')`,
 * `env("DB_PASSWORD")`, `config['x']`, `get_random_secret_key()`), or a bare value cut at a call's
 * opening parenthesis by its quoted argument (`os.environ.get(` before `'X')`). A Django key such as
 * `k(3!x#…)` is not code: `!`, `#`, `&`, `@`, `^`, `%` and `*` are no argument characters.
 */
const Q = String.raw`(?:'[^'\n]*'|"[^"\n]*")`;
/** One argument: a string, a number, a name, or name=value (`default='x'`, `cast=str`). */
const ARG = String.raw`(?:${Q}|-?\d+(?:\.\d+)?|[A-Za-z_][\w.]*(?:[ \t]*=[ \t]*(?:${Q}|[\w.]+))?)`;
const CODE = new RegExp(
  String.raw`^[A-Za-z_][A-Za-z0-9_.]*[ \t]*(?:\([ \t]*(?:${ARG}(?:[ \t]*,[ \t]*${ARG})*[ \t]*,?)?[ \t]*\)|\[[ \t]*(?:${Q}|\d+)[ \t]*\])(?:[ \t]+(?:or|if|else|and)\b.*|[ \t]*#.*)?$`,
);
const CALL_OPENING = /^[A-Za-z_][A-Za-z0-9_.]*[([]$/;
/**
 * A bare value that starts with a call or subscript and goes on as code
 * (`request.headers["Authorization"].split()[1]`): the call's arguments read as code, and so does the
 * rest (names, calls, subscripts; no `!#$%&*`), so `A()(!!x` or `k(3!…` stays a password.
 */
const CODE_PREFIX = new RegExp(
  String.raw`^[A-Za-z_][A-Za-z0-9_.]*(?:\([ \t]*(?:${ARG}(?:[ \t]*,[ \t]*${ARG})*[ \t]*,?)?[ \t]*\)|\[[ \t]*(?:${Q}|\d+)[ \t]*\])(?=[.[])[\w.()[\]'", -]*$`,
);

export function isPlausibleSecret(value: string): boolean {
  return !value.startsWith(TOKEN_PREFIX) && !NOT_A_SECRET.test(value) && !REFERENCE.test(value);
}

/** True when a bare value is code (a call or a subscript) rather than a secret; `next` is the character after it. */
export const isCode = (value: string, next: string | undefined): boolean =>
  CODE.test(value) || CODE_PREFIX.test(value) || (CALL_OPENING.test(value) && (next === "'" || next === '"' || next === ')' || next === ']'));

/** Files whose lines are shell commands: a bare value there ends at a blank. */
const SHELL_FILE = /(?:^|[/\\])(?:\.?[A-Za-z]*_?history|[^/\\]*\.(?:sh|bash|zsh|ksh)|cmdline|ps(?:-[a-z]+)?\.txt|[^/\\]*\.(?:cmd|bat|ps1))$/i;
/** Files whose lines are configuration: an indented `key: value` runs to the end of the line too. */
const CONFIG_FILE =
  /(?:^|[/\\])(?:\.env[^/\\]*|[^/\\]*\.(?:env|ini|cfg|conf|cnf|properties|toml|ya?ml)|\.?(?:netrc|pgpass|pypirc|npmrc|my\.cnf)|credentials|config)$/i;
/** The line shapes a file's name decides (see the module comment). */
export interface FileShape {
  /** Lines are shell commands (history, scripts, process lists). */
  readonly shell: boolean;
  /** Lines are configuration (.env, INI, YAML, credentials). */
  readonly config: boolean;
  /** Secrets there carry no keyword: skip the pre-filter. */
  readonly everyLine: boolean;
  /** A credential file named for its format, .netrc/_netrc or .htpasswd (formats.ts's NETRC_ONLY_RULES run only there). */
  readonly netrc: boolean;
}

export const fileShape = (file: string): FileShape => ({
  shell: SHELL_FILE.test(file),
  config: CONFIG_FILE.test(file),
  everyLine: EVERY_LINE_FILE.test(file),
  netrc: NETRC_FILE.test(file),
});

/** Credential files named for their format, where the NETRC_ONLY_RULES run: .netrc/_netrc and .htpasswd. */
const NETRC_FILE = /(?:^|[/\\])(?:[_.]?netrc|\.?htpasswd[^/\\]*)$/i;

/** Files whose secrets carry no keyword (`.pgpass`: host:port:db:user:password): every line runs every rule. */
const EVERY_LINE_FILE = /(?:^|[/\\])\.?pgpass$|(?:^|[/\\])[_.]?netrc$|(?:^|[/\\])\.?htpasswd[^/\\]*$/i;

/** A key name that may still be secret when its value looks random (randomUnderKeyName): test before reading the value. */
export const mayBeRandomKey = (key: string): boolean => /key$/i.test(key) || /^auth$/i.test(key);

/**
 * `STRIPE_KEY`, `PAYMENT_PROVIDER_KEY`: a name ending in KEY without a qualifier word is secret when
 * its value looks like one (long and random); `SORT_KEY=created_at` or `PRIMARY_KEY=id` are not. A key
 * that is just `auth` holding 32+ hex digits is an auth token (Twilio's `auth: <32 hex>`); `auth: basic`
 * is not, and `GITHUB_AUTH=github_pat_…` is left to its provider's rule.
 */
export function randomUnderKeyName(key: string, value: string): boolean {
  if (/^[\W_]*auth[\W_]*$/i.test(key)) return /^[0-9a-fA-F]{32,128}$/.test(value);
  // The last word must be `key`: a name without those letters is out before the (costlier) word split.
  if (!/key/i.test(key)) return false;
  const words = keyWords(key);
  if (words.at(-1) !== 'key' || NON_SECRET_KEY_KINDS.has(words.at(-2) ?? '')) return false;
  // A path (NetworkSettings.SandboxKey: /var/run/docker/netns/1a2b3c) is where a key lives, not a key.
  return value.length >= 12 && !value.includes('/') && looksRandom(fromBytes(value)) && /\d/.test(value);
}

/**
 * A URL under a secret key (`SENTRY_DSN=https://<key>@o1.ingest.sentry.io/42`) holds its secret in the
 * userinfo; host, path and project id are not secret. Returns the userinfo's [start, end) within
 * `value`, or undefined when the value is no URL with one (then the whole value is the secret).
 */
export function urlUserinfo(value: string): { start: number; end: number } | undefined {
  const m = /^[A-Za-z][A-Za-z0-9+.-]{0,30}:\/\//.exec(value);
  if (!m) return undefined;
  const hostEnd = value.slice(m[0].length).search(/[/?#]/);
  const authority = hostEnd === -1 ? value.slice(m[0].length) : value.slice(m[0].length, m[0].length + hostEnd);
  const at = authority.lastIndexOf('@');
  return at > 0 ? { start: m[0].length, end: m[0].length + at } : undefined;
}

/** `<word>_KEY` names that are never secrets. */
const NON_SECRET_KEY_KINDS = new Set([
  'sandbox',
  'primary',
  'foreign',
  'sort',
  'partition',
  'routing',
  'cache',
  'idempotency',
  'public',
  'lookup',
  'group',
  'dedup',
  'unique',
  'index',
  'hash',
  'shard',
  'composite',
  'natural',
  'row',
  // GPG_KEY in the official Python images: the public fingerprint of the release signing key.
  'gpg',
]);
