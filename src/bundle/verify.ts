// Room: bundle (src/bundle/) — may import core, redaction (the rule: tests/architecture.test.ts).
/**
 * Verifies a bundle: its structure, the manifest's checksums (no file missing, none extra), the
 * sidecar, and a rescan of every entry with the full rule set. `collect` runs the same check on the
 * finished archive before renaming it into place, and fails closed when anything is found; there every
 * entry is the writer's own redacted output, tied to it by the manifest's checksums, so only the lines
 * that could hold a finding are rescanned (suspect-lines.ts): the same verdict at a fraction of the cost.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BinaryContentError, Redactor, type RedactionEvent } from '../../redaction/redactor.js';
import { RedactionReport } from '../../redaction/report.js';
import type { ByteSource, Manifest } from '../core/types.js';
import { errorMessage } from '../core/artifacts.js';
import { forEachEntry } from './reader.js';
import { suspectLines } from './suspect-lines.js';
import { ROOT } from './layout.js';

/** One thing wrong with a bundle. */
export interface VerifyProblem {
  /** Path below the top-level folder, or the bundle file itself. */
  readonly file: string;
  readonly line?: number;
  /** `structure`, `checksum`, `missing`, `extra`, `sidecar`, `secret`. */
  readonly kind: 'structure' | 'checksum' | 'missing' | 'extra' | 'sidecar' | 'secret';
  readonly message: string;
}

export interface VerifyResult {
  readonly bundle: string;
  readonly ok: boolean;
  readonly entries: number;
  readonly problems: readonly VerifyProblem[];
}

export interface VerifyOptions {
  /** The scanner: a Redactor with the run's rules (and literals, inside `collect`). */
  readonly scanner?: (report: RedactionReport, onRedaction: (event: RedactionEvent) => void) => Redactor;
  /** Check `<bundle>.sha256` when it exists (default true). */
  readonly sidecar?: boolean;
  /** The bundle's sha256 when the caller already knows it (skips re-hashing for the sidecar). */
  readonly sha256?: string;
  /** Compare against this manifest instead of the one inside (collect passes its own). */
  readonly manifest?: Manifest;
  /**
   * `changed-lines`: every entry is known to be the scanner's rules' own redacted output (the writer's,
   * checked against `manifest`'s checksums), so only its changed lines, their neighbours, key blocks and
   * known secrets are rescanned (suspect-lines.ts). Default `full`: every line (a bundle from anywhere).
   */
  readonly rescan?: 'full' | 'changed-lines';
}

