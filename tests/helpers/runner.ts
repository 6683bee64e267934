/** A run plan and an artifact sink for driving the real runner (src/run/runner.ts) without a bundle writer. */
import type { Artifact, ArtifactRecord, Collector } from '../../src/core/types.js';
import type { ArtifactSink, runCollectors } from '../../src/run/runner.js';

/** A sink that reads each artifact fully (as the writer does) and records what it got, by `<collector>/<path>`. */
export function memorySink(): ArtifactSink & { stored: Map<string, string> } {
  const stored = new Map<string, string>();
  return {
    stored,
    async write(collector: string, artifact: Artifact, signal: AbortSignal): Promise<ArtifactRecord> {
      const opened = await artifact.open(signal);
      let body = '';
      for await (const c of opened.stream as AsyncIterable<Buffer | string>) body += c.toString();
      await opened.settle?.();
      stored.set(`${collector}/${artifact.path}`, body);
      return { path: `${collector}/${artifact.path}`, bytes: body.length, sha256: 'x', truncated: false };
    },
  };
}

/** A plan for `collectors`: no Docker, an empty environment, a secrets set that keeps nothing; `over` replaces fields. */
export const runPlan = (collectors: Collector[], over: Partial<Parameters<typeof runCollectors>[0]> = {}) => ({
  collectors,
  optionsFor: () => ({}),
  concurrency: 4,
  timeoutMs: 5_000,
  signal: new AbortController().signal,
  deps: {
    dockerEndpoints: [],
    docker: () => {
      throw new Error('no docker in this test');
    },
    env: {},
    secrets: { add: () => undefined },
  },
  ...over,
});
