/**
 * Structure-aware secret finding for command lines and environments, where a line rule cannot see a
 * key and its value together: `["--password", "x"]` is two array elements, `--token "a b"` has a
 * value with a space in it, `-pXXX` glues a mysql password to its flag.
 *
 * These functions do not make tokens (only the redactor holds the run's key). They find each secret
 * and let the caller decide what replaces it, through `replace(secret, site)`. A collector uses that
 * to put the secret in a shape the streaming redactor tokenises in full, before serialising.
 */
import { isSecretKeyName, keyWords } from './keys.js';

/** Where a secret was found. */
export interface SecretSite {
  /** The name that marks the value as secret: a flag (`--db-password` → `db-password`) or variable (`DB_PASSWORD`). */
  readonly key: string;
  /**
   * How it is written: `assignment` (KEY=value), `flag-joined` (--key=value), `flag-separate`
   * (--key value) or `attached` (mysql's -pvalue).
   */
  readonly form: 'assignment' | 'flag-joined' | 'flag-separate' | 'attached';
}

/** Returns what replaces `secret` (the unquoted value) at `site`. */
export type ReplaceSecret = (secret: string, site: SecretSite) => string;

/** Programs whose `-p<value>` (glued) is a password; elsewhere `-p` is usually a port. */
const MYSQL_FAMILY = /(?:^|\/)(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlcheck|mysqlshow|mysqlpump|mysqlsh|mariadb|mariadb-dump|mariadb-admin)$/;

/** A reference to another variable is not a secret itself (`--password $DB_PASSWORD`). */
const REFERENCE = /^\$(?:\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)$/;

const FLAG = /^(--?)([A-Za-z][A-Za-z0-9_.-]*)$/;
const FLAG_JOINED = /^(--?)([A-Za-z][A-Za-z0-9_.-]*)=/;
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_.]*)=/;

const worthHiding = (value: string): boolean => value.length > 0 && !REFERENCE.test(value);

/**
 * Redacts an argv: `--password x`, `--password=x`, `-token x`, `KEY=x` (as `env` takes it), mysql's
 * `-pXXX`, and the same inside an element that is a whole shell command (`sh -c "mysql -pXXX db"`).
 * `program` is argv[0] when argv holds only the arguments (`Args` beside `Path`).
 */
export function redactArgv(argv: readonly string[], replace: ReplaceSecret, options: { program?: string } = {}): string[] {
  const words = argv.map((text) => ({ text, value: text }));
  const mysql = [options.program ?? '', ...argv].some((a) => MYSQL_FAMILY.test(a));
  const out = [...argv];
  const edits = scanWords(words, mysql);
  for (const e of edits) out[e.index] = argv[e.index]!.slice(0, e.from) + replace(e.secret, e.site) + argv[e.index]!.slice(e.to);
  // An element with whitespace is a command line of its own (the script of `sh -c`): scan its words.
  return out.map((el, i) => (edits.some((e) => e.index === i) || !/\s/.test(el) ? el : redactCommandLine(el, replace, { mysql })));
}

/** Redacts `KEY=value` entries (a container's Env) whose key names a secret. */
export function redactEnv(env: readonly string[], replace: ReplaceSecret): string[] {
  return env.map((entry) => {
    const eq = entry.indexOf('=');
    if (eq <= 0) return entry;
    const key = entry.slice(0, eq);
    const value = entry.slice(eq + 1);
    return isSecretKeyName(key) && worthHiding(value) ? `${key}=${replace(value, { key, form: 'assignment' })}` : entry;
  });
}

/** Redacts a shell command line given as one string, keeping everything but the secrets as it was. */
export function redactCommandLine(line: string, replace: ReplaceSecret, options: { mysql?: boolean } = {}): string {
  const words = shellWords(line);
  const mysql = options.mysql || words.some((w) => MYSQL_FAMILY.test(w.value));
  const edits = scanWords(words, mysql);
  let out = line;
  // Right to left, so earlier offsets stay valid.
  for (const e of [...edits].sort((a, b) => b.rawFrom - a.rawFrom)) out = out.slice(0, e.rawFrom) + replace(e.secret, e.site) + out.slice(e.rawTo);
  return out;
}

interface Word {
  /** As written (with quotes). */
  readonly text: string;
  /** As the program receives it (quotes removed). */
  readonly value: string;
  /** Offset of `text` in the line, and for each character of `value` the offset of its source. */
  readonly start?: number;
  readonly sources?: readonly number[];
}

interface Edit {
  readonly index: number;
  /** Span of the secret within the element (argv mode). */
  readonly from: number;
  readonly to: number;
  /** Span within the whole line (command-line mode). */
  readonly rawFrom: number;
  readonly rawTo: number;
  readonly secret: string;
  readonly site: SecretSite;
}

