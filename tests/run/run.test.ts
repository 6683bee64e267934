import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { defineCollector, excluded, json, problem } from '../../src/core/artifacts.js';
import { runCollectors } from '../../src/run/runner.js';
import type { Artifact, CollectorRecord } from '../../src/core/types.js';
import { memorySink, runPlan } from '../helpers/runner.js';

const byName = (records: CollectorRecord[], name: string): CollectorRecord => records.find((r) => r.name === name)!;
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason);
      },
      { once: true },
    );
  });

describe('runCollectors', () => {
  it('records ok collectors with their artifacts and problems, in registry order', async () => {
    const a = defineCollector({
      name: 'a',
      description: 'first one',
      defaultEnabled: true,
      defaults: {},
      async *collect() {
        yield json('x.json', { v: 1 });
        yield problem('item-1', 'could not read it');
      },
    });
    const b = defineCollector({
      name: 'b',
      description: 'second one',
      defaultEnabled: true,
      defaults: {},
      async *collect() {
        yield json('y.json', [1, 2]);
      },
    });
    const sink = memorySink();
    const records = await runCollectors(runPlan([a, b]), sink);
    expect(records.map((r) => [r.name, r.status])).toEqual([
      ['a', 'ok'],
      ['b', 'ok'],
    ]);
    expect(byName(records, 'a').artifacts.map((x) => x.path)).toEqual(['a/x.json']);
    expect(byName(records, 'a').problems).toEqual([{ item: 'item-1', reason: 'could not read it' }]);
    expect(JSON.parse(sink.stored.get('b/y.json')!)).toEqual([1, 2]);
  });

  it('lists items left out on purpose apart from problems, and only when there are some', async () => {
    const a = defineCollector({
      name: 'a',
      description: 'leaves one out',
      defaultEnabled: true,
      defaults: {},
      async *collect() {
        yield excluded('old-item', 'older than --since');
        yield json('x.json', {});
      },
    });
    const b = defineCollector({
      name: 'b',
      description: 'leaves nothing out',
      defaultEnabled: true,
      defaults: {},
      async *collect() {
        yield json('y.json', {});
      },
    });
    const records = await runCollectors(runPlan([a, b]), memorySink());
    expect(byName(records, 'a').excluded).toEqual([{ item: 'old-item', reason: 'older than --since' }]);
    expect(byName(records, 'a').problems).toEqual([]);
    expect(byName(records, 'b')).not.toHaveProperty('excluded');
  });

  it('merges user options over defaults and freezes them', async () => {
    let seen: unknown;
    let frozen = false;
    const c = defineCollector({
      name: 'opts',
      description: 'option merge',
      defaultEnabled: true,
      defaults: { tail: 10, keep: 'x' },
      // biome-ignore lint/correctness/useYield: a fake collector that yields nothing; the test reads the options it was given
      async *collect(ctx) {
        seen = { ...ctx.options };
        frozen = Object.isFrozen(ctx.options);
      },
    });
    await runCollectors(runPlan([c], { optionsFor: (n) => (n === 'opts' ? { tail: 500 } : {}) }), memorySink());
    expect(seen).toEqual({ tail: 500, keep: 'x' });
    expect(frozen).toBe(true);
  });

  it('skips a collector whose applies() returns a reason', async () => {
    const c = defineCollector({
      name: 'django',
      description: 'needs manage.py',
      defaultEnabled: true,
      defaults: {},
      applies: async () => 'no manage.py found',
      async *collect() {
        yield json('never.json', {});
      },
    });
    const sink = memorySink();
    const [r] = await runCollectors(runPlan([c]), sink);
    expect(r).toMatchObject({ status: 'skipped', reason: 'no manage.py found', artifacts: [] });
    expect(sink.stored.size).toBe(0);
  });

  it('keeps what a failing collector produced before it threw, and goes on with the others', async () => {
    const bad = defineCollector({
      name: 'bad',
      description: 'throws midway',
      defaultEnabled: true,
      defaults: {},
      async *collect() {
        yield json('before.json', { ok: true });
        throw new Error('engine said no\nsecond line');
      },
    });
    const good = defineCollector({
      name: 'good',
      description: 'fine',
      defaultEnabled: true,
      defaults: {},
      async *collect() {
        yield json('g.json', 1);
      },
    });
    const records = await runCollectors(runPlan([bad, good]), memorySink());
    expect(byName(records, 'bad')).toMatchObject({ status: 'failed', reason: 'engine said no second line' });
    expect(byName(records, 'bad').artifacts.map((a) => a.path)).toEqual(['bad/before.json']);
    expect(byName(records, 'good').status).toBe('ok');
  });

  it('cuts off a collector that hangs and ignores its signal, and records it timed-out', async () => {
    const hang = defineCollector({
      name: 'hang',
      description: 'never ends',
      defaultEnabled: true,
      defaults: {},
      timeoutMs: 300,
      async *collect() {
        yield json('first.json', 1);
        await new Promise(() => undefined); // ignores every signal
      },
    });
    const began = Date.now();
    const [r] = await runCollectors(runPlan([hang]), memorySink());
    expect(Date.now() - began).toBeLessThan(3_000);
    expect(r!.status).toBe('timed-out');
    expect(r!.reason).toMatch(/timed out after 0\.3s/);
    expect(r!.artifacts.map((a) => a.path)).toEqual(['hang/first.json']);
  });

  it('uses the run timeout when a collector has none of its own', async () => {
    const slow = defineCollector({
      name: 'slow',
      description: 'sleeps',
      defaultEnabled: true,
      defaults: {},
      // biome-ignore lint/correctness/useYield: a fake collector that only sleeps past its timeout and yields nothing
      async *collect(ctx) {
        await sleep(10_000, ctx.signal);
      },
    });
    const [r] = await runCollectors(runPlan([slow], { timeoutMs: 200 }), memorySink());
    expect(r!.status).toBe('timed-out');
  });

  it('stops every collector at the run deadline', async () => {
    const mk = (name: string) =>
      defineCollector({
        name,
        description: 'sleeps long',
        defaultEnabled: true,
        defaults: {},
        // biome-ignore lint/correctness/useYield: a fake collector that only sleeps until it is stopped and yields nothing
        async *collect(ctx) {
          await sleep(10_000, ctx.signal);
        },
      });
    const began = Date.now();
    const records = await runCollectors(runPlan([mk('one'), mk('two')], { deadline: AbortSignal.timeout(300) }), memorySink());
    expect(Date.now() - began).toBeLessThan(3_000);
    expect(records.map((r) => r.status)).toEqual(['timed-out', 'timed-out']);
    expect(records[0]!.reason).toMatch(/deadline/);
  });

  it('never runs more collectors at once than the concurrency bound', async () => {
    let running = 0;
    let peak = 0;
    const mk = (name: string) =>
      defineCollector({
        name,
        description: 'counts',
        defaultEnabled: true,
        defaults: {},
        // biome-ignore lint/correctness/useYield: a fake collector that only counts how many run at once and yields nothing
        async *collect() {
          running++;
          peak = Math.max(peak, running);
          await sleep(50);
          running--;
        },
      });
    const records = await runCollectors(runPlan(['a', 'b', 'c', 'd', 'e', 'f'].map(mk), { concurrency: 2 }), memorySink());
    expect(records.every((r) => r.status === 'ok')).toBe(true);
    expect(peak).toBe(2);
  });

  it('marks collectors interrupted on Ctrl-C, including those not yet started', async () => {
    const ac = new AbortController();
    const mk = (name: string) =>
      defineCollector({
        name,
        description: 'sleeps long',
        defaultEnabled: true,
        defaults: {},
        // biome-ignore lint/correctness/useYield: a fake collector that only sleeps until it is stopped and yields nothing
        async *collect(ctx) {
          await sleep(10_000, ctx.signal);
        },
      });
    setTimeout(() => ac.abort(), 100);
    const records = await runCollectors(runPlan([mk('a'), mk('b')], { concurrency: 1, signal: ac.signal }), memorySink());
    expect(records.map((r) => r.status)).toEqual(['failed', 'failed']);
    expect(records[0]!.reason).toMatch(/interrupted/);
    expect(records[1]!.reason).toMatch(/interrupted/);
  });

  it('records every command a collector runs, with its exit code', async () => {
    const c = defineCollector({
      name: 'cmds',
      description: 'runs commands',
      defaultEnabled: true,
      defaults: {},
      async *collect(ctx) {
        await ctx.deps.exec.run('sh', ['-c', 'exit 3']);
        yield { kind: 'artifact', path: 'echo.txt', open: async () => ctx.deps.exec.stream('echo', ['hello']) } as Artifact;
      },
    });
    const sink = memorySink();
    const [r] = await runCollectors(runPlan([c]), sink);
    expect(r!.commands.map((x) => [x.argv.join(' '), x.exitCode])).toEqual([
      ['sh -c exit 3', 3],
      ['echo hello', 0],
    ]);
    expect(sink.stored.get('cmds/echo.txt')).toBe('hello\n');
  });

  it('passes facts to the observer', async () => {
    const facts: string[] = [];
    const c = defineCollector({
      name: 'f',
      description: 'reports a fact',
      defaultEnabled: true,
      defaults: {},
      async *collect() {
        yield { kind: 'fact', key: 'os', value: 'Debian' };
      },
    });
    await runCollectors(runPlan([c]), memorySink(), { fact: (k, v) => facts.push(`${k}=${v}`) });
    expect(facts).toEqual(['os=Debian']);
  });

  it('lets a raw Readable be an artifact stream', async () => {
    const c = defineCollector({
      name: 'r',
      description: 'readable',
      defaultEnabled: true,
      defaults: {},
      async *collect() {
        yield { kind: 'artifact', path: 'r.txt', open: async () => ({ stream: Readable.from(['a', 'b']) }) } as Artifact;
      },
    });
    const sink = memorySink();
    await runCollectors(runPlan([c]), sink);
    expect(sink.stored.get('r/r.txt')).toBe('ab');
  });
});
