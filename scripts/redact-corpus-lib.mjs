/**
 * Scoring of the outside redaction corpus (tests/fixtures/redaction-corpus), shared by
 * scripts/redact-corpus.mjs and tests/redaction-outside/corpus.test.ts. Plain ESM, no imports of the engine:
 * the caller passes the redacted text.
 *
 * A secret is redacted whole when no 6-character substring of it remains in the output. For a multi-line
 * secret (a PEM body) each line of 6+ characters is checked, BEGIN/END lines excepted. A 6-character window
 * that also occurs in the original file outside every secret (a host name "github" next to a github_pat_
 * token) proves nothing and is not counted. A survivor must appear byte for byte in the output.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const CORPUS = new URL('../tests/fixtures/redaction-corpus/', import.meta.url).pathname;
export const WINDOW = 6;

/** The entries of expect.json, each with the original text of its file. */
export function loadCorpus(root = CORPUS) {
  const entries = JSON.parse(readFileSync(join(root, 'expect.json'), 'utf8'));
  return entries.map((e) => ({ ...e, text: readFileSync(join(root, e.file), 'utf8') }));
}

/** The parts of a secret that are checked: itself, or the body lines of a multi-line one. */
export function secretParts(secret) {
  if (!secret.includes('\n')) return [secret];
  return secret.split('\n').filter((l) => l.length >= WINDOW && !l.startsWith('-----'));
}

/** The original text with every part of every secret blanked out. */
export function withoutSecrets(text, secrets) {
  let blank = text;
  const parts = secrets.flatMap(secretParts).sort((a, b) => b.length - a.length);
  for (const p of parts) blank = blank.split(p).join('\u0000');
  return blank;
}

/**
 * The runs of a secret that remain in `output`: [{ part, start, end }] over the checked parts, merged from
 * leaked 6-character windows. Empty when the secret was redacted whole.
 */
export function remainingRuns(secret, output, blank) {
  const runs = [];
  for (const part of secretParts(secret)) {
    let run;
    for (let i = 0; i + WINDOW <= part.length; i++) {
      const w = part.slice(i, i + WINDOW);
      if (output.includes(w) && !blank.includes(w)) {
        if (run && i <= run.end) run.end = i + WINDOW;
        else runs.push((run = { part, start: i, end: i + WINDOW }));
      }
    }
  }
  return runs;
}

/**
 * One line describing a miss without printing the secret: its first 4 characters, then where the longest
 * remaining run sits and at most its first 6 characters.
 */
export function describeMiss(entry, secret, runs) {
  const longest = runs.reduce((a, b) => (b.end - b.start > a.end - a.start ? b : a));
  const kept = longest.part.slice(longest.start, longest.end);
  const whole = runs.length === 1 && longest.start === 0 && longest.end === longest.part.length;
  const shown = kept.length > WINDOW ? `${kept.slice(0, WINDOW)}…` : kept;
  const where = secretParts(secret).length > 1 ? ` (PEM line ${secretParts(secret).indexOf(longest.part) + 1})` : '';
  return `${entry.file}: ${entry.class}: ${secret.slice(0, 4)}… ${whole ? 'remained whole' : `kept [${longest.start},${longest.end}) of ${longest.part.length}`}${where}: "${shown}"`;
}

/** Scores one redacted file: misses (described), lost survivors, counts. */
/**
 * Our own tokens (`[REDACTED:<rule>:<8 hex>]`) are not leftovers of a secret: their 8 hex characters come
 * from an HMAC under a fresh key, and about once in thirty runs one of them happened to share 6 characters
 * with a hex secret (a DigitalOcean token), which the check took for a leak. The tokens are blanked first.
 */
const OWN_TOKEN = /\[REDACTED:[a-z][a-z0-9-]*:[0-9a-f]{8}\]/g;

export function scoreFile(entry, redacted) {
  const output = redacted.replace(OWN_TOKEN, '[REDACTED]');
  const blank = withoutSecrets(entry.text, entry.secrets);
  const misses = [];
  for (const s of entry.secrets) {
    const runs = remainingRuns(s, output, blank);
    if (runs.length) misses.push(describeMiss(entry, s, runs));
  }
  const lost = entry.survivors.filter((v) => !output.includes(v));
  return { misses, lost, secrets: entry.secrets.length, survivors: entry.survivors.length };
}
