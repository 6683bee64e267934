// Room: redaction (redaction/) — may import core only (the rule: tests/architecture.test.ts).
/**
 * Where a bare (unquoted) value under a secret key ends: one scanner per scanned text, so that the work
 * per match is bounded by the value itself, never a rescan from the line's start (a 1 MiB line with
 * thousands of `password=` pairs stays linear). See values.ts for the shapes.
 *
 * ## Where a bare value ends
 * - **config**: the key starts the line (column 0; in a file named as configuration also after
 *   indentation or a YAML list's `- `), is not quoted, and the file is not a shell script or history.
 *   The value runs to the end of the line (trailing blanks and CR stay outside), spaces, `#`, `;` and
 *   quotes included, as dotenv, docker compose and configparser read it. Exceptions, read as shell/log
 *   lines: another `name=` pair after a blank (`password=abc user=x`), a shell word at the start
 *   (`export`, `sudo`, a prompt), or, outside configuration files, an upper-case assignment followed by a
 *   command word (`PGPASSWORD=x psql -h db`).
 * - **shell/log**: anything else. The value ends at the first unescaped blank, never at punctuation
 *   (`; < > & | { } [ ] ( ) # $ ! " '` are all part of a password), except:
 *   - inside a string opened before the key (`sh -c "mysql --password=x"`, `'--token=x'`, a JSON log
 *     line's `"log":"… password=x\n"`), at that string's closing quote (and, in a double-quoted string,
 *     at an escaped `\"`, which closes a string nested in it). A string that starts with the pair itself
 *     (`"SECRET_KEY=a b"` in docker inspect's Env) runs to its closing quote, blanks included. Inside a
 *     single-quoted string, shell's `'\''` and YAML's `''` are escaped quotes, not the end;
 *   - `;` in a connection string (`Server=db;Password=x;Database=app`);
 *   - `, } ] )` after a quoted JSON/Python key (`{"password": 12345, …}`);
 *   - `&` and `#` in a URL query (`?sig=…&se=…`, or a line that is a query string).
 *   A backslash outside single quotes escapes the next character (`pa\ ss`); `${NAME}` is one word.
 */
import type { FileShape } from './values.js';

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
/** The next pair of a connection string after a `;`: `Database=`, `User ID=`. */
const CONNECTION_NEXT = /[A-Za-z][A-Za-z0-9_]{1,30}(?: [A-Za-z][A-Za-z0-9_]{1,30}){0,2}[ \t]*=/y;
/** How far back a config key's indentation is looked at. */
const MAX_INDENT = 200;

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const DQ = 0x22;
const SQ = 0x27;
const BACKSLASH = 0x5c;

const isBlank = (c: number): boolean => c === SPACE || c === TAB || c === CR;

/** Quote state before a position: outside any string, or inside a double- or single-quoted one. */
type Quote = 0 | typeof DQ | typeof SQ;

/**
 * Bare-value ends in one text (a line, or a window of one with its context). Keys must be asked about in
 * increasing order for the work to stay linear (a rule's matches come so); an earlier key restarts the
 * quote scan of its line, which is still correct.
 */
export class BareValues {
  readonly #text: string;
  readonly #shape: FileShape;
  /** The line being looked at: [lineStart, eol). */
  #lineStart = 0;
  #eol = -1;
  /** Per line, computed at most once: the line is a query string. */
  #queryLine: boolean | undefined;
  /** Quote state at #qPos (within the current line). */
  #qPos = 0;
  #quote: Quote = 0;

  constructor(text: string, shape: FileShape) {
    this.#text = text;
    this.#shape = shape;
  }

  #line(at: number): void {
    if (this.#eol !== -1 && at >= this.#lineStart && at <= this.#eol) return;
    const text = this.#text;
    // Lines are visited in order: the previous line's end bounds the scan back.
    const floor = this.#eol !== -1 && at > this.#eol ? this.#eol : 0;
    let start = at;
    while (start > floor && text.charCodeAt(start - 1) !== 0x0a) start--;
    this.#lineStart = start;
    const nl = text.indexOf('\n', at);
    this.#eol = nl === -1 ? text.length : nl;
    this.#queryLine = undefined;
    this.#qPos = start;
    this.#quote = 0;
  }

