// Room: run (src/run/) — may import core, config, collectors, redaction, bundle, docker, report, analyzers (the rule: tests/architecture.test.ts).
/**
 * The runner: runs the selected collectors with bounded concurrency, gives each one signal (Ctrl-C +
 * its timeout + the run's deadline), hands every artifact to the sink (the bundle writer) and turns
 * throws and timeouts into recorded statuses. A collector that fails keeps what it already produced.
 */
import { isBuiltIn } from '../core/built-in.js';
import { errorMessage } from '../core/artifacts.js';
import { createExec } from '../core/exec.js';
import { insideCollector } from './exit-guard.js';
import type {
  ArtifactRecord,
  ArtifactSink,
  CollectContext,
  Collector,
  CollectorRecord,
  CollectorStatus,
  CommandRecord,
  Declared,
  Deps,
  Exec,
  Excluded,
  Output,
  LogLevel,
  Problem,
} from '../core/types.js';

export type { ArtifactSink };

/** Progress callbacks (terminal, run log). */
export interface RunObserver {
  started?(collector: string): void;
  finished?(record: CollectorRecord): void;
  log?(collector: string, level: LogLevel, message: string): void;
  fact?(key: string, value: string): void;
}

export interface RunPlan {
  // Collectors have different option types; the runner only passes them through.
  readonly collectors: readonly Collector[];
  /** User settings for a collector, merged over its defaults. */
  readonly optionsFor: (name: string) => Readonly<Record<string, unknown>>;
  readonly concurrency: number;
  /** Default per-collector timeout (a collector's own `timeoutMs` wins, unless `timeoutFixed`). */
  readonly timeoutMs: number;
  /** The user chose the timeout (`--timeout`): it applies to every collector, whatever it declares. */
  readonly timeoutFixed?: boolean;
  /** Aborted on Ctrl-C. */
  readonly signal: AbortSignal;
  /** Aborted when the whole run's deadline passes (optional). */
  readonly deadline?: AbortSignal;
  readonly deps: Omit<Deps, 'exec'>;
  /**
   * `collect --dry-run`: declarations are reported here instead of run (a group's members are walked),
   * no `secrets` hook runs, and `exec` replaces the collectors' exec (it refuses to run anything).
   */
  readonly dryRun?: { declared(collector: string, d: Declared): void; exec(collector: string): Exec };
}

/** Thrown into a collector's await when its signal fires and it did not notice by itself. */
class Cancelled extends Error {}

/**
 * Runs a collector's code under the exit guard (a process.exit() from it fails it, not the run), unless it
 * is one of ours (src/core/built-in.ts): the guard's tracking hooks every promise while on (Node 20),
 * about 5% of a run's CPU, and our collectors never call process.exit().
 */
function guarded<T>(collector: Collector, fn: () => T): T {
  return isBuiltIn(collector) ? fn() : insideCollector(`collector "${collector.name}"`, fn);
}

/** Runs every collector of the plan; resolves when all have ended. Never throws for a collector's fault. */
export async function runCollectors(plan: RunPlan, sink: ArtifactSink, observer: RunObserver = {}): Promise<CollectorRecord[]> {
  const preludes = plan.dryRun ? new Map<string, Prelude>() : await learnSecrets(plan);
  const records = new Array<CollectorRecord>(plan.collectors.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < plan.collectors.length) {
      const index = next++;
      const collector = plan.collectors[index]!;
      if (plan.signal.aborted) {
        records[index] = {
          name: collector.name,
          status: 'failed',
          reason: 'interrupted before it started',
          durationMs: 0,
          artifacts: [],
          problems: [],
          commands: [],
        };
        continue;
      }
      observer.started?.(collector.name);
      const record = await guarded(collector, () => runOne(collector, plan, sink, observer, preludes.get(collector.name)));
      records[index] = record;
      observer.finished?.(record);
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(plan.concurrency, plan.collectors.length)) }, worker);
  await Promise.all(workers);
  return records;
}

/** What a collector's `secrets` hook did before collection: recorded with the collector. */
interface Prelude {
  readonly commands: readonly CommandRecord[];
  readonly problems: readonly Omit<Problem, 'kind'>[];
}

