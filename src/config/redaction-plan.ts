// Room: config (src/config/) — may import core, redaction, collectors (the rule: tests/architecture.test.ts).
/**
 * Builds a run's redactor from the user's redaction options: the tag key (per installation by
 * default), known-secret literals, custom rules, extra secret key names and the allowlist. Shared by
 * `collect`, `redact` and `verify`, so all three judge text the same way.
 */
import { readFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { dirname } from 'node:path';
import { defaultKeyPath, loadRedactionKey, type LoadedKey } from '../../redaction/key-store.js';
import { PseudonymMap, pseudonymMapPath } from '../../redaction/pseudonym-map.js';
import { Pseudonymizer } from '../../redaction/pseudonymize.js';
import { LiteralSet } from '../../redaction/literals.js';
import { Redactor, type RedactionEvent } from '../../redaction/redactor.js';
import { RedactionReport } from '../../redaction/report.js';
import { defineRule } from '../../redaction/rules.js';
import { errorMessage } from '../core/artifacts.js';
import { CliError } from '../core/errors.js';
import { matchesAnyCharacter } from '../core/text.js';
import { readInput } from '../core/open-input.js';
import type { Rule } from '../../redaction/rule.js';

/** A custom rule as a user writes it (flags or config): a regex, optionally with a capture group for the secret. */
export interface CustomRuleSpec {
  readonly id?: string;
  /** Regex source. With a capture group, only the first group is the secret; otherwise the whole match. */
  readonly pattern: string;
  readonly description?: string;
}

/** Redaction settings of a run. */
export interface RedactionOptions {
  /** Use this key file for tags (created 0600 if missing). */
  readonly keyFile?: string;
  /** A fresh random key: tags are not comparable with other bundles (`--no-stable-tokens`). */
  readonly ephemeralKey?: boolean;
  /** Extra rules. */
  readonly rules?: readonly CustomRuleSpec[];
  /** Known secrets to remove wherever they appear. */
  readonly literals?: readonly string[];
  /** Files with one known secret per line (blank lines and `#` comments ignored). */
  readonly literalFiles?: readonly string[];
  /** Key names that are secret in addition to the built-in list. */
  readonly secretKeys?: readonly string[];
  /** Values never redacted: regexes that must match the whole value. */
  readonly allow?: readonly string[];
  /** Replace host names, addresses and people by stable pseudonyms (`--pseudonymize`). */
  readonly pseudonymize?: boolean;
}

/** The run's pseudonymizer and where its map is kept (next to the key, never in the bundle). */
export interface PseudonymSetup {
  readonly pseudonymizer: Pseudonymizer;
  /** The map file (0600). */
  readonly mapPath: string;
  /** Writes the pseudonyms made in this run into the map file. */
  readonly save: () => Promise<void>;
}

/** What a run needs to redact: the redactor and what the manifest may say about it. */
export interface RedactionSetup {
  readonly redactor: Redactor;
  readonly report: RedactionReport;
  readonly literals: LiteralSet;
  readonly key: LoadedKey;
  /** Makes another redactor with the same key, rules, literals and allowlist (for verify scans). */
  readonly scanner: (report: RedactionReport, onRedaction: (e: RedactionEvent) => void, options?: { readonly pseudonymize?: boolean }) => Redactor;
  /** Set with `pseudonymize`. */
  readonly pseudonyms?: PseudonymSetup;
  /** For the manifest: never keys or values. */
  readonly summary: { readonly tags: LoadedKey['kind']; readonly customRules: readonly string[]; readonly literals: number; readonly allow: number };
}

/** Turns a user's regex into a rule; a bad regex is a configuration error naming it. */
export function customRule(spec: CustomRuleSpec, index: number): Rule {
  const id = spec.id ?? `custom-${index + 1}`;
  let re: RegExp;
  try {
    re = new RegExp(spec.pattern, 'g');
  } catch (err) {
    throw new CliError(`redaction rule ${id}: invalid regex ${JSON.stringify(spec.pattern)}: ${errorMessage(err)}`, 'E_CONFIG');
  }
  if (re.test('')) throw new CliError(`redaction rule ${id}: the regex ${JSON.stringify(spec.pattern)} matches empty text`, 'E_CONFIG');
  if (matchesAnyCharacter(spec.pattern))
    throw new CliError(
      `redaction rule ${id}: the regex ${JSON.stringify(spec.pattern)} matches (almost) every character, so it would redact all text: make it match only the secret (a fixed prefix, then a capture group for the secret)`,
      'E_CONFIG',
    );
  // A numbered capture group marks the secret: rename the first one to the engine's `secret` group.
  const source = hasCaptureGroup(spec.pattern) ? renameFirstGroup(spec.pattern) : spec.pattern;
  try {
    return defineRule({ id, description: spec.description ?? `custom rule ${JSON.stringify(spec.pattern)}`, pattern: new RegExp(source, 'g') });
  } catch (err) {
    throw new CliError(`redaction rule ${id}: ${errorMessage(err)}`, 'E_CONFIG');
  }
}

/** True when the source has an unnamed capturing group `(`…`)` (not `(?:`, `(?=`, `(?<name>`, escaped or in a class). */
function hasCaptureGroup(source: string): boolean {
  return firstGroupIndex(source) !== -1;
}

function firstGroupIndex(source: string): number {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(' && source[i + 1] !== '?') return i;
  }
  return -1;
}

function renameFirstGroup(source: string): string {
  const i = firstGroupIndex(source);
  return `${source.slice(0, i + 1)}?<secret>${source.slice(i + 1)}`;
}

/** Builds the run's redaction setup. Throws CliError (exit 2) for unusable options. */
export async function setUpRedaction(options: RedactionOptions, env: Readonly<Record<string, string | undefined>>): Promise<RedactionSetup> {
  const key = await loadRedactionKey({ ...(options.keyFile ? { file: options.keyFile } : {}), ephemeral: options.ephemeralKey ?? false, env });
  const rules = (options.rules ?? []).map(customRule);
  const ids = new Set<string>();
  for (const r of rules) {
    if (ids.has(r.id)) throw new CliError(`redaction rule id "${r.id}" is used twice`, 'E_CONFIG');
    ids.add(r.id);
  }
  const allow = (options.allow ?? []).map((a) => {
    try {
      return new RegExp(a);
    } catch (err) {
      throw new CliError(`allowlist entry ${JSON.stringify(a)} is not a valid regex: ${errorMessage(err)}`, 'E_CONFIG');
    }
  });
  const literals = new LiteralSet();
  const rejected: string[] = [];
  for (const value of options.literals ?? []) if (!literals.add(value)) rejected.push('(a literal)');
  for (const file of options.literalFiles ?? []) {
    let text: string;
    try {
      text = await readInput(file, { what: 'literals file', encoding: 'utf8' });
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError(`cannot read literals file ${file}: ${errorMessage(err)}`, 'E_CONFIG');
    }
    for (const line of text.split(/\r?\n/)) {
      const value = line.trim();
      if (value && !value.startsWith('#') && !literals.add(value)) rejected.push(`${file}`);
    }
  }
  if (rejected.length)
    throw new CliError(
      `${rejected.length} known-secret literal(s) shorter than 6 characters (from ${[...new Set(rejected)].join(', ')}): too short to remove safely everywhere; use a rule instead`,
      'E_CONFIG',
    );
  const report = new RedactionReport();
  const pseudonyms = options.pseudonymize ? await setUpPseudonyms(key, env) : undefined;
  const make = (r: RedactionReport, onRedaction?: (e: RedactionEvent) => void, learn = true, pseudonymizer?: Pseudonymizer): Redactor =>
    new Redactor({
      key: key.key,
      report: r,
      extraRules: rules,
      literals,
      learn,
      secretKeys: options.secretKeys ?? [],
      allow,
      ...(onRedaction ? { onRedaction } : {}),
      ...(pseudonymizer ? { pseudonymizer } : {}),
    });
  // Built on first use: a Redactor compiles every rule and its keyword prefilter, and `redact` needs only
  // the scanner below (issue #14: start-up CPU).
  let redactor: Redactor | undefined;
  return {
    get redactor() {
      redactor ??= make(report, undefined, true, pseudonyms?.pseudonymizer);
      return redactor;
    },
    report,
    literals,
    key,
    // A scan only judges: it learns nothing new.
    scanner: (r, on, o) => make(r, on, false, o?.pseudonymize ? pseudonyms?.pseudonymizer : undefined),
    ...(pseudonyms ? { pseudonyms } : {}),
    summary: { tags: key.kind, customRules: rules.map((r) => r.id), literals: literals.size, allow: allow.length },
  };
}

/**
 * The pseudonymizer of a run: its map next to the key (one map per key), the system host name and the
 * people of this machine (accounts with uid ≥ 1000 in /etc/passwd, the current user) known up front.
 */
async function setUpPseudonyms(key: LoadedKey, env: Readonly<Record<string, string | undefined>>): Promise<PseudonymSetup> {
  const mapPath = pseudonymMapPath(dirname(key.path ?? defaultKeyPath(env)), key.key);
  let map: PseudonymMap;
  try {
    map = await PseudonymMap.load(key.key, mapPath);
  } catch (err) {
    throw new CliError(`cannot read the pseudonym map ${mapPath}: ${errorMessage(err)}; move it away to start a new map`, 'E_CONFIG');
  }
  const users: string[] = [];
  try {
    users.push(userInfo().username);
  } catch {
    // no user entry (a container run with an arbitrary uid): nothing to add
  }
  try {
    for (const line of (await readFile('/etc/passwd', 'utf8')).split('\n')) {
      const [name, , uid] = line.split(':');
      if (name && Number(uid) >= 1000 && Number(uid) < 60000) users.push(name);
    }
  } catch {
    // no /etc/passwd (not Linux): names are still learned from what is collected
  }
  const pseudonymizer = new Pseudonymizer({ map, hosts: [hostname()], users });
  return {
    pseudonymizer,
    mapPath,
    save: async () => {
      try {
        await map.save(mapPath);
      } catch (err) {
        throw new CliError(`cannot write the pseudonym map ${mapPath}: ${errorMessage(err)}`, 'E_OUTPUT');
      }
    },
  };
}