  /** The quote state just before `at`, scanning forward from where the last question left off. */
  #quoteAt(at: number): Quote {
    const text = this.#text;
    if (at < this.#qPos) {
      this.#qPos = this.#lineStart;
      this.#quote = 0;
    }
    let i = this.#qPos;
    let q = this.#quote;
    while (i < at) {
      const c = text.charCodeAt(i);
      if (q === SQ) {
        if (c === SQ) {
          if (text.startsWith("'\\''", i)) i += 4;
          else if (text.charCodeAt(i + 1) === SQ) i += 2;
          else {
            q = 0;
            i++;
          }
        } else i++;
      } else if (c === BACKSLASH) i += 2;
      else if (c === DQ) {
        q = q === DQ ? 0 : DQ;
        i++;
      } else if (c === SQ && q === 0) {
        // An apostrophe inside a word (`user's`) opens nothing; a quote after a blank or `=([,:{` does.
        const p = i === this.#lineStart ? SPACE : text.charCodeAt(i - 1);
        if (isBlank(p) || p === 0x3d || p === 0x28 || p === 0x5b || p === 0x2c || p === 0x3a || p === 0x7b) q = SQ;
        i++;
      } else i++;
    }
    // A backslash at the end of the scan may have stepped past `at`: the state is still the one before it.
    this.#qPos = Math.max(i, at);
    this.#quote = q;
    return q;
  }

  /**
   * A bare value that opens a structure rather than holding a secret: `[` or `{` after a quoted key
   * (`"tokens": [`, `'secrets': {`), a lone `[ { (` or an empty `[]`/`{}`/`()` (`SECRETS = {}`), or a
   * list or mapping of strings that closes at the end of the line (`API_KEYS = ["a", "b"]`): the other
   * rules read its members. `{}       *` or `["x` is a password that starts with a bracket.
   */
  opensStructure(start: number, quotedKey: boolean): boolean {
    const text = this.#text;
    const open = text[start];
    const close = open === '[' ? ']' : open === '{' ? '}' : open === '(' ? ')' : undefined;
    if (!close) return false;
    if (quotedKey && open !== '(') return true;
    this.#line(start);
    const eol = this.#eol;
    let i = start + 1;
    while (i < eol && isBlank(text.charCodeAt(i))) i++;
    if (i === eol) return true;
    const restBlank = (from: number): boolean => {
      let j = from;
      while (j < eol && (isBlank(text.charCodeAt(j)) || text[j] === ',' || text[j] === ';')) j++;
      return j === eol;
    };
    if (text[i] === close) return restBlank(i + 1);
    if (text[i] !== '"' && text[i] !== "'") return false;
    let end = eol;
    while (end > i && (isBlank(text.charCodeAt(end - 1)) || text[end - 1] === ',' || text[end - 1] === ';')) end--;
    return text[end - 1] === close;
  }

  /** Where the bare value starting at `valueStart` ends, for the key at [keyStart, keyEnd). */
  end(keyStart: number, keyEnd: number, valueStart: number): number {
    const text = this.#text;
    const shape = this.#shape;
    this.#line(keyStart);
    const lineStart = this.#lineStart;
    const eol = this.#eol;
    const prev = keyStart > lineStart ? text.charCodeAt(keyStart - 1) : -1;
    const quotedKey = text[keyEnd] === '"' || text[keyEnd] === "'" || text[keyEnd] === '\\';
    const atStart = keyStart === lineStart;
    // `?sig=…&se=…`: a URL query parameter ends at `&` or `#` as well; so does a line that is a query
    // string (`password=x&user=app`) under a lower-case key, outside configuration files (a SECRET_KEY
    // may hold `&k=`).
    let query = prev === 0x3f /* ? */ || prev === 0x26; /* & */
    if (!query && !shape.config && atStart && !/[A-Z]/.test(text.slice(keyStart, keyEnd))) {
      this.#queryLine ??= QUERY_LINE.test(text.slice(lineStart, eol));
      query = this.#queryLine;
    }
    if (!shape.shell && !quotedKey && !query && (atStart || (shape.config && isIndent(text, lineStart, keyStart)))) {
      const line = text.slice(lineStart, eol);
      // In a file named as configuration the whole rest is the value (dotenv reads `K=a b=c` as "a b=c").
      if (
        shape.config
          ? !SHELL_LINE_START.test(line)
          : !ANOTHER_PAIR.test(text.slice(valueStart, eol)) && !SHELL_LINE_START.test(line) && !PREFIX_ASSIGNMENT.test(line)
      ) {
        let end = eol;
        while (end > valueStart && isBlank(text.charCodeAt(end - 1))) end--;
        return end;
      }
    }
    // A quoted key's own quotes are behind the value: ask after them (`"password": x` is outside any string).
    // A quote right before the key opens a string holding the pair, whatever came before it on the line.
    const quote: Quote = !quotedKey && (prev === DQ || prev === SQ) ? prev : this.#quoteAt(quotedKey ? valueStart : keyStart);
    // `"KEY=value"`: a string holding the pair; the value runs to the string's closing quote.
    const pairString = quote === DQ && prev === DQ && !quotedKey;
    const connection = prev === 0x3b; /* ; */
    let i = valueStart;
    while (i < eol) {
      const c = text.charCodeAt(i);
      if (quote === SQ) {
        if (c === SQ) {
          if (text.startsWith("'\\''", i)) {
            i += 4;
            continue;
          }
          if (text.charCodeAt(i + 1) === SQ) {
            i += 2;
            continue;
          }
          break;
        }
        if (isBlank(c)) break;
        i++;
        continue;
      }
      if (c === BACKSLASH) {
        if (quote === DQ && !pairString && text.charCodeAt(i + 1) === DQ) break;
        i += 2;
        continue;
      }
      // `${NAME}` is one reference, braces included.
      if (c === 0x24 /* $ */ && text.charCodeAt(i + 1) === 0x7b) {
        const close = text.indexOf('}', i + 2);
        if (close !== -1 && close < eol && close - i < 256 && !/\s/.test(text.slice(i + 2, close))) {
          i = close + 1;
          continue;
        }
      }
      if (c === DQ && quote === DQ) break;
      if (isBlank(c) && !pairString) break;
      if (query && (c === 0x26 || c === 0x23)) break;
      if (c === 0x3b /* ; */ && (connection || (prev !== 0x2d /* - */ && connectionNext(text, i + 1)))) break;
      if (quotedKey && (c === 0x2c || c === 0x7d || c === 0x5d || c === 0x29)) break;
      i++;
    }
    return Math.min(i, eol);
  }
}

/** True when [lineStart, keyStart) is indentation, maybe with a YAML list's `- `. */
function isIndent(text: string, lineStart: number, keyStart: number): boolean {
  if (keyStart - lineStart > MAX_INDENT) return false;
  return /^[ \t]*(?:-[ \t]+)?$/.test(text.slice(lineStart, keyStart));
}

function connectionNext(text: string, at: number): boolean {
  CONNECTION_NEXT.lastIndex = at;
  return CONNECTION_NEXT.test(text);
}