/** A collector's context: its options, its signal, and an exec that records into `commands`. */
function contextFor(
  collector: Collector,
  plan: RunPlan,
  signal: AbortSignal,
  commands: CommandRecord[],
  observer: RunObserver,
): CollectContext<Record<string, unknown>> {
  return {
    signal,
    options: Object.freeze({ ...collector.defaults, ...plan.optionsFor(collector.name) }),
    deps: Object.freeze({ ...plan.deps, exec: plan.dryRun ? plan.dryRun.exec(collector.name) : createExec({ signal, record: (r) => commands.push(r) }) }),
    log: { log: (level, message) => observer.log?.(collector.name, level, message) },
  };
}

/**
 * Runs every `secrets` hook before any collection starts (bounded, each under its collector's
 * timeout), so the values they name are known to the redactor before the first byte is written.
 */
async function learnSecrets(plan: RunPlan): Promise<Map<string, Prelude>> {
  const preludes = new Map<string, Prelude>();
  const withHook = plan.collectors.filter((c) => c.secrets);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < withHook.length) {
      const collector = withHook[next++]!;
      const commands: CommandRecord[] = [];
      const problems: Omit<Problem, 'kind'>[] = [];
      const { signal, clear } = signalsFor(collector, plan);
      const ctx = contextFor(collector, plan, signal, commands, {});
      try {
        await guarded(collector, async () => {
          const applies = collector.applies ? await raceSignal(collector.applies(ctx), signal) : true;
          if (applies === true) for (const value of await raceSignal(collector.secrets!(ctx), signal)) plan.deps.secrets.add(value);
        });
      } catch (err) {
        problems.push({ item: 'known secrets', reason: `could not learn this collector's secrets before collection: ${errorMessage(err)}` });
      } finally {
        clear();
      }
      preludes.set(collector.name, { commands, problems });
    }
  };
  await Promise.all(Array.from({ length: Math.max(0, Math.min(plan.concurrency, withHook.length)) }, worker));
  return preludes;
}

async function runOne(collector: Collector, plan: RunPlan, sink: ArtifactSink, observer: RunObserver, prelude?: Prelude): Promise<CollectorRecord> {
  const startedAt = new Date();
  const began = performance.now();
  const timeoutMs = timeoutFor(collector, plan);
  const { signal, timeout, clear } = signalsFor(collector, plan);
  const artifacts: ArtifactRecord[] = [];
  const problems: Omit<Problem, 'kind'>[] = [...(prelude?.problems ?? [])];
  const excluded: Omit<Excluded, 'kind'>[] = [];
  const commands: CommandRecord[] = [...(prelude?.commands ?? [])];
  const ctx = contextFor(collector, plan, signal, commands, observer);
  const done = (status: CollectorStatus, reason?: string): CollectorRecord => ({
    name: collector.name,
    status,
    ...(reason ? { reason } : {}),
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - began),
    artifacts,
    problems,
    ...(excluded.length ? { excluded } : {}),
    commands,
  });

  /** What cut this collector off, once its signal fired. */
  const cutCause = (): string | undefined => {
    if (plan.signal.aborted) return 'interrupted (Ctrl-C)';
    if (timeout.aborted) return `timed out after ${formatSeconds(timeoutMs)} (raise it with --timeout)`;
    if (plan.deadline?.aborted) return 'cut off by the run deadline (--deadline)';
    return undefined;
  };

  let iterator: AsyncIterator<Output> | undefined;
  let cutKept = false;
  try {
    const applies = collector.applies ? await raceSignal(collector.applies(ctx), signal) : true;
    if (applies !== true) return done('skipped', applies);
    // A declaration (command, file, http) is executed here, its outputs handled like the collector's own.
    const consume = async (outputs: AsyncIterable<Output>): Promise<void> => {
      const it = outputs[Symbol.asyncIterator]();
      if (!iterator) iterator = it;
      try {
        for (;;) {
          const step = await raceSignal(it.next(), signal);
          if (step.done) break;
          const out = step.value;
          if (out.kind === 'problem') problems.push({ item: out.item, reason: out.reason });
          else if (out.kind === 'excluded') excluded.push({ item: out.item, reason: out.reason });
          else if (out.kind === 'fact') observer.fact?.(out.key, out.value);
          else if (out.kind === 'declared' && plan.dryRun) {
            plan.dryRun.declared(collector.name, out);
            if (out.plan?.members) await consume(listed(out.plan.members));
          } else if (out.kind === 'declared') await consume(out.run(ctx));
          else {
            const before = commands.length;
            const stored = await sink.write(collector.folder ?? collector.name, out, signal);
            if ('kind' in stored) problems.push({ item: stored.item, reason: stored.reason, ...(stored.lost ? { lost: true } : {}) });
            else if (signal.aborted && stored.lost) {
              // Cut mid-stream: the spooled part was kept; the manifest says what cut it.
              cutKept = true;
              artifacts.push({ ...stored, lost: `${cutCause() ?? 'cut off'}: only the part before the cut is stored` });
            } else {
              // The command whose output streamed into this file was killed by its timeout: the file is cut.
              const cut = commands.slice(before).find((c) => c.timedOut);
              artifacts.push(
                cut
                  ? { ...stored, lost: `command ${cut.argv[0] ?? ''} timed out after ${formatSeconds(cut.durationMs)} and was killed: its output is cut` }
                  : stored,
              );
            }
            if (signal.aborted) throw new Cancelled();
          }
        }
      } catch (err) {
        if (it !== iterator) void closeQuietly(it);
        throw err;
      }
    };
    await consume(collector.collect(ctx) as AsyncIterable<Output>);
    const lost = lostOutput(problems, artifacts);
    return lost ? done('partial', lost) : done('ok');
  } catch (err) {
    void closeQuietly(iterator);
    const cause = cutCause();
    // A file cut mid-stream whose redacted part was kept: the collector is partial, not empty-handed.
    if (cause && cutKept) return done('partial', `${cause}; ${lostOutput(problems, artifacts)}`);
    if (plan.signal.aborted) return done('failed', cause);
    if (cause) return done('timed-out', cause);
    return done('failed', errorMessage(err));
  } finally {
    clear();
  }
}

