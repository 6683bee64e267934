/** Runs the built CLI once for a scenario group and reads its findings.json and ISSUE.md like a user would. */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { fileJson, fileText, readBundle, type TarEntry } from '../helpers/bundle.js';

const BIN = fileURLToPath(new URL('../../bin/collect-bundle.js', import.meta.url));

export interface Finding {
  readonly id: string;
  readonly severity: 'error' | 'warning' | 'info';
  readonly title: string;
  readonly summary?: string;
  readonly remedy?: string;
  readonly subject?: string;
  readonly evidence?: readonly { readonly file?: string; readonly line?: number; readonly excerpt?: string }[];
}

export interface Collected {
  readonly findings: readonly Finding[];
  readonly issue: string;
  readonly stdout: string;
  /** Every entry of the bundle, to check the evidence a finding could have used is there. */
  readonly entries: Map<string, TarEntry>;
}

/** Whole text of a finding (title, summary, remedy, evidence excerpts), for "does it say X" checks. */
export const textOf = (f: Finding): string =>
  [f.title, f.summary ?? '', f.remedy ?? '', f.subject ?? '', ...(f.evidence ?? []).map((e) => `${e.file ?? ''} ${e.excerpt ?? ''}`)].join('\n');

/** Findings that name `needle` (a container name, a settings module) anywhere in their text. */
export const about = (c: Collected, needle: string): Finding[] => c.findings.filter((f) => textOf(f).includes(needle));

/** Findings above info: what a user reads as an alarm. */
export const alarms = (fs: readonly Finding[]): Finding[] => fs.filter((f) => f.severity !== 'info');

/** One line per finding for assertion messages. */
export const show = (fs: readonly Finding[]): string => fs.map((f) => `${f.severity} ${f.id}: ${f.title}`).join('\n') || '(none)';

/** `collect-bundle ARGS -o <temp>` with the test engine, then the bundle's findings and ISSUE.md. */
export async function collect(args: readonly string[], env: Record<string, string | undefined> = process.env): Promise<Collected> {
  if (!existsSync(new URL('../../dist/src/cli/main.js', import.meta.url))) throw new Error('run `npm run build` first: the tests run the built CLI');
  const out = await mkdtemp(join(tmpdir(), 'cb-findings-'));
  const r = await execa(process.execPath, [BIN, ...args, '-o', out], { env, extendEnv: false, reject: false, stdin: 'ignore', all: true, timeout: 120_000 });
  const bundle = (await readdir(out)).find((n) => n.endsWith('.tar.gz'));
  if (!bundle) {
    await rm(out, { recursive: true, force: true });
    throw new Error(`no bundle written (exit ${r.exitCode}): ${r.all?.slice(-2000)}`);
  }
  const entries = await readBundle(join(out, bundle));
  await rm(out, { recursive: true, force: true });
  return { findings: fileJson<{ findings: Finding[] }>(entries, 'findings.json').findings, issue: fileText(entries, 'ISSUE.md'), stdout: r.all ?? '', entries };
}
