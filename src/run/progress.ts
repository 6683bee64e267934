// Room: run (src/run/) — may import core, config, collectors, redaction, bundle, docker, report, analyzers (the rule: tests/architecture.test.ts).
/**
 * Progress on stderr and the run log. On a TTY a live line per running collector is redrawn in place;
 * otherwise one line is printed per finished collector. Every line shown is redacted first and kept
 * (without the live redraws) for `run.log` in the bundle.
 */
import type { CollectorRecord, LogLevel, RunTimings } from '../core/types.js';

export interface ReporterOptions {
  /** Where progress goes; usually process.stderr. */
  readonly out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Print nothing but errors. */
  readonly quiet: boolean;
  /** Redacts a line before it is shown or kept. */
  readonly redact: (line: string) => string;
  /** Shows debug lines too. */
  readonly verbose?: boolean;
  /** Overrides TTY detection (tests). */
  readonly live?: boolean;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const MARK: Record<CollectorRecord['status'], string> = { ok: 'ok', partial: 'PARTIAL', failed: 'FAILED', 'timed-out': 'TIMED OUT', skipped: 'skipped' };

export class Reporter {
  readonly #o: ReporterOptions;
  readonly #live: boolean;
  readonly #lines: string[] = [];
  readonly #running = new Map<string, number>();
  #drawn = 0;
  #frame = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #began = performance.now();

  constructor(options: ReporterOptions) {
    this.#o = options;
    this.#live = !options.quiet && (options.live ?? Boolean(options.out.isTTY));
  }

  /** What the terminal showed, redacted, one entry per line, with a time offset. */
  get lines(): readonly string[] {
    return this.#lines;
  }

  started(name: string): void {
    this.#running.set(name, performance.now());
    this.#keep('info', `${name}: started`, false);
    if (this.#live && !this.#timer) {
      this.#timer = setInterval(() => this.#redraw(), 100);
      this.#timer.unref();
    }
    this.#redraw();
  }

  finished(record: CollectorRecord): void {
    this.#running.delete(record.name);
    const secs = (record.durationMs / 1000).toFixed(1);
    const files = record.artifacts.length;
    const problems = record.problems.length ? `, ${record.problems.length} problem${record.problems.length === 1 ? '' : 's'}` : '';
    const reason = record.reason ? `: ${record.reason}` : '';
    const level: LogLevel = record.status === 'failed' || record.status === 'timed-out' || record.status === 'partial' ? 'warn' : 'info';
    this.#print(level, `${MARK[record.status]} ${record.name} (${secs}s, ${files} file${files === 1 ? '' : 's'}${problems})${reason}`);
    if (this.#running.size === 0) this.#stopLive();
  }

  /** A message from a collector or the run. */
  log(level: LogLevel, message: string, source?: string): void {
    if (level === 'debug' && !this.#o.verbose) {
      this.#keep(level, source ? `${source}: ${message}` : message, false);
      return;
    }
    this.#print(level, source ? `${source}: ${message}` : message);
  }

  /** Stops the live display; call before printing a final summary. */
  close(): void {
    this.#stopLive();
  }

  #print(level: LogLevel, message: string): void {
    const line = this.#keep(level, message, true);
    const show = !this.#o.quiet || level === 'error';
    if (!show) return;
    this.#clear();
    this.#o.out.write(`${line}\n`);
    this.#redraw();
  }

  #keep(level: LogLevel, message: string, shown: boolean): string {
    const line = this.#o.redact(level === 'info' || level === 'debug' ? message : `${level}: ${message}`);
    const t = ((performance.now() - this.#began) / 1000).toFixed(1).padStart(6);
    this.#lines.push(`[${t}s] ${shown ? '' : '(not shown) '}${line}`);
    return line;
  }

  #redraw(): void {
    if (!this.#live) return;
    this.#clear();
    this.#frame = (this.#frame + 1) % FRAMES.length;
    const width = Math.max(20, (this.#o.out.columns ?? 80) - 1);
    const now = performance.now();
    const lines = [...this.#running].map(([name, since]) => `${FRAMES[this.#frame]} ${name} ${((now - since) / 1000).toFixed(1)}s`.slice(0, width));
    if (lines.length) this.#o.out.write(`${lines.join('\n')}\n`);
    this.#drawn = lines.length;
  }

  #clear(): void {
    if (!this.#live || this.#drawn === 0) return;
    this.#o.out.write(`\x1b[${this.#drawn}A\x1b[0J`);
    this.#drawn = 0;
  }

  #stopLive(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#clear();
  }
}

/**
 * `--profile`: where a run's time went, as a small table for stderr. Phases follow one another and add
 * up to the run; collectors run side by side, so their times overlap inside `collect`.
 */
export function profileTable(timings: RunTimings, totalMs: number, beforeMs?: number): string {
  const row = (name: string, ms: number, note = ''): string => `  ${name.padEnd(22)}${`${ms} ms`.padStart(10)}${note ? `  ${note}` : ''}\n`;
  const share = (ms: number): string => (totalMs > 0 ? `${Math.round((100 * ms) / totalMs)}%` : '');
  const phases = timings.phases.reduce((sum, p) => sum + p.ms, 0);
  return [
    'profile: where the time went (wall clock)\n',
    '  phase\n',
    ...timings.phases.map((p) => row(p.phase, p.ms, share(p.ms))),
    row('total', totalMs, Math.abs(phases - totalMs) <= timings.phases.length ? '' : `(phases add up to ${phases} ms)`),
    ...(beforeMs === undefined ? [] : [row('before the run', beforeMs, 'process start to the run: Node, modules, options')]),
    '  collector (side by side, within collect)\n',
    ...[...timings.collectors].sort((a, b) => b.ms - a.ms).map((c) => row(c.name, c.ms, c.status === 'ok' ? '' : c.status)),
  ].join('');
}
