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
 * The literal set of one run. `version` changes when something is added, so the redactor can rebuild
 * its matcher lazily. Values are kept in memory only; they are never written anywhere.
 */
export class LiteralSet {
  readonly #values = new Set<string>();
  #version = 0;
  #re: RegExp | undefined;
  #reVersion = -1;
  #byteRe: RegExp | undefined;
  #byteReVersion = -1;

  /** Adds a secret (and its encoded forms). Returns false when it is too short to add safely. */
  add(value: string): boolean {
    if (value.length < MIN_LITERAL_LENGTH) return false;
    let added = false;
    for (const form of literalForms(value)) {
      if (!this.#values.has(form)) {
        this.#values.add(form);
        added = true;
      }
    }
    if (added) this.#version++;
    return true;
  }

  get size(): number {
    return this.#values.size;
  }

  get version(): number {
    return this.#version;
  }

  /** Like `matcher`, for the redactor's byte strings (each UTF-8 byte one character). */
  byteMatcher(): RegExp | undefined {
    if (this.#values.size === 0) return undefined;
    if (this.#byteReVersion !== this.#version) {
      const alternatives = [...this.#values].map((v) => Buffer.from(v, 'utf8').toString('latin1')).sort((a, b) => b.length - a.length).map(escapeRe);
      this.#byteRe = new RegExp(alternatives.join('|'), 'gd');
      this.#byteReVersion = this.#version;
    }
    return this.#byteRe;
  }

  /** One global regex matching any form, longest first (so a form is not cut by a shorter one). */
  matcher(): RegExp | undefined {
    if (this.#values.size === 0) return undefined;
    if (this.#reVersion !== this.#version) {
      const alternatives = [...this.#values].sort((a, b) => b.length - a.length).map(escapeRe);
      this.#re = new RegExp(alternatives.join('|'), 'gd');
      this.#reVersion = this.#version;
    }
    return this.#re;
  }
}