/**
 * Why a collector that ran to its end still lost output, or undefined: a file the writer could not
 * store (a stream error, an engine that stalled), or one whose command was killed by its timeout.
 */
function lostOutput(problems: readonly Omit<Problem, 'kind'>[], artifacts: readonly ArtifactRecord[]): string | undefined {
  const causes = [
    ...problems.filter((p) => p.lost).map((p) => `${p.item}: ${p.reason}`),
    ...artifacts.filter((a) => a.lost).map((a) => `${a.path}: ${a.lost}`),
  ];
  if (!causes.length) return undefined;
  return `output lost: ${causes.slice(0, 3).join('; ')}${causes.length > 3 ? ` (and ${causes.length - 3} more, see problems)` : ''}`;
}

/**
 * A collector's one signal (Ctrl-C + its timeout + the run's deadline), its timeout alone (to tell why
 * it fired), and `clear` for when it ends. The timer is a plain, referenced one, not AbortSignal.timeout
 * (unreferenced): a collector awaiting a promise that never settles may leave nothing else in the event
 * loop, and Node would then exit at once with code 13, no bundle and no message.
 */
function signalsFor(collector: Collector, plan: RunPlan): { signal: AbortSignal; timeout: AbortSignal; clear: () => void } {
  const ms = timeoutFor(collector, plan);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError')), ms);
  const timeout = controller.signal;
  return { signal: AbortSignal.any([plan.signal, timeout, ...(plan.deadline ? [plan.deadline] : [])]), timeout, clear: () => clearTimeout(timer) };
}

/** The timeout a collector runs under: the user's --timeout if given, else its own, else the default. */
function timeoutFor(collector: Collector, plan: RunPlan): number {
  return plan.timeoutFixed ? plan.timeoutMs : (collector.timeoutMs ?? plan.timeoutMs);
}

/** Resolves like `promise`, or rejects as soon as `signal` aborts (for collectors that ignore it). */
function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(new Cancelled('aborted'));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Cancelled('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Asks an abandoned generator to run its finally blocks, without waiting on one that hangs. */
async function closeQuietly(iterator: AsyncIterator<unknown> | undefined): Promise<void> {
  try {
    await iterator?.return?.();
  } catch {
    // The collector already failed; its cleanup error adds nothing.
  }
}

function formatSeconds(ms: number): string {
  return `${+(ms / 1000).toFixed(1)}s`;
}

/** A list of outputs as the async iterable a collector yields (a group's members under --dry-run). */
async function* listed(outputs: readonly Output[]): AsyncGenerator<Output> {
  yield* outputs;
}
