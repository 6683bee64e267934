/**
 * Value classification: where a value under a secret key ends, and which values are never secrets.
 *
 * ## Where a bare (unquoted) value ends
 * A value under a secret-like key is redacted whole, whatever its characters (a Django SECRET_KEY is
 * drawn from `a-z0-9!@#$%^&*(-_=+)`), up to where the line's format ends the value. Quoted values end
 * at their closing quote (the rules' patterns honour backslash escapes). For a bare value the line's
 * shape decides, and when the shape is unclear the longer reading wins (redact more):
 *
 * - **config** — the key starts the line (column 0; in a file named as configuration — `.env`, `.ini`,
 *   `.cfg`, `.conf`, `.yml`, `credentials`, … — also after indentation or a YAML list's `- `), is not
 *   quoted, and the file is not a shell script or history: `.env`, INI/`.cfg`, properties, YAML, `env`
 *   output. The value runs to the end of the line (trailing blanks and CR stay), spaces, `#`, `;` and
 *   quotes included: dotenv, docker compose and configparser all read it so. Exceptions, read as
 *   shell/log lines: the rest of the line holds another `name=` pair after a blank (`password=abc
 *   user=x` at the start of a log line); the line starts with a shell word (`export`, `sudo`, a prompt);
 *   outside configuration files, an upper-case assignment followed by a command word
 *   (`PGPASSWORD=x psql -h db`). An indented key in a file of unknown kind (a log, a command's output)
 *   is read as shell/log: its value ends at a blank (a Django key has none, so it is still whole).
 * - **shell/log** — anything else: the key is inside a line (`2024-… password=abc user=x`,
 *   `mysql --password=x db`), the line starts with a shell word (`export`, `sudo`, `env`, `$ ` prompt),
 *   or the file is a shell history or script (`PGPASSWORD=x psql -h db` is an assignment, then a
 *   command). The value ends at the first unescaped blank, or at a quote or `,;<>[]{}` that cannot be
 *   part of an unquoted shell word or log value; `( ) # & $ % ! @ ^ * = + | ~` do not end it. A
 *   backslash escapes the next character (`pa\ ss`), except `\"`, which closes a JSON string around
 *   the pair (`{"log":"password=abc\"…`). A URL query parameter (`?sig=…&se=…`) also ends at `&`
 *   and `#`. Inside a JSON string that holds the pair whole
 *   (`"SECRET_KEY=dz+4(k#7…"` in docker inspect's Env) the value runs to the string's closing quote.
 */
import { looksRandom } from './literals.js';
import { keyWords } from './keys.js';
import { TOKEN_PREFIX } from './tags.js';
import { fromBytes } from './bytes.js';

/**
 * Values that are never secrets whatever the key: placeholders, empties, references, masked values
 * (`****************ABCD` in `aws configure list`), our own tokens, and YAML block indicators
 * (`ssh_private_key: |`: the value is on the lines below).
 */
