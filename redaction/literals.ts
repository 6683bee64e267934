import { LiteralIndex } from './literal-index.js';

/**
 * Known-secret literals: values the run learns (a Django SECRET_KEY, a database password, an env value
 * under a secret-looking key) are removed wherever else they appear, also in the forms they take when
 * embedded elsewhere: URL-encoded, base64 and JSON-escaped (as JavaScript, Python and Go escape it).
 */

/** Shorter values are too likely to be ordinary words to remove everywhere. */
export const MIN_LITERAL_LENGTH = 6;

/** Values learned from a rule's match (not declared by a collector) must also look random enough. */
export function looksRandom(value: string): boolean {
  if (value.length < 8) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(value)).length;
  return classes >= 2;
}

/** `\u00e9` for é: a JSON escape with lower-case hex, as Python and Go write it. */
const unicodeEscape = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** The forms one secret takes in other text. */
export function literalForms(value: string): string[] {
  const forms = new Set<string>([value]);
  forms.add(encodeURIComponent(value));
  const json = JSON.stringify(value).slice(1, -1);
  forms.add(json);
  // JSON as Python writes it (json.dumps escapes everything outside ASCII) and as Go does (docker
  // inspect: encoding/json escapes < > & and U+2028/U+2029).
  forms.add(json.replace(/[\u007f-\uffff]/g, unicodeEscape));
  forms.add(json.replace(/[<>&\u2028\u2029]/g, unicodeEscape));
  const b64 = Buffer.from(value, 'utf8').toString('base64');
  forms.add(b64);
  forms.add(b64.replace(/=+$/, ''));
  forms.add(b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
  return [...forms].filter((f) => f.length >= MIN_LITERAL_LENGTH);
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Learned values kept per run at most. Beyond it a value is still redacted by the rule that found it
 * wherever that rule sees it; only the search for it elsewhere stops (bounds memory with 100k+ secrets).
 */
export const MAX_LITERAL_VALUES = 50_000;

/**
 * The literal set of one run. `version` changes when something is added (the bundle writer passes files
 * spooled before a change through the redactor again). Values are kept in memory only; never written.
 * The redactor searches them through `index()`, an incremental index whose cost per scanned byte does
 * not grow with the number of values (literal-index.ts).
 */
export class LiteralSet {
  readonly #values = new Set<string>();
  readonly #index = new LiteralIndex();
  #count = 0;
  #version = 0;
  #re: RegExp | undefined;
  #reVersion = -1;

  /**
   * Adds a secret (and its encoded forms). Returns false when it is too short to add safely, or when the
   * set already holds MAX_LITERAL_VALUES values.
   */
  add(value: string): boolean {
    if (value.length < MIN_LITERAL_LENGTH) return false;
    if (this.#count >= MAX_LITERAL_VALUES && !this.#values.has(value)) return false;
    let added = false;
    for (const form of literalForms(value)) {
      if (!this.#values.has(form)) {
        this.#values.add(form);
        this.#index.add(Buffer.from(form, 'utf8').toString('latin1'));
        added = true;
      }
    }
    if (added) {
      this.#count++;
      this.#version++;
    }
    return true;
  }

  get size(): number {
    return this.#values.size;
  }

  get version(): number {
    return this.#version;
  }

  /**
   * The index of every form, as byte strings (each UTF-8 byte one character). The same object for the
   * whole run, also while the set is empty, so a scan that holds it sees values added mid-scan.
   */
  index(): LiteralIndex {
    return this.#index;
  }

  /**
   * One global regex over the byte-string forms (each UTF-8 byte one character), longest first. Kept for
   * callers that want a RegExp; the redactor uses `index()`, which is not rebuilt per added value.
   */
  byteMatcher(): RegExp | undefined {
    if (this.#values.size === 0) return undefined;
    if (this.#reVersion !== this.#version) {
      const alternatives = [...this.#values]
        .map((v) => Buffer.from(v, 'utf8').toString('latin1'))
        .sort((a, b) => b.length - a.length)
        .map(escapeRe);
      this.#re = new RegExp(alternatives.join('|'), 'gd');
      this.#reVersion = this.#version;
    }
    return this.#re;
  }

  /** One global regex matching any form (as text), longest first. Built on demand; not used per line. */
  matcher(): RegExp | undefined {
    if (this.#values.size === 0) return undefined;
    return new RegExp(
      [...this.#values]
        .sort((a, b) => b.length - a.length)
        .map(escapeRe)
        .join('|'),
      'gd',
    );
  }
}