/** Finds the secrets in a sequence of words; spans are given both per element and per line. */
function scanWords(words: readonly Word[], mysql: boolean): Edit[] {
  const edits: Edit[] = [];
  /** Edit covering `value[from..]` of word i. */
  const tail = (i: number, from: number, site: SecretSite): void => {
    const w = words[i]!;
    const secret = w.value.slice(from);
    if (!worthHiding(secret)) return;
    // In a command line: from just after the character before the value (so `=` and `-p` stay, an
    // opening quote goes), or from the word's start, to the word's end (a closing quote goes too).
    const base = w.start ?? 0;
    const rawFrom = from === 0 || !w.sources ? base + from : w.sources[from - 1]! + 1;
    const rawTo = base + w.text.length;
    edits.push({ index: i, from, to: w.text.length, rawFrom, rawTo, secret, site });
  };
  for (let i = 0; i < words.length; i++) {
    const v = words[i]!.value;
    if (mysql && /^-p./.test(v)) {
      tail(i, 2, { key: 'password', form: 'attached' });
      continue;
    }
    const joined = FLAG_JOINED.exec(v);
    if (joined) {
      if (isSecretKeyName(joined[2]!)) tail(i, joined[0].length, { key: joined[2]!, form: 'flag-joined' });
      continue;
    }
    const flag = FLAG.exec(v);
    if (flag) {
      const next = words[i + 1];
      // `-p` alone makes mysql prompt; the next word is the database, not a password.
      if (isSecretKeyName(flag[2]!) && next && !next.value.startsWith('-') && !(mysql && flag[2] === 'p')) {
        tail(i + 1, 0, { key: flag[2]!, form: 'flag-separate' });
        i++;
      }
      continue;
    }
    const assignment = ASSIGNMENT.exec(v);
    if (assignment && isSecretKeyName(assignment[1]!)) tail(i, assignment[0].length, { key: assignment[1]!, form: 'assignment' });
  }
  return edits;
}

/**
 * Splits a shell command line into words the way sh would for plain words and quotes (no expansion):
 * whitespace and `;`, `|`, `&` separate; '…' is literal; "…" and \ escape. Keeps each word's source span.
 */
export function shellWords(line: string): Word[] {
  const words: Word[] = [];
  let value = '';
  let sources: number[] = [];
  let start = -1;
  const end = (at: number): void => {
    if (start !== -1) words.push({ text: line.slice(start, at), value, start, sources });
    value = '';
    sources = [];
    start = -1;
  };
  const add = (ch: string, at: number): void => {
    value += ch;
    sources.push(at);
  };
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (/\s/.test(ch) || ch === ';' || ch === '|' || ch === '&') {
      end(i);
      continue;
    }
    if (start === -1) start = i;
    if (ch === "'") {
      const close = line.indexOf("'", i + 1);
      const stop = close === -1 ? line.length : close;
      for (let j = i + 1; j < stop; j++) add(line[j]!, j);
      i = stop;
    } else if (ch === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && j + 1 < line.length && '"\\$`'.includes(line[j + 1]!)) j++;
        add(line[j]!, j);
      }
      i = j;
    } else if (ch === '\\' && i + 1 < line.length) {
      add(line[i + 1]!, i + 1);
      i++;
    } else add(ch, i);
  }
  end(line.length);
  return words;
}

/** The parts of `docker inspect` that hold command lines and environments. */
interface InspectShape {
  Path?: unknown;
  Args?: unknown;
  Config?: { Env?: unknown; Cmd?: unknown; Entrypoint?: unknown; Healthcheck?: { Test?: unknown } | null } | null;
}

const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);

/**
 * Returns a copy of a container's `docker inspect` document with the secrets in `Config.Env`,
 * `Config.Entrypoint` + `Config.Cmd`, `Path` + `Args` and `Config.Healthcheck.Test` replaced.
 * Labels and other maps are left to the line rules, which see `"key": "value"` on one line.
 */
export function redactInspectStructure<T extends object>(inspect: T, replace: ReplaceSecret): T {
  const doc = structuredClone(inspect) as T & InspectShape;
  const config = doc.Config;
  if (config) {
    const env = strings(config.Env);
    if (env) config.Env = redactEnv(env, replace);
    const entrypoint = strings(config.Entrypoint) ?? [];
    const cmd = strings(config.Cmd) ?? [];
    if (entrypoint.length + cmd.length > 0) {
      // One command line: a secret flag at the end of the entrypoint may take its value from Cmd.
      const all = redactArgv([...entrypoint, ...cmd], replace);
      if (strings(config.Entrypoint)) config.Entrypoint = all.slice(0, entrypoint.length);
      if (strings(config.Cmd)) config.Cmd = all.slice(entrypoint.length);
    }
    const test = strings(config.Healthcheck?.Test);
    if (test && config.Healthcheck) config.Healthcheck.Test = [test[0]!, ...redactArgv(test.slice(1), replace)];
  }
  const args = strings(doc.Args);
  if (args) doc.Args = redactArgv(args, replace, typeof doc.Path === 'string' ? { program: doc.Path } : {});
  return doc;
}

/** The key words of a site's key joined by `_`: a name every key-aware rule accepts (`db-pass` → `db_pass`). */
export const siteKeyName = (site: SecretSite): string => keyWords(site.key).join('_') || 'secret';
