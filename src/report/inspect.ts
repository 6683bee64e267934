// Room: report (src/report/) — may import core, bundle, analyzers (the rule: tests/architecture.test.ts).
/**
 * `collect-bundle inspect`: what a finished bundle holds, read straight out of the .tar.gz in one pass
 * (nothing is extracted, nothing written to disk). Also the one-pass loader `diff` uses, and `--file`,
 * which streams a single entry to stdout.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { errorMessage } from '../core/artifacts.js';
import { type BundleInput, corruptFix, inputFile, MAX_TEXT_BYTES, readBundle } from '../bundle/reader.js';
import { checkFindings, type FindingsFile } from '../bundle/manifest-schema.js';
import { CliError } from '../core/errors.js';
import { openInput, readInput } from '../core/open-input.js';
import type { Finding, Manifest, Severity } from '../core/types.js';
import { formatBytes, formatDuration } from '../core/units.js';
import { ROOT } from '../bundle/layout.js';

/** Largest file `loadBundle` keeps in memory; anything bigger is listed in `tooLarge` instead. */
export { MAX_TEXT_BYTES };

/** One entry of the archive as `loadBundle` saw it. */
export interface LoadedEntry {
  /** Path below the top-level folder (`docker/local/ps.txt`). */
  readonly path: string;
  readonly bytes: number;
  /** sha256 of the stored content, when `hash` was asked for. */
  readonly sha256?: string;
}

/** A bundle read once: its listing, its manifest and the small files a caller asked for. */
export interface LoadedBundle {
  /** The .tar.gz as given. */
  readonly file: string;
  /** Size of the .tar.gz on disk. */
  readonly fileBytes: number;
  /** Top-level folders (one in a well-formed bundle). */
  readonly roots: readonly string[];
  /** Regular files, in archive order. */
  readonly entries: readonly LoadedEntry[];
  readonly manifest: Manifest;
  /** Text of the files `want` selected (manifest.json always), by bundle-relative path. */
  readonly texts: ReadonlyMap<string, string>;
  /** Files `want` selected that were larger than `maxBytes` and so were not read. */
  readonly tooLarge: readonly string[];
}

export interface LoadOptions {
  /** Which files to keep in memory (manifest.json is always kept). */
  readonly want?: (path: string) => boolean;
  /** Per-file cap for kept files (default 16 MiB). */
  readonly maxBytes?: number;
  /** Hash every entry (for the checksum facts of `inspect`). */
  readonly hash?: boolean;
}

/** The one-line fix for a file that cannot be read as a bundle. */
export { corruptFix };

/**
 * Reads a bundle in one pass through the shared validated reader (src/bundle/reader.ts). Throws a
 * CliError naming the cause and the fix: E_USAGE (exit 2) for a missing, unreadable or directory
 * path; E_FATAL (exit 1) for a file that is not a readable .tar.gz or has no valid manifest.json.
 */
export async function loadBundle(input: BundleInput, options: LoadOptions = {}): Promise<LoadedBundle> {
  const file = inputFile(input);
  const fileBytes = await checkFile(file);
  const want = options.want ?? (() => false);
  const b = await readBundle(input, { want, maxTextBytes: options.maxBytes ?? MAX_TEXT_BYTES, hash: options.hash ?? false });
  if (b.unreadable !== undefined || !b.manifest) throw new CliError(`${file}: ${b.unreadable?.message ?? 'no manifest.json'}`, 'E_FATAL');
  const { roots, entries, manifest, texts, tooLarge } = b;
  return { file, fileBytes, roots, entries, manifest, texts, tooLarge };
}

