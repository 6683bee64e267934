// Room: report (src/report/) — may import core, bundle, analyzers (the rule: tests/architecture.test.ts).
/**
 * `collect-bundle diff OLD NEW`: what changed between two bundles of the same system. Each bundle is
 * read once (small JSON files only, into memory); fields that change on every run (timestamps,
 * durations, bundle names, random ids) are never compared, but a container recreated under the same
 * name (a new id) is reported.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../core/artifacts.js';
import { BUNDLE_NAME_RE } from '../bundle/name.js';
import { CliError } from '../core/errors.js';
import type { BundleInput } from '../bundle/reader.js';
import { loadBundle, type LoadedBundle } from './inspect.js';
import { DJANGO, DOCKER, ROOT, SYSTEM } from '../bundle/layout.js';
import { ref, type BundleDiff, type NotComparable } from './diff-model.js';
import { compareContainers, compareVersions, compareMigrations, compareFindings, compareJobs, compareResources } from './diff-sections.js';
export { renderDiff, signedBytes } from './diff-render.js';
export { describeState, isPseudoMount } from './diff-sections.js';
export { RESOURCE_THRESHOLDS } from './diff-model.js';
export type {
  ContainerFacts,
  ContainerFieldChange,
  ContainerChange,
  VersionChange,
  MigrationChange,
  FindingRef,
  JobCountChange,
  ResourceChange,
  NotComparable,
  BundleDiff,
  BundleRef,
} from './diff-model.js';

/** The files `diff` reads from each bundle: these, each engine's containers, version and df, and each container's inspect. */
const DIFF_FILES: ReadonlySet<string> = new Set([
  ROOT.findings,
  DJANGO.versions,
  DJANGO.migrations,
  DJANGO.containerManager,
  SYSTEM.versions,
  SYSTEM.filesystems,
  SYSTEM.memory,
]);
const wanted = (path: string): boolean =>
  DIFF_FILES.has(path) ||
  (['containers', 'version', 'df'] as const).some((f) => DOCKER.engineOf(path, f) !== undefined) ||
  DOCKER.containerOf(path, 'inspect') !== undefined;

/** Reads a bundle with the files `diff` compares. Throws a CliError for a missing or unreadable one. */
export function loadForDiff(file: BundleInput): Promise<LoadedBundle> {
  return loadBundle(file, { want: wanted });
}

/** Compares two bundle files. Throws a CliError when either cannot be read. */
export async function diffBundles(oldFile: BundleInput, newFile: BundleInput): Promise<BundleDiff> {
  const [a, b] = await Promise.all([loadForDiff(oldFile), loadForDiff(newFile)]);
  return compareBundles(a, b);
}

/**
 * The two newest real bundles in `dir` (by the UTC time in their names; only files named like a
 * bundle that hold a valid manifest), compared oldest → newest. Other files are never opened twice
 * and never changed; the ones skipped for not being bundles are named in `notes`. With `open` (the CLI's
 * `--identity`), encrypted bundles (`.tar.gz.age`) count too, read through what it returns.
 */
export async function diffLatest(dir: string, open?: (file: string) => Promise<BundleInput>): Promise<BundleDiff> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT') throw new CliError(`${dir}: no such directory; pass the folder your bundles are written to (collect --output-dir)`, 'E_USAGE');
    if (code === 'ENOTDIR') throw new CliError(`${dir}: not a directory; --latest takes the folder that holds the bundles`, 'E_USAGE');
    throw new CliError(`${dir}: cannot be listed (${errorMessage(err)})`, 'E_USAGE');
  }
  const candidates: { name: string; stamp: string; mtimeMs: number }[] = [];
  for (const name of names) {
    const encrypted = open !== undefined && name.endsWith('.tar.gz.age');
    const m = BUNDLE_NAME_RE.exec(encrypted ? name.slice(0, -'.age'.length) : name);
    if (!m || !(name.endsWith('.tar.gz') || encrypted)) continue;
    const s = await stat(join(dir, name)).catch(() => undefined);
    if (s?.isFile()) candidates.push({ name, stamp: m.groups!['stamp']!, mtimeMs: s.mtimeMs });
  }
  candidates.sort((x, y) => y.stamp.localeCompare(x.stamp) || y.mtimeMs - x.mtimeMs || y.name.localeCompare(x.name));
  const chosen: LoadedBundle[] = [];
  const skipped: string[] = [];
  for (const c of candidates) {
    if (chosen.length === 2) break;
    try {
      chosen.push(await loadForDiff(open ? await open(join(dir, c.name)) : join(dir, c.name)));
    } catch (err) {
      skipped.push(`${c.name} (${err instanceof CliError ? err.message.replace(`${join(dir, c.name)}: `, '') : errorMessage(err)})`);
    }
  }
  if (chosen.length < 2) {
    const locked = open ? 0 : names.filter((n) => n.endsWith('.tar.gz.age')).length;
    throw new CliError(
      `${dir}: ${chosen.length === 0 ? 'no' : 'only one'} readable bundle${chosen.length ? '' : 's'} (collect-bundle-*.tar.gz with a manifest inside)${skipped.length ? `; skipped ${skipped.length}: ${skipped.join('; ')}` : ''}${locked ? `; ${locked} encrypted (.tar.gz.age) need --identity FILE` : ''}; --latest needs two: collect another or name both files`,
      'E_USAGE',
    );
  }
  const result = compareBundles(chosen[1]!, chosen[0]!);
  return skipped.length ? { ...result, notes: [...result.notes, ...skipped.map((s) => `skipped ${s}`)] } : result;
}

/** Compares two loaded bundles. Pure. */
export function compareBundles(a: LoadedBundle, b: LoadedBundle): BundleDiff {
  const notComparable: NotComparable[] = [];
  // A bundle is a stranger's file: a section whose data files hold something else than collect-bundle
  // writes (a string where rows belong) is "not comparable", never an internal error of the whole diff.
  const section = <T>(name: string, empty: T, compare: () => T): T => {
    try {
      return compare();
    } catch (err) {
      notComparable.push({ section: name, reason: `a bundle's data for it is not what collect-bundle writes (${errorMessage(err)})` });
      return empty;
    }
  };
  const containers = section('containers', [], () => compareContainers(a, b, notComparable));
  const versions = section('versions', [], () => compareVersions(a, b, notComparable));
  const migrations = section('migrations', [], () => compareMigrations(a, b, notComparable));
  const findings = section('findings', { new: [], resolved: [] }, () => compareFindings(a, b, notComparable));
  const jobs = section('job counts', [], () => compareJobs(a, b, notComparable));
  const resources = section('resources', [], () => compareResources(a, b, notComparable));
  const notes: string[] = [];
  if (a.manifest.host?.hostname !== b.manifest.host?.hostname)
    notes.push(`the bundles come from different hosts: ${a.manifest.host?.hostname} and ${b.manifest.host?.hostname}`);
  if (a.manifest.startedAt > b.manifest.startedAt) notes.push('OLD was collected after NEW: the changes read backwards in time (swap the arguments?)');
  if (a.manifest.bundle === b.manifest.bundle && a.file !== b.file) notes.push(`both files hold the same bundle ${a.manifest.bundle}`);
  const differences =
    containers.length +
    versions.length +
    migrations.length +
    findings.new.length +
    findings.resolved.length +
    jobs.length +
    resources.filter((r) => r.significant).length;
  return { old: ref(a), new: ref(b), differences, containers, versions, migrations, findings, jobs, resources, notComparable, notes };
}
