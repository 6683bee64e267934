/**
 * The built-in rule set, as data. A rule's match is the secret (or its `secret` group); context goes in
 * lookarounds or other groups. Each rule is checked when it is defined, not when it first runs.
 */
import type { Rule } from './rule.js';
import { SECRET_KEY_HINT } from './keys.js';

/** Validates a rule and freezes it. Throws with the rule id on a malformed rule. */
export function defineRule(rule: Rule): Rule {
  if (!/^[a-z][a-z0-9-]*$/.test(rule.id)) throw new Error(`rule "${rule.id}": id must be kebab-case`);
  if (!rule.pattern.global) throw new Error(`rule "${rule.id}": pattern needs the g flag`);
  if (rule.hint && (rule.hint.global || rule.hint.sticky)) throw new Error(`rule "${rule.id}": hint must be stateless (no g/y flag)`);
  if (rule.description.trim().length === 0) throw new Error(`rule "${rule.id}": description is required`);
  return Object.freeze({ ...rule });
}

/**
 * A quoted or bare value; quotes stay outside the secret groups so the shape survives. Alternatives
 * cannot share a group name on Node 20, so the engine takes the first group named `secret*` that matched.
 * A single-quoted value reads YAML's `''` and shell's `'\''` as quotes inside it, and a backslash
 * before its closing quote as itself (`'pa\'` in a shell script; Python's `'it\'s'` still escapes).
 * A bare value is matched by its first character only (any but a blank, an empty string's `""`/`''`
 * before a `, ; ) } ]` or the end, or
 * the `\"` of a JSON-escaped quote): where it ends is decided by bare-value.ts, in work bounded by the
 * value, so a line of many pairs is never rescanned to its end once per pair.
 * `\"...\"` is a quoted value inside a JSON string (a command in docker inspect, a JSON log message); a
 * bare value never takes the backslash of such a `\"`, or redacting it would unescape the quote, break
 * the JSON and leave the real value after it in plain sight.
 */
const VALUE = String.raw`(?:"(?<secret>(?:[^"\\\n]|\\.)+)"|'(?<secret2>(?:(?:[^'\\\n]|''|'\\''|\\[^\n])+\\?|\\))'|\\"(?<secret4>(?:[^"\\\n]|\\[^"\n])+)\\"|(?<secret3>(?!(?:""|'')[ \t\r]*(?:[,;)}\]]|$)|\\")\S))`;

/**
 * After a `:`: not `host:port`. A colon glued between a name and 1-5 digits that end the value (or start a
 * path) is an address such as `token-service:8000/` or `secrets.example.com:443`, not `key: value`; a
 * quoted key (`"password":12345`) or a space after the colon still reads as a key and its value.
 */
const NOT_A_PORT = String.raw`(?!(?<=[A-Za-z0-9_.-]:)\d{1,5}(?:/|(?![^\s"',;&<>()\[\]{}])))`;

/**
 * An INI/YAML key with blanks inside at the start of a line (`secret key = x`, `api token: x`): up to
 * four words, directly before the separator. Only a configuration file reads it as a key (spans.ts).
 */
const SPACED_KEY = String.raw`(?<=^[ \t]{0,40})[A-Za-z_][A-Za-z0-9_.-]{0,60}(?:[ \t][A-Za-z_][A-Za-z0-9_.-]{0,40}){1,3}(?=[ \t]*[=:])`;

export const urlPassword = defineRule({
  id: 'url-password',
  description: 'password in the userinfo of a URL (scheme://user:password@host)',
  // `://`, and an `@` before the next blank or `/`: userinfo holds neither.
  hint: /:\/\/[^\s/]*@/,
  // The password runs to the last @ before the host, so an unencoded @ inside it (p@ss) does not leak the rest.
  // Starts with the literal `://` (V8 then skips ahead to it instead of trying a lookbehind at every
  // position); the scheme before it is checked by a short lookbehind.
  pattern: /:\/\/(?<=\b[a-zA-Z][a-zA-Z0-9+.-]{0,30}:\/\/)[^:/\s@"'<>]{0,256}:(?<secret>[^\s/"'<>]+)(?=@[^\s@/"'<>?#]*(?:[\s/"'<>?#]|$))/g,
});

export const authorizationHeader = defineRule({
  id: 'authorization-header',
  description: 'credentials after Authorization: Bearer/Basic/Token',
  hint: /authorization/i,
  // `Authorization: Bearer x`, `"Authorization": "Basic x"`, and nginx's `proxy_set_header Authorization "Basic x";`.
  // With only a blank after the header name, the value must be quoted (nginx), or prose would match.
  pattern: /(?<=authorization["']?(?:\s*[:=]\s*["']?|[ \t]+["'])(?:bearer|basic|token|digest)\s+)(?<secret>[A-Za-z0-9._~+/=-]{4,})/gi,
});

