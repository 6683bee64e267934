// Room: bundle (src/bundle/) — may import core, redaction (the rule: tests/architecture.test.ts).
/** Bundle file names: collect-bundle-<host>[-<label>]-<YYYYMMDDTHHMMSSZ>-<6 random>.tar.gz (UTC, no colons). */
import { randomInt } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Matches a bundle name made by `bundleName` (with or without .tar.gz). */
export const BUNDLE_NAME_RE =
  /^collect-bundle-(?<host>[A-Za-z0-9.-]+?)(?:-(?<label>[A-Za-z0-9._-]+))?-(?<stamp>\d{8}T\d{6}Z)-(?<rand>[a-z0-9]{6})(?:\.tar\.gz)?$/;

/** Keeps letters, digits, dot and dash; anything else becomes a dash. */
export function slug(text: string, max = 40): string {
  return (
    text
      .replace(/[^A-Za-z0-9.-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, max) || 'unknown'
  );
}

/** `20261128T143924Z` for a date, in UTC. */
export function utcStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/**
 * The bundle's base name (no extension); also its top-level folder. A name is never redacted after the
 * fact, so `redact` (the run's redactor) runs over the label first: a token in it becomes
 * `REDACTED-<rule>-<tag>` rather than 35 of its 36 characters.
 */
export function bundleName(options: { hostname: string; label?: string; date: Date; redact?: (label: string) => string }): string {
  let rand = '';
  for (let i = 0; i < 6; i++) rand += ALPHABET[randomInt(ALPHABET.length)];
  const label = options.label ? `-${slug(options.redact ? options.redact(options.label) : options.label)}` : '';
  return `collect-bundle-${slug(options.hostname)}${label}-${utcStamp(options.date)}-${rand}`;
}
