/**
 * npm run bench:django [-- --runs 3 --python /usr/bin/python3 --root /path/to/another/checkout]
 *
 * Copies tests/fixtures/django-project into a temporary folder, gives it its database
 * (tests/fixtures/django-setup.py), then times in the same run, --runs times each and alternating:
 *
 *   manage.py check   `python manage.py check` in the project, one Python process (the baseline)
 *   collector         collectBundle({ only: ['django'] }) in this process: the interpreter check and the
 *                     one Django process (secrets, probe, six commands) in the secrets hook, then
 *                     collect, then the bundle (written, verified, analyzed)
 *
 * and prints both medians and their ratios (issue #14's target: <= 2x): the collector's own work (its
 * Python processes before collection plus its collect phase, from the manifest) and the whole run, with how many Python
 * processes the collector started. `--root` times another build (its
 * dist/src/run/collect.js) against the same baseline, e.g. a worktree of an older commit.
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './shell.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? def : String(args[i + 1]);
};
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const runs = Number(opt('runs', '3'));
const python = opt('python', '/usr/bin/python3');
const root = opt('root', ROOT);

interface CollectModule {
  collectBundle(options: Record<string, unknown>): Promise<{
    manifest: {
      collectors: { name: string; status: string; durationMs: number; commands: { argv: readonly string[]; durationMs: number; ranIn?: string }[] }[];
    };
  }>;
}

async function main(): Promise<void> {
  const tmp = await mkdtemp(join(tmpdir(), 'cb-bench-django-'));
  try {
    const project = join(tmp, 'project');
    await cp(join(ROOT, 'tests/fixtures/django-project'), project, { recursive: true });
    const env = { ...process.env, DJANGO_SETTINGS_MODULE: 'fixture_project.settings', PYTHONDONTWRITEBYTECODE: '1' };
    const setup = spawnSync(python, [join(ROOT, 'tests/fixtures/django-setup.py')], { cwd: project, env, encoding: 'utf8' });
    if (setup.status !== 0) throw new Error(`django-setup.py failed (exit ${setup.status}): ${setup.stderr}`);
    const { collectBundle } = (await import(pathToFileURL(join(root, 'dist/src/run/collect.js')).href)) as CollectModule;

    const check: number[] = [];
    const collector: number[] = [];
    const own: number[] = [];
    const pass: number[] = [];
    let processes = 0;
    let inProcess = 0;
    for (let i = 0; i < runs; i++) {
      let t = performance.now();
      const r = spawnSync(python, ['manage.py', 'check'], { cwd: project, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' }, encoding: 'utf8' });
      check.push(performance.now() - t);
      if (r.status !== 0) throw new Error(`manage.py check failed (exit ${r.status}): ${r.stderr}`);

      t = performance.now();
      const result = await collectBundle({
        outputDir: join(tmp, `out-${i}`),
        only: ['django'],
        collectorOptions: { django: { djangoDir: project, python } },
        env: process.env,
      });
      collector.push(performance.now() - t);
      const record = result.manifest.collectors.find((c) => c.name === 'django')!;
      if (record.status !== 'ok') throw new Error(`the django collector ended ${record.status}`);
      own.push(record.durationMs);
      // The interpreter check and the one Django process run in the secrets hook, before collection
      // (recorded with the collector): they count as the collector's work.
      const before = record.commands.filter((c) => !c.ranIn && c.argv[0] === python).reduce((sum, c) => sum + c.durationMs, 0);
      pass.push(record.durationMs + before);
      processes = record.commands.filter((c) => !c.ranIn && c.argv[0] === python).length;
      inProcess = record.commands.filter((c) => c.ranIn).length;
    }
    const ms = (x: number): string => `${Math.round(x)} ms`;
    const base = median(check);
    const total = median(collector);
    console.log(`django fixture, ${runs} runs each, alternating (${root === ROOT ? 'this build' : root})`);
    console.log(`  python manage.py check          ${ms(base).padStart(9)}   runs: ${check.map(ms).join(', ')}`);
    console.log(`  collect-bundle --only django    ${ms(total).padStart(9)}   runs: ${collector.map(ms).join(', ')}`);
    console.log(
      `  the django collector's own work ${ms(median(pass)).padStart(9)}   runs: ${pass.map(ms).join(', ')} (its Python processes before collection + collect phase)`,
    );
    console.log(`    of it, the collect phase      ${ms(median(own)).padStart(9)}   (manifest durationMs)`);
    console.log(`  Python processes started: ${processes}; Django commands run inside one of them: ${inProcess}`);
    console.log(`  ratio, the collector's own work / manage.py check: ${(median(pass) / base).toFixed(2)}x (target <= 2x)`);
    console.log(`  ratio, the whole run (bundle written, verified, analyzed) / manage.py check: ${(total / base).toFixed(2)}x`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

await main();
