// Room: bundle (src/bundle/) — may import core, redaction (the rule: tests/architecture.test.ts).
/**
 * Verifies a bundle: its structure, the manifest's checksums (no file missing, none extra), the
 * sidecar, and a rescan of every entry with the full rule set. `collect` runs the same check on the
 * finished archive before renaming it into place, and fails closed when anything is found; there every
 * entry is the writer's own redacted output, tied to it by the manifest's checksums, so only the lines
 * that could hold a finding are rescanned (suspect-lines.ts): the same verdict at a fraction of the cost.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { BinaryContentError, Redactor, type RedactionEvent } from '../../redaction/redactor.js';
import { RedactionReport } from '../../redaction/report.js';
import type { ByteSource, Manifest } from '../core/types.js';
import { BUNDLE_INPUT, type BundleInput, inputFile, listingProblems, readBundle } from './reader.js';
import { openInputStream, readInput } from '../core/open-input.js';
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
  /**
   * Whether it is a readable collect-bundle bundle at all (a .tar.gz with a valid manifest.json): the
   * verdict `inspect`, `diff` and `analyze` give, from the same reader. `ok` also needs every check.
   */
  readonly readable: boolean;
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
export async function verifyBundle(input: BundleInput, options: VerifyOptions = {}): Promise<VerifyResult> {
  // The sidecar's checksum is of the file as stored (an encrypted bundle's ciphertext); the content is read through `input`.
  const file = inputFile(input);
  const report = new RedactionReport();
  const finds: { file: string; line: number; rule: string }[] = [];
  // The scanned line's number in its file (a changed-lines rescan sees only some of the lines).
  let lineOf = (n: number): number => n;
  const onRedaction = (e: RedactionEvent): void => void finds.push({ file: e.file, line: lineOf(e.line), rule: e.rule });
  const scanner = options.scanner ? options.scanner(report, onRedaction) : new Redactor({ key: Buffer.alloc(32), report, onRedaction });
  const binary: VerifyProblem[] = [];

  // The shared reader (the same verdict as inspect, diff and analyze): every entry hashed as it
  // streams through the rescan; manifest.json size-capped and schema-checked.
  const read = await readBundle(input, {
    scan: async (entry, content) => {
      const suspects = options.rescan === 'changed-lines' ? suspectLines(scanner.literals?.index()) : undefined;
      lineOf = suspects ? suspects.lineOf : (n) => n;
      const scan = suspects ? (src: ByteSource) => scanner.stream(entry.path)(suspects.select(src)) : scanner.stream(entry.path);
      try {
        // Iterated directly, not through stream.pipeline: no stage is a Node stream, and pipeline's own
        // AbortController (aborted with a DOMException at every end) cost more than the rescan of a small entry.
        for await (const _ of scan(content)) void _; // only the findings matter
      } catch (err) {
        if (!(err instanceof BinaryContentError)) throw err;
        binary.push({ file: entry.path, kind: 'secret', message: 'binary content: it cannot have been scanned for secrets' });
      }
    },
  });
  const unreadable = read.unreadable;
  if (unreadable?.kind === 'archive')
    return {
      bundle: file,
      ok: false,
      readable: false,
      entries: read.count,
      problems: [{ file: basename(file), kind: 'structure', message: unreadable.message }],
    };
  const problems: VerifyProblem[] = [];
  if (unreadable) problems.push({ file: ROOT.manifest, kind: unreadable.kind === 'no-manifest' ? 'missing' : 'structure', message: unreadable.message });
  if (!options.manifest) problems.push(...read.problems);
  else {
    // collect passes the manifest it wrote: the archive is checked against that one.
    problems.push(...read.problems.filter((p) => p.kind === 'structure'), ...listingProblems(options.manifest, read.entries));
  }
  problems.push(...binary);
  for (const f of finds) problems.push({ file: f.file, line: f.line, kind: 'secret', message: `unredacted secret matched by rule ${f.rule}` });

  if (options.sidecar !== false) {
    const sidecar = await readInput(`${file}.sha256`, { encoding: 'utf8' }).catch(() => undefined);
    if (sidecar !== undefined) {
      const want = sidecar.trim().split(/\s+/)[0]?.toLowerCase();
      const got = options.sha256 ?? (await sha256File(file));
      if (want !== got)
        problems.push({ file: `${basename(file)}.sha256`, kind: 'sidecar', message: `the bundle's sha256 is ${got}, the sidecar says ${want}` });
    }
  }
  return { bundle: file, ok: problems.length === 0, readable: !unreadable, entries: read.count, problems };
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of await openInputStream(file, BUNDLE_INPUT)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
