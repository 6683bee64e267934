// Room: bundle (src/bundle/) — may import core, redaction (the rule: tests/architecture.test.ts).
/**
 * Container rows and folder names as a bundle stores them (docker/<engine>/containers.json and
 * docker/<engine>/containers/<folder>/): written by the docker collector, read by analyzers and `diff`.
 */

/** One row of docker/<engine>/containers.json: what analyzers and `diff` read. */
export interface ContainerRow {
  readonly name: string;
  readonly id: string;
  readonly image: string;
  /** created, running, paused, restarting, removing, exited, dead */
  readonly state: string;
  /** `docker ps` status text, e.g. "Exited (137) 2 minutes ago". */
  readonly status: string;
  readonly exitCode: number | null;
  readonly oomKilled: boolean | null;
  readonly restartCount: number | null;
  /** starting, healthy, unhealthy; null without a health check. */
  readonly health: string | null;
  /** The engine's error for the container (e.g. a failed start), if any. */
  readonly error: string | null;
  readonly created: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly memoryLimitBytes: number | null;
  readonly logDriver: string | null;
  readonly tty: boolean | null;
  readonly labels: Readonly<Record<string, string>>;
  /** Whether containers/<name>/ was collected (inspect, logs, stats). */
  readonly collected: boolean;
  /** Why it was not, when it was not. */
  readonly notCollected: string | null;
}

/** A name safe as one folder name (docker names already are; ids and odd names are made so). */
export function folderName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^\.+/, '_').slice(0, 128) || 'unnamed';
}