export const secretKeyValue = defineRule({
  id: 'secret-key-value',
  description: 'value of a secret-looking key: KEY=value, "key": "value", key: value, \'KEY\': \'value\'',
  hint: SECRET_KEY_HINT,
  // `\]?`: a Python subscript assignment, CACHES['default']['OPTIONS']['PASSWORD'] = '…'.
  // Not right after `scheme://`: `https://x-access-token:<pw>@github.com/…` is a URL's user and password
  // (url-password), not `key: value`; read as one, the host and path went into the token too.
  // A key may follow `--` (`mysqldump --password=x`) but never start inside a name (`db-password`).
  pattern: new RegExp(
    String.raw`(?<![A-Za-z0-9_.]|[A-Za-z0-9_.]-|:\/\/)(?<key>${SPACED_KEY}|[A-Za-z_][A-Za-z0-9_.-]{0,100})(?:\\?["'])?\]?\s*(?:=|:(?!//)${NOT_A_PORT})\s*${VALUE}`,
    'g',
  ),
});

export const settingsDefault = defineRule({
  id: 'settings-default',
  description: "default value of a secret read from the environment: os.environ.get('DB_PASSWORD', '…'), env('X_TOKEN', default='…'), config(...)",
  hint: /environ|getenv|env\(|config\(/,
  pattern:
    /(?:environ\.get|environ\.setdefault|getenv|\benv(?:\.str)?|\bconfig)\(\s*["'](?<key>[A-Za-z_][A-Za-z0-9_]*)["']\s*,\s*(?:default\s*=\s*)?(?:"(?<secret>[^"\n]+)"|'(?<secret2>[^'\n]+)')/g,
});

/** A bare, single- or double-quoted command-line value (shell's `'\\''` inside single quotes); quotes stay outside the secret. */
const ARG_VALUE = String.raw`(?:"(?<secret>(?:[^"\\\n]|\\.)+)"|'(?<secret2>(?:[^'\n]|'\\'')+)'|(?<secret3>(?:\\[^"\n]|[^\s"'\\-])(?:\\[^"\n]|[^\s"'\\])*))`;
/**
 * The next element of a one-line argv list, `"--password", "value"` (JSON) or `'--password', 'value'`
 * (a Python list): the flag's closing quote, a comma, and the value in the same quotes.
 */
const LIST_NEXT = String.raw`(?<q>["'])[ \t]*,[ \t]*\k<q>(?<secret4>(?:(?!\k<q>)[^\\\n]|\\.)+)\k<q>`;

export const cliFlag = defineRule({
  id: 'cli-flag',
  description: 'value after a secret-looking command-line flag: --password x, -token x, ["--password", "x"] (the --flag=x form is secret-key-value)',
  hint: SECRET_KEY_HINT,
  pattern: new RegExp(String.raw`(?<![A-Za-z0-9_.-])--?(?<key>[A-Za-z][A-Za-z0-9_.-]{0,60})(?:[ \t]+${ARG_VALUE}|${LIST_NEXT})`, 'g'),
});

export const mysqlPassword = defineRule({
  id: 'mysql-password',
  description: 'password glued to -p in a mysql/mysqldump/mysqladmin command line (-pSECRET, -p"SECRET", -p\'SECRET\')',
  hint: /mysql/i,
  // Forward from the program name, at most 300 characters to its -p: a lookbehind here was retried at
  // every position of a long line.
  pattern: /\bmysql(?:dump|admin|sh|import|check)?\b[^\n]{0,300}?[ \t"']-p(?:"(?<secret>(?:[^"\\\n]|\\.)+)"|'(?<secret2>[^'\n]+)'|(?<secret3>[^\s"'\\]+))/g,
});

export const djangoSecretKeyFallbacks = defineRule({
  id: 'django-secret-key-fallbacks',
  description: "Django's retired secret keys in SECRET_KEY_FALLBACKS = ['…', '…']",
  hint: /SECRET_KEY_FALLBACKS/,
  // Forward only: the list's opening takes the first key; each later match starts at the `, '` after a
  // closing quote (the global regex resumes right there), so every key is taken in one linear pass. A
  // lookbehind to the list's start, tried after every quote, was quadratic on a line of quotes.
  pattern: /(?:SECRET_KEY_FALLBACKS["']?[ \t]{0,20}[:=][ \t]{0,20}[[(]|(?<=["'])[ \t]*,)[ \t]*(?<q>["'])(?<secret>[^"'\s,][^"'\n]*)\k<q>/g,
});

/** The structure-aware rules, in priority order (earlier rules win overlapping matches at the same start). */
export const builtinRules: readonly Rule[] = Object.freeze([
  urlPassword,
  authorizationHeader,
  secretKeyValue,
  settingsDefault,
  cliFlag,
  mysqlPassword,
  djangoSecretKeyFallbacks,
]);