/** The size of `file`, or a CliError (exit 2) saying why it cannot be read. */
export async function checkFile(file: string): Promise<number> {
  try {
    // Opened now (never blocking, a FIFO refused) so "permission denied" is a usage error rather than a corrupt archive.
    const handle = await openInput(file, { hint: 'pass a bundle file (collect-bundle-*.tar.gz)' });
    try {
      return (await handle.stat()).size;
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (err instanceof CliError) throw err;
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT')
      throw new CliError(`${file}: no such file; check the path (bundles are named collect-bundle-<host>-<UTC time>-<random>.tar.gz)`, 'E_USAGE');
    if (code === 'EACCES' || code === 'EPERM')
      throw new CliError(`${file}: permission denied; bundles are mode 0600, so run as the user who wrote it (or with sudo)`, 'E_USAGE');
    throw new CliError(`${file}: cannot be read (${errorMessage(err)})`, 'E_USAGE');
  }
}

/** findings.json parsed, or undefined when absent or not a findings document (checked by the shared schema). */
export function findingsOf(bundle: LoadedBundle): FindingsFile | undefined {
  const text = bundle.texts.get(ROOT.findings);
  if (text === undefined) return undefined;
  try {
    const checked = checkFindings(JSON.parse(text));
    return checked.ok ? checked.value : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// inspect

/** What `inspect` reports about one collector. */
export interface InspectCollector {
  readonly name: string;
  readonly status: string;
  readonly durationMs: number;
  readonly artifacts: number;
  readonly problems: number;
  readonly truncated: number;
  /** Skip reason or error, when not ok. */
  readonly reason?: string;
}

/** A file among the largest. */
export interface InspectFile {
  readonly path: string;
  readonly bytes: number;
  /** Cut to the tail when it was collected (from the manifest). */
  readonly truncated: boolean;
  /** Its redacted size before the cut, when truncated and known. */
  readonly originalBytes?: number;
}

/** The checks `inspect` can make cheaply (see `collect-bundle verify` for the full check and secret rescan). */
export interface InspectChecks {
  /** sha256 of the .tar.gz file. */
  readonly sha256: string;
  /** `<bundle>.sha256` beside it: absent, or whether it matches. */
  readonly sidecar: 'absent' | 'match' | 'mismatch';
  /** Exactly one top-level folder, named like the manifest says. */
  readonly oneRoot: boolean;
  /** Files listed in manifest.json whose size or sha256 differ from the archive. */
  readonly checksumMismatches: readonly string[];
  /** Listed in manifest.json but not in the archive. */
  readonly missing: readonly string[];
  /** In the archive but not listed in manifest.json. */
  readonly unlisted: readonly string[];
}

/** The whole `inspect` result; `--json` prints exactly this. */
export interface InspectResult {
  readonly file: string;
  readonly fileBytes: number;
  readonly name: string;
  readonly tool: { readonly name: string; readonly version: string };
  readonly host: Manifest['host'];
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly status: string;
  readonly commandLine: readonly string[];
  readonly collectors: readonly InspectCollector[];
  /** findings.json summarised, or why there is none. */
  readonly findings:
    | {
        readonly present: true;
        readonly generatedAt?: string;
        readonly counts: Readonly<Record<Severity, number>>;
        readonly items: readonly { readonly severity: Severity; readonly id: string; readonly title: string; readonly subject?: string }[];
      }
    | { readonly present: false; readonly note: string };
  readonly redaction: { readonly total: number; readonly byRule: readonly { readonly rule: string; readonly count: number }[]; readonly tags?: string };
  /** The 10 largest files, largest first. */
  readonly largest: readonly InspectFile[];
  /** Regular files in the archive and their uncompressed bytes. */
  readonly entries: { readonly count: number; readonly bytes: number };
  readonly checks: InspectChecks;
}

const NO_FINDINGS = 'no findings.json (bundle from an older version; run `collect-bundle analyze BUNDLE`)';

/** Summarises a bundle without extracting it. Throws a CliError for a missing or unreadable bundle. */
export async function inspectBundle(file: BundleInput): Promise<InspectResult> {
  const b = await loadBundle(file, { want: (p) => p === ROOT.findings, hash: true });
  const m = b.manifest;
  const listed = new Map<string, { bytes: number; sha256: string; truncated: boolean; originalBytes?: number }>();
  for (const c of m.collectors) for (const a of c.artifacts ?? []) listed.set(a.path, a);
  for (const f of m.files ?? []) listed.set(f.path, f);
  const inArchive = new Map(b.entries.map((e) => [e.path, e]));

  const largest = [...b.entries]
    .sort((x, y) => y.bytes - x.bytes || x.path.localeCompare(y.path))
    .slice(0, 10)
    .map((e): InspectFile => {
      const a = listed.get(e.path);
      return {
        path: e.path,
        bytes: e.bytes,
        truncated: a?.truncated ?? false,
        ...(a?.truncated && a.originalBytes !== undefined ? { originalBytes: a.originalBytes } : {}),
      };
    });

  const doc = findingsOf(b);
  const findings: InspectResult['findings'] = doc
    ? {
        present: true,
        ...(doc.generatedAt ? { generatedAt: doc.generatedAt } : {}),
        counts: { error: doc.counts?.error ?? 0, warning: doc.counts?.warning ?? 0, info: doc.counts?.info ?? 0 },
        items: doc.findings.map((f: Finding) => ({ severity: f.severity, id: f.id, title: f.title, ...(f.subject ? { subject: f.subject } : {}) })),
      }
    : { present: false, note: b.texts.has(ROOT.findings) ? 'findings.json is not a findings document (run `collect-bundle analyze BUNDLE`)' : NO_FINDINGS };

  // The checksum of the file as stored: an encrypted bundle's sidecar holds its ciphertext's sha256.
  const sha256 = await sha256File(b.file);
  const sidecarText = await readInput(`${b.file}.sha256`, { encoding: 'utf8' }).catch(() => undefined);
  const sidecar = sidecarText === undefined ? 'absent' : sidecarText.trim().split(/\s+/)[0]?.toLowerCase() === sha256 ? 'match' : 'mismatch';

  return {
    file: b.file,
    fileBytes: b.fileBytes,
    name: m.bundle,
    tool: { name: m.tool?.name ?? 'collect-bundle', version: m.tool?.version ?? 'unknown' },
    host: m.host,
    startedAt: m.startedAt,
    finishedAt: m.finishedAt,
    durationMs: m.durationMs,
    status: m.status,
    commandLine: m.commandLine ?? [],
    collectors: m.collectors.map((c) => ({
      name: c.name,
      status: c.status,
      durationMs: c.durationMs,
      artifacts: c.artifacts?.length ?? 0,
      problems: c.problems?.length ?? 0,
      truncated: (c.artifacts ?? []).filter((a) => a.truncated).length,
      ...(c.reason && c.status !== 'ok' ? { reason: c.reason } : {}),
    })),
    findings,
    redaction: { total: m.redaction?.total ?? 0, byRule: m.redaction?.byRule ?? [], ...(m.redaction?.tags ? { tags: m.redaction.tags } : {}) },
    largest,
    entries: { count: b.entries.length, bytes: b.entries.reduce((n, e) => n + e.bytes, 0) },
    checks: {
      sha256,
      sidecar,
      oneRoot: b.roots.length === 1 && b.roots[0] === m.bundle,
      checksumMismatches: [...listed]
        .filter(([p, a]) => {
          const e = inArchive.get(p);
          return e !== undefined && (e.bytes !== a.bytes || e.sha256 !== a.sha256);
        })
        .map(([p]) => p),
      missing: [...listed.keys()].filter((p) => !inArchive.has(p)),
      unlisted: b.entries.map((e) => e.path).filter((p) => p !== ROOT.manifest && !listed.has(p)),
    },
  };
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** `inspect`'s text report. */
export function renderInspect(r: InspectResult): string {
  const out: string[] = [];
  const row = (label: string, value: string): void => void out.push(`${label.padEnd(11)}${value}`);
  row('bundle', `${r.name}  (${basename(r.file)}, ${formatBytes(r.fileBytes)})`);
  row('created', `${r.startedAt} → ${r.finishedAt} (${formatDuration(r.durationMs)})`);
  row('host', `${r.host?.hostname ?? '?'} (${r.host?.platform ?? '?'}/${r.host?.arch ?? '?'}${r.host?.user ? `, user ${r.host.user}` : ''})`);
  row('tool', `${r.tool.name} ${r.tool.version}`);
  row('status', r.status);
  row('command', r.commandLine.map(quoteArg).join(' '));
  out.push('', 'Collectors');
  const width = Math.max(4, ...r.collectors.map((c) => c.name.length));
  for (const c of r.collectors) {
    const extra = [c.problems ? `${c.problems} problem${c.problems === 1 ? '' : 's'}` : '', c.truncated ? `${c.truncated} truncated` : '']
      .filter(Boolean)
      .join(', ');
    out.push(
      `  ${c.name.padEnd(width)}  ${c.status.padEnd(9)}  ${formatDuration(c.durationMs).padStart(6)}  ${String(c.artifacts).padStart(4)} file${c.artifacts === 1 ? ' ' : 's'}${extra ? `  (${extra})` : ''}${c.reason ? `  ${c.reason}` : ''}`,
    );
  }
  out.push('', 'Findings');
  if (r.findings.present) {
    const c = r.findings.counts;
    out.push(`  ${c.error} error, ${c.warning} warning, ${c.info} info`);
    for (const f of r.findings.items) out.push(`  ${f.severity.padEnd(7)}  ${f.id}: ${f.title}`);
  } else out.push(`  ${r.findings.note}`);
  out.push('', 'Redactions');
  out.push(
    `  ${r.redaction.total} total${r.redaction.byRule.length ? `: ${r.redaction.byRule.map((x) => `${x.rule} ${x.count}`).join(', ')}` : ''}${r.redaction.tags ? `  (tag key: ${r.redaction.tags})` : ''}`,
  );
  out.push('', 'Largest files');
  for (const f of r.largest) {
    const cut = f.truncated ? `  [truncated${f.originalBytes !== undefined ? ` from ${formatBytes(f.originalBytes)}` : ''}: the tail was kept]` : '';
    out.push(`  ${formatBytes(f.bytes).padStart(10)}  ${f.path}${cut}`);
  }
  out.push('', 'Entries');
  out.push(`  ${r.entries.count} files, ${formatBytes(r.entries.bytes)} uncompressed`);
  out.push('', 'Checks (cheap; `collect-bundle verify BUNDLE` also rescans for secrets)');
  const k = r.checks;
  out.push(`  sha256      ${k.sha256}`);
  out.push(
    `  sidecar     ${k.sidecar === 'absent' ? `absent (no ${basename(r.file)}.sha256 beside it)` : k.sidecar === 'match' ? 'present, matches' : 'present, DOES NOT MATCH'}`,
  );
  out.push(`  layout      ${k.oneRoot ? 'one top-level folder, named as in manifest.json' : 'NOT one top-level folder named as in manifest.json'}`);
  const bad = [
    k.checksumMismatches.length ? `${k.checksumMismatches.length} differ (${k.checksumMismatches.slice(0, 3).join(', ')})` : '',
    k.missing.length ? `${k.missing.length} missing (${k.missing.slice(0, 3).join(', ')})` : '',
    k.unlisted.length ? `${k.unlisted.length} not listed (${k.unlisted.slice(0, 3).join(', ')})` : '',
  ].filter(Boolean);
  out.push(`  manifest    ${bad.length ? bad.join('; ') : 'every listed file present with its size and sha256'}`);
  return `${out.join('\n')}\n`;
}

const quoteArg = (a: string): string => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