/** Checks a bundle; never throws for what it finds (a corrupt archive is a `structure` problem). */
export async function verifyBundle(file: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const problems: VerifyProblem[] = [];
  const hashes = new Map<string, { sha256: string; bytes: number }>();
  const roots = new Set<string>();
  let manifestText: string | undefined;
  let count = 0;
  const report = new RedactionReport();
  const finds: { file: string; line: number; rule: string }[] = [];
  // The scanned line's number in its file (a changed-lines rescan sees only some of the lines).
  let lineOf = (n: number): number => n;
  const onRedaction = (e: RedactionEvent): void => void finds.push({ file: e.file, line: lineOf(e.line), rule: e.rule });
  const scanner = options.scanner ? options.scanner(report, onRedaction) : new Redactor({ key: Buffer.alloc(32), report, onRedaction });

  try {
    await forEachEntry(file, async (entry, content) => {
      count++;
      roots.add(entry.root);
      if (entry.type === 'directory') return; // harmless: GNU tar adds them when a bundle is repacked
      if (entry.type !== 'file') {
        problems.push({ file: entry.name, kind: 'structure', message: `unexpected ${entry.type} entry (a bundle holds regular files only)` });
        return;
      }
      if (!entry.path || entry.path.split('/').includes('..') || entry.name.startsWith('/')) {
        problems.push({ file: entry.name, kind: 'structure', message: 'entry outside the top-level folder' });
        return;
      }
      if (hashes.has(entry.path)) problems.push({ file: entry.path, kind: 'structure', message: 'duplicate entry' });
      const hash = createHash('sha256');
      let bytes = 0;
      const keep: Buffer[] = [];
      const isManifest = entry.path === ROOT.manifest;
      const suspects = options.rescan === 'changed-lines' ? suspectLines(scanner.literals?.index()) : undefined;
      lineOf = suspects ? suspects.lineOf : (n) => n;
      const scan = suspects ? (src: ByteSource) => scanner.stream(entry.path)(suspects.select(src)) : scanner.stream(entry.path);
      try {
        await pipeline(
          content,
          async function* tap(src: AsyncIterable<Buffer>) {
            for await (const chunk of src) {
              hash.update(chunk);
              bytes += chunk.length;
              if (isManifest) keep.push(chunk);
              yield chunk;
            }
          },
          scan,
          async (out: AsyncIterable<Buffer>) => {
            for await (const _ of out) void _; // only the findings matter
          },
        );
      } catch (err) {
        if (err instanceof BinaryContentError)
          problems.push({ file: entry.path, kind: 'secret', message: 'binary content: it cannot have been scanned for secrets' });
        else throw err;
      }
      hashes.set(entry.path, { sha256: hash.digest('hex'), bytes });
      if (isManifest) manifestText = Buffer.concat(keep).toString('utf8');
    });
  } catch (err) {
    problems.push({ file: basename(file), kind: 'structure', message: `not a readable .tar.gz: ${errorMessage(err)}` });
    return { bundle: file, ok: false, entries: count, problems };
  }

  if (roots.size !== 1)
    problems.push({
      file: basename(file),
      kind: 'structure',
      message: `expected one top-level folder, found ${roots.size}: ${[...roots].slice(0, 5).join(', ')}`,
    });
  for (const f of finds) problems.push({ file: f.file, line: f.line, kind: 'secret', message: `unredacted secret matched by rule ${f.rule}` });

  let manifest = options.manifest;
  if (!manifest) {
    try {
      manifest = manifestText === undefined ? undefined : (JSON.parse(manifestText) as Manifest);
    } catch (err) {
      problems.push({ file: ROOT.manifest, kind: 'structure', message: `not valid JSON: ${errorMessage(err)}` });
    }
  }
  if (!manifest) {
    if (manifestText === undefined) problems.push({ file: ROOT.manifest, kind: 'missing', message: 'the bundle has no manifest.json' });
  } else {
    const listed = new Map<string, { sha256: string; bytes: number }>();
    for (const c of manifest.collectors ?? []) for (const a of c.artifacts ?? []) listed.set(a.path, a);
    for (const f of manifest.files ?? []) listed.set(f.path, f);
    for (const [path, want] of listed) {
      const got = hashes.get(path);
      if (!got) problems.push({ file: path, kind: 'missing', message: 'listed in manifest.json but not in the archive' });
      else if (got.sha256 !== want.sha256 || got.bytes !== want.bytes)
        problems.push({
          file: path,
          kind: 'checksum',
          message: `sha256/size differ from manifest.json (${got.bytes} bytes ${got.sha256.slice(0, 12)}… vs ${want.bytes} bytes ${want.sha256.slice(0, 12)}…)`,
        });
    }
    for (const path of hashes.keys()) {
      if (path !== ROOT.manifest && !listed.has(path)) problems.push({ file: path, kind: 'extra', message: 'in the archive but not listed in manifest.json' });
    }
  }

  if (options.sidecar !== false) {
    const sidecar = await readFile(`${file}.sha256`, 'utf8').catch(() => undefined);
    if (sidecar !== undefined) {
      const want = sidecar.trim().split(/\s+/)[0]?.toLowerCase();
      const got = options.sha256 ?? (await sha256File(file));
      if (want !== got)
        problems.push({ file: `${basename(file)}.sha256`, kind: 'sidecar', message: `the bundle's sha256 is ${got}, the sidecar says ${want}` });
    }
  }
  return { bundle: file, ok: problems.length === 0, entries: count, problems };
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
