/**
 * docker-modem formats every request's options for its debug log (util.inspect with showHidden and no
 * depth limit) whether or not that log is on. The client makes its agent and each request's signal
 * one word there (src/docker/client.ts): deep, they cost more than the requests. With the log on
 * (DEBUG=modem) the line shows what was formatted.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertBuilt } from '../cli/harness.js';
import { DOCKER_HOST, dockerUnavailable } from '../helpers/docker.js';

const skip = Boolean(dockerUnavailable) && !process.env['CI'];
const CLIENT = join(import.meta.dirname, '../../dist/src/docker/client.js');

describe.skipIf(skip)("the Docker client's requests, as docker-modem's debug line formats them", () => {
  it('a plain request and a streamed one: the agent and the signal are one word each, the line stays short', () => {
    assertBuilt();
    const script = `
      const { createDockerClient } = await import(${JSON.stringify(CLIENT)});
      const client = createDockerClient({ url: ${JSON.stringify(DOCKER_HOST)}, source: 'test', label: 'local' });
      const signal = new AbortController().signal;
      await client.version(signal);
      const events = await client.events({ since: new Date(Date.now() - 1000), until: new Date() }, signal);
      for await (const _ of events) void _;
      client.close();`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, DEBUG: 'modem', DEBUG_COLORS: '0' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const stderr = run.stderr;
    const sending = stderr.split('\n').filter((l) => l.includes('Sending:'));
    // Each request's line, up to the next line the log starts.
    const blocks = stderr.split(/\n(?=\S)/).filter((b) => b.includes('Sending:'));
    expect(sending.length).toBeGreaterThanOrEqual(2);
    for (const b of blocks) {
      expect(b).toContain('[Agent]');
      expect(b).toContain('[AbortSignal]');
      expect(b).not.toMatch(/kEvents|\[kAborted\]|Symbol\(kListener/);
      expect(b.length).toBeLessThan(2000);
    }
  });
});
