// Room: cli (src/cli/) — may import every room; the only place that prints errors and calls process.exit.
/**
 * Messages fit to print. A usage error quotes what it rejects (`--docker-host ssh://user:PW@h`), so every
 * error, fatal message and warning passes through the built-in redactor before it reaches stderr, and
 * control characters in it are made visible. The redactor loads with import() on the first message, so
 * a run that prints none never pays for it, and `redact`/`--help` load nothing new (tests/architecture).
 * Only the built-in rules, no config: a config's own rules could be what failed.
 */
import type { Redactor } from '../../redaction/redactor.js';
import { printableLines } from '../core/printable.js';

/** A fresh redactor: a random key (a tag in a message cannot be tested against guesses), built-in rules only, learning nothing. */
async function newMessageRedactor(): Promise<Redactor> {
  const [{ Redactor }, { RedactionReport }, { newRedactionKey }] = await Promise.all([
    import('../../redaction/redactor.js'),
    import('../../redaction/report.js'),
    import('../../redaction/tags.js'),
  ]);
  return new Redactor({ key: newRedactionKey(), report: new RedactionReport(), learn: false });
}

/** Redacts messages for one CLI invocation; the redactor is built once, when the first message needs it. */
export class MessageRedactor {
  #redactor: Promise<Redactor> | undefined;

  /** `text` with every secret the built-in rules find replaced by a tag, and control characters visible. */
  async redact(text: string): Promise<string> {
    return (await this.ready())(text);
  }

  /** The same as a synchronous function, for a log that prints line by line (the schedule's run lines). */
  async ready(): Promise<(text: string) => string> {
    this.#redactor ??= newMessageRedactor();
    const redactor = await this.#redactor;
    return (text) => printableLines(redactor.text(text, 'message'));
  }
}
