/**
 * Which collectors run under the exit guard's tracking: a plugin's or a library caller's (unmarked) do,
 * so a process.exit() from them fails them (tests/run/plugin-hangs.test.ts); ours (src/core/built-in.ts)
 * do not, because on Node 20 the tracking hooks every promise of the run. The marks must survive the
 * registry's toggled copies, or a config that turns a built-in on would bring the cost back.
 */
import { describe, expect, it } from 'vitest';
import { builtinCollectors } from '../../collectors/index.js';
import { createCustomCollector } from '../../collectors/custom/index.js';
import { jobCollector } from '../../collectors/job.js';
import { defineCollector, json } from '../../src/core/artifacts.js';
import { builtIn, isBuiltIn } from '../../src/core/built-in.js';
import type { Collector } from '../../src/core/types.js';
import { configRegistry } from '../../src/config/registry.js';
import { currentOwner } from '../../src/run/exit-guard.js';
import { runCollectors } from '../../src/run/runner.js';
import { memorySink, runPlan } from '../helpers/runner.js';

// The witnesses' secrets hooks note their owner beside what the collectors wrote.
const sink = memorySink();
const stored = sink.stored;

/** A collector that writes down whom the guard takes its code for, in its secrets hook and after an await in collect. */
const witness = (name: string): Collector =>
  defineCollector({
    name,
    description: 'records the owner the exit guard sees',
    defaultEnabled: true,
    defaults: {},
    async secrets() {
      stored.set(`${name}/secrets-owner`, String(currentOwner()));
      return [];
    },
    async *collect() {
      await new Promise((r) => setTimeout(r, 5));
      yield json('owner.json', { owner: currentOwner() ?? null });
    },
  });

describe('the exit guard tracks only code that is not ours', () => {
  it('an unmarked collector runs as its owner; a marked one outside the tracking (secrets hook and collect alike)', async () => {
    const records = await runCollectors(runPlan([witness('plugin-like'), builtIn(witness('ours'))], { concurrency: 2 }), sink);
    expect(records.map((r) => r.status)).toEqual(['ok', 'ok']);
    expect(JSON.parse(stored.get('plugin-like/owner.json')!)).toEqual({ owner: 'collector "plugin-like"' });
    expect(stored.get('plugin-like/secrets-owner')).toBe('collector "plugin-like"');
    expect(JSON.parse(stored.get('ours/owner.json')!)).toEqual({ owner: null });
    expect(stored.get('ours/secrets-owner')).toBe('undefined');
  });

  it('every built-in, the job collector and each kind of custom collector is marked; a plain one is not', () => {
    expect(builtinCollectors.filter((c) => !isBuiltIn(c)).map((c) => c.name)).toEqual([]);
    expect(isBuiltIn(jobCollector())).toBe(true);
    for (const spec of [
      { type: 'env', name: 'e' },
      { type: 'file', name: 'f', paths: ['/etc/hostname'] },
      { type: 'command', name: 'c', argv: ['true'] },
      { type: 'http', name: 'h', url: 'http://127.0.0.1:9/' },
    ] as const) {
      expect(isBuiltIn(createCustomCollector(spec, { baseDir: '/tmp' })), spec.type).toBe(true);
    }
    expect(isBuiltIn(witness('plain'))).toBe(false);
  });

  it('a marked collector given another function is not ours any more: its code runs guarded', async () => {
    // builtinCollectors and createCustomCollector are the library's: a caller can change what they run.
    const custom = createCustomCollector({ type: 'env', name: 'queue-env' }, { baseDir: '/tmp' });
    expect(isBuiltIn(custom)).toBe(true);
    const changed = Object.assign(custom, witness('queue-env'));
    expect(isBuiltIn(changed)).toBe(false);
    const records = await runCollectors(runPlan([changed], { concurrency: 1 }), sink);
    expect(records[0]!.status).toBe('ok');
    // A custom collector writes under custom/<name>/.
    const key = [...stored.keys()].find((k) => k.endsWith('queue-env/owner.json'))!;
    expect(JSON.parse(stored.get(key)!)).toEqual({ owner: 'collector "queue-env"' });
  });

  it("a config's toggle copies a built-in with its mark, and a plugin's collector without one", () => {
    const plugin = { ...witness('plugin'), defaultEnabled: false };
    const off = builtinCollectors.find((c) => !c.defaultEnabled)!;
    const toggled = configRegistry({ collectors: { [off.name]: true, plugin: true } } as never, builtinCollectors, [plugin]);
    const copy = toggled.find((c) => c.name === off.name)!;
    expect(copy).not.toBe(off);
    expect(copy.defaultEnabled).toBe(true);
    expect(isBuiltIn(copy)).toBe(true);
    const pluginCopy = toggled.find((c) => c.name === 'plugin')!;
    expect(pluginCopy.defaultEnabled).toBe(true);
    expect(isBuiltIn(pluginCopy)).toBe(false);
  });
});
