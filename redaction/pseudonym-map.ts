/**
 * The pseudonym map of one redaction key: real value ↔ pseudonym, by kind. Pseudonyms are HMACs of the
 * real value under the per-installation key, so the same value gets the same pseudonym in every file,
 * run and snapshot; the map only settles the rare collision (two real values whose short HMACs meet)
 * and lets `collect-bundle unmask` turn a reply back into real names. It lives next to the key (0600),
 * never in a bundle.
 */
import { createHash, createHmac } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** What a pseudonym stands for. `net4`/`net6` are address prefixes (a /24, a /64), the unit the subnet relation is kept in. */
export type PseudonymKind = 'host' | 'user' | 'mac' | 'net4' | 'ip4' | 'net6' | 'ip6';

/** One row of the map file. */
export interface PseudonymEntry {
  readonly kind: PseudonymKind;
  readonly real: string;
  readonly pseudo: string;
}

const FORMAT = 'collect-bundle pseudonym map 1';

/** The map file of `key`, in `dir` (the key's folder): one file per key, so a new key starts a new map. */
export function pseudonymMapPath(dir: string, key: Buffer): string {
  return join(dir, `pseudonyms-${createHash('sha256').update(key).digest('hex').slice(0, 12)}.json`);
}

/** The real ↔ pseudonym map of one key. Holds no global state: one per run (or per `unmask`). */
export class PseudonymMap {
  readonly #key: Buffer;
  readonly #byReal = new Map<string, string>();
  readonly #byPseudo = new Map<string, PseudonymEntry>();
  #dirty = false;

  constructor(key: Buffer, entries: readonly PseudonymEntry[] = []) {
    this.#key = key;
    for (const e of entries) this.#remember(e);
  }

  /** Loads the map file (a missing file is an empty map). */
  static async load(key: Buffer, path: string): Promise<PseudonymMap> {
    return new PseudonymMap(key, await readEntries(path));
  }

  /** Changed since it was loaded. */
  get dirty(): boolean {
    return this.#dirty;
  }

  get size(): number {
    return this.#byPseudo.size;
  }

  /** The pseudonym of `real`, made and remembered on first use. `make(hex, attempt)` shapes one from an HMAC. */
  pseudonym(kind: PseudonymKind, real: string, make: (hex: string) => string | undefined): string {
    const id = `${kind}\0${real}`;
    const known = this.#byReal.get(id);
    if (known !== undefined) return known;
    for (let attempt = 0; ; attempt++) {
      const hex = createHmac('sha256', this.#key).update(`${kind}\0${attempt}\0${real}`).digest('hex');
      const pseudo = make(hex);
      // Never two real values behind one pseudonym, and never a pseudonym that is some other real value.
      if (pseudo === undefined || this.#byPseudo.has(`${kind}\0${pseudo}`) || this.#byReal.has(`${kind}\0${pseudo}`)) continue;
      this.#remember({ kind, real, pseudo });
      this.#dirty = true;
      return pseudo;
    }
  }

  /** True when `value` is a pseudonym of this map (of that kind): it is left as it is. */
  isPseudonym(kind: PseudonymKind, value: string): boolean {
    return this.#byPseudo.has(`${kind}\0${value}`);
  }

  /** Every entry, pseudonym → real, for `unmask`. */
  entries(): PseudonymEntry[] {
    return [...this.#byPseudo.values()];
  }

  /** Writes the map (0600, atomically) when something was added. */
  async save(path: string): Promise<void> {
    if (!this.#dirty) return;
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    // Merge with what another run wrote meanwhile: theirs stay, ours are added.
    const merged = new Map<string, PseudonymEntry>();
    for (const e of [...(await readEntries(path)), ...this.#byPseudo.values()]) merged.set(`${e.kind}\0${e.pseudo}`, e);
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify({ format: FORMAT, entries: [...merged.values()] }, null, 1)}\n`, { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, path);
    this.#dirty = false;
  }

  #remember(e: PseudonymEntry): void {
    this.#byReal.set(`${e.kind}\0${e.real}`, e.pseudo);
    this.#byPseudo.set(`${e.kind}\0${e.pseudo}`, e);
  }
}

async function readEntries(path: string): Promise<PseudonymEntry[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return [];
    throw err;
  }
  const doc = JSON.parse(text) as { format?: unknown; entries?: unknown };
  if (doc.format !== FORMAT || !Array.isArray(doc.entries)) throw new Error(`${path} is not a collect-bundle pseudonym map`);
  return doc.entries.filter(
    (e): e is PseudonymEntry => !!e && typeof e === 'object' && typeof e.kind === 'string' && typeof e.real === 'string' && typeof e.pseudo === 'string',
  );
}

/** Every map file in `dir` (for `unmask`, which may meet bundles made under older keys). */
export async function mapFilesIn(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir))
      .filter((f) => /^pseudonyms-[0-9a-f]{12}\.json$/.test(f))
      .sort()
      .map((f) => join(dir, f));
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return [];
    throw err;
  }
}

/** Reads the entries of one map file (no key needed: unmask only looks them up). */
export const readMapEntries = readEntries;