const NOT_A_SECRET =
  /^(?:null|none|nil|true|false|undefined|\*+|\*{4,}[A-Za-z0-9]{1,8}|x+|<[^>]*>|\$\{[A-Z_][A-Z0-9_]*\}|\$[A-Z_][A-Z0-9_]*|%\([^)]*\)s|[|>][-+1-9]{0,2}|\{\{[^{}]*\}\}|<not set>|[([{])$/i;
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

export function isPlausibleSecret(value: string): boolean {
  return !value.startsWith(TOKEN_PREFIX) && !NOT_A_SECRET.test(value);
}

/** True when a bare value is code (a call or a subscript) rather than a secret; `next` is the character after it. */
export const isCode = (value: string, next: string | undefined): boolean =>
  CODE.test(value) || (CALL_OPENING.test(value) && (next === "'" || next === '"' || next === ')' || next === ']'));

/** Files whose lines are shell commands: a bare value there ends at a blank. */
const SHELL_FILE = /(?:^|[/\\])(?:\.?[A-Za-z]*_?history|[^/\\]*\.(?:sh|bash|zsh|ksh)|cmdline|ps(?:-[a-z]+)?\.txt|[^/\\]*\.(?:cmd|bat|ps1))$/i;
/** Files whose lines are configuration: an indented `key: value` runs to the end of the line too. */
const CONFIG_FILE =
  /(?:^|[/\\])(?:\.env[^/\\]*|[^/\\]*\.(?:env|ini|cfg|conf|cnf|properties|toml|ya?ml)|\.?(?:netrc|pgpass|pypirc|npmrc|my\.cnf)|credentials|config)$/i;
/** Line starts that make a shell line whatever the file: `export K=v`, `sudo`, `env`, a prompt. */
const SHELL_LINE_START =
  /^[ \t]*(?:(?:[$#>%]|\+{1,3})[ \t]+|(?:export|set|setenv|declare(?:[ \t]+-[a-zA-Z]+)*|local|readonly|sudo|env|exec|RUN|ENV|ARG)[ \t]+)/;
/** A line that is nothing but a URL query string: `a=1&b=2`. */
const QUERY_LINE = /^[\w.-]+=[^&\s]*(?:&[\w.-]+=[^&\s]*)+[ \t\r]*$/;
/** Another `name=` pair after a blank: a key=value log line, not a config line. */
const ANOTHER_PAIR = /[ \t][A-Za-z_][A-Za-z0-9_.-]{0,60}=/;
/**
 * `PGPASSWORD=x psql -h db`: an environment assignment (upper-case name, `=` without blanks) and then
 * a command word. In a file not named as configuration, this is a shell line, not a value with spaces.
 */
const PREFIX_ASSIGNMENT = /^[A-Z_][A-Z0-9_]*=[^ \t]*[ \t]+[a-z][a-z0-9_.+-]*(?:[ \t]|$)/;

/** The line shapes a file's name decides (see the module comment). */
export interface FileShape {
  /** Lines are shell commands (history, scripts, process lists). */
  readonly shell: boolean;
  /** Lines are configuration (.env, INI, YAML, credentials). */
  readonly config: boolean;
  /** Secrets there carry no keyword: skip the pre-filter. */
  readonly everyLine: boolean;
  /** A .netrc/_netrc file (rules in formats.ts's NETRC_ONLY_RULES run only there). */
  readonly netrc: boolean;
}

export const fileShape = (file: string): FileShape => ({
  shell: SHELL_FILE.test(file),
  config: CONFIG_FILE.test(file),
  everyLine: EVERY_LINE_FILE.test(file),
  netrc: NETRC_FILE.test(file),
});

const NETRC_FILE = /(?:^|[/\\])[_.]?netrc$/i;

/** Files whose secrets carry no keyword (`.pgpass`: host:port:db:user:password): every line runs every rule. */
const EVERY_LINE_FILE = /(?:^|[/\\])\.?pgpass$|(?:^|[/\\])[_.]?netrc$/i;

/** Characters that end a bare value in the shell/log shape (besides blanks and `\"`). */
const ENDS_SHELL_VALUE = new Set([...`"'\`,;<>[]{}`].map((c) => c.charCodeAt(0)));

/**
 * Where the bare value that starts at `valueStart` ends, for the key at [keyStart, keyEnd) of `text`
 * (one line, possibly with earlier context of the same line before it). See the module comment.
 */
export function bareValueEnd(text: string, keyStart: number, keyEnd: number, valueStart: number, shape: FileShape): number {
  const lineStart = text.lastIndexOf('\n', keyStart - 1) + 1;
  let eol = text.indexOf('\n', valueStart);
  if (eol === -1) eol = text.length;
  const before = text.slice(lineStart, keyStart);
  const quotedKey = text[keyEnd] === '"' || text[keyEnd] === "'" || text[keyEnd] === '\\';
  // `?sig=…&se=…`: a URL query parameter ends at `&` or `#` as well; so does a line that is a query
  // string (`password=x&user=app`) under a lower-case key, outside configuration files (a SECRET_KEY
  // may hold `&k=`).
  const query =
    before.endsWith('?') ||
    before.endsWith('&') ||
    (!shape.config && before === '' && !/[A-Z]/.test(text.slice(keyStart, keyEnd)) && QUERY_LINE.test(text.slice(lineStart, eol)));
  if (!shape.shell && !quotedKey && !query && (before === '' || (shape.config && /^[ \t]*(?:-[ \t]+)?$/.test(before)))) {
    const line = text.slice(lineStart, eol);
    const rest = text.slice(valueStart, eol);
    // In a file named as configuration the whole rest is the value (dotenv reads `K=a b=c` as "a b=c").
    if (shape.config ? !SHELL_LINE_START.test(line) : !ANOTHER_PAIR.test(rest) && !SHELL_LINE_START.test(line) && !PREFIX_ASSIGNMENT.test(line)) {
      let end = eol;
      while (end > valueStart && (text[end - 1] === ' ' || text[end - 1] === '\t' || text[end - 1] === '\r')) end--;
      return end;
    }
  }
  // `"KEY=value"`: a JSON string holding the pair; the value runs to the string's closing quote.
  const inJsonString = before.endsWith('"') && !quotedKey;
  let i = valueStart;
  while (i < eol) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) {
      if (text[i + 1] === '"' && !inJsonString) break;
      i += 2;
      continue;
    }
    // `${NAME}` is one reference, braces included.
    if (c === 0x24 /* $ */ && text[i + 1] === '{') {
      const close = text.indexOf('}', i + 2);
      if (close !== -1 && close < eol && !/\s/.test(text.slice(i + 2, close))) {
        i = close + 1;
        continue;
      }
    }
    if (inJsonString) {
      if (c === 0x22) break;
    } else if (c === 0x20 || c === 0x09 || c === 0x0d || ENDS_SHELL_VALUE.has(c) || (query && (c === 0x26 || c === 0x23))) break;
    i++;
  }
  return Math.min(i, eol);
}

/**
 * `STRIPE_KEY`, `PAYMENT_PROVIDER_KEY`: a name ending in KEY without a qualifier word is secret when
 * its value looks like one (long and random); `SORT_KEY=created_at` or `PRIMARY_KEY=id` are not.
 */
export function randomUnderKeyName(key: string, value: string): boolean {
  // The last word must be `key`: a name without those letters is out before the (costlier) word split.
  if (!/key/i.test(key)) return false;
  const words = keyWords(key);
  if (words.at(-1) !== 'key' || NON_SECRET_KEY_KINDS.has(words.at(-2) ?? '')) return false;
  // A path (NetworkSettings.SandboxKey: /var/run/docker/netns/1a2b3c) is where a key lives, not a key.
  return value.length >= 12 && !value.includes('/') && looksRandom(fromBytes(value)) && /\d/.test(value);
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
]);
