// Room: redaction (redaction/) — may import core only (the rule: tests/architecture.test.ts).
/**
 * Private key blocks that span lines (PEM/OpenSSH): where one opens and ends, and the running hash of its
 * body, so the body is replaced by one token whose tag does not depend on layout.
 */
import type { Hmac } from 'node:crypto';

/** A private key block opens here (the body follows on the next lines). */
export const PEM_BEGIN = /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----/;
export const PEM_END = /-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/;
export const PEM_RULE = 'private-key';

/** A private key body being read. */
export interface KeyBody {
  readonly hmac: Hmac;
  readonly line: number;
  readonly indent: string;
  readonly eol: string;
  /** The body so far is nothing but one of our own key tokens (kept as it is); null once it holds anything else. */
  own: string | null | undefined;
}

/**
 * Hashes part of a private key body. Line breaks, indentation and carriage returns are layout, not key:
 * the same key gets the same tag in a .pem file, an indented YAML block and a CRLF file.
 */
export function hashKeyBody(pem: KeyBody, text: string): void {
  if (/^[ \t\r]*$/.test(text)) return;
  pem.own = pem.own === undefined && OWN_KEY_TOKEN.test(text) ? text : null;
  pem.hmac.update(text.replace(/[ \t\r]/g, ''), 'latin1');
}

/** A body line that is one of our own private key tokens. */
export const OWN_KEY_TOKEN = /^[ \t]*\[REDACTED:private-key:[0-9a-f]{8}\][ \t\r]*$/;
