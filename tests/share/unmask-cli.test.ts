/** `redact --pseudonymize` and `unmask` with the built CLI: a round trip through the map next to the key, and the bad inputs. */
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanup, describeRun, runCli, tempDir } from '../cli/harness.js';

const TEXT = 'deploy to https://api.shop.acme.io/v1 from 10.20.30.40 (gw 10.20.30.1, mac 02:42:0a:14:1e:28) by frank@acme.io in /home/frank\n';
let dir: string;
let cfg: string;

describe('redact --pseudonymize and unmask (built CLI)', () => {
  beforeAll(async () => {
    assertBuilt();
    dir = await tempDir('cb-unmask-');
    cfg = await tempDir('cb-unmask-cfg-');
    await writeFile(join(dir, 'in.txt'), TEXT);
  });
  afterAll(cleanup);

  it('a pseudonymized text unmasks back to the original; the map is 0600 next to the key', async () => {
    const masked = await runCli(['redact', '--pseudonymize', join(dir, 'in.txt')], { env: { XDG_CONFIG_HOME: cfg } });
    expect(masked.code, describeRun(masked)).toBe(0);
    for (const real of ['shop.acme', 'acme.io', '10.20.30', '02:42:0a', 'frank']) expect(masked.stdout).not.toContain(real);
    expect(masked.stdout).toMatch(
      /^deploy to https:\/\/host-[0-9a-f]{4}\.example\/v1 from 10\.\d+\.\d+\.40 \(gw 10\.\d+\.\d+\.1, mac 02(:[0-9a-f]{2}){5}\) by user-[0-9a-f]{4}@host-[0-9a-f]{4}\.example in \/home\/user-[0-9a-f]{4}\n$/,
    );
    const [map] = (await readdir(join(cfg, 'collect-bundle'))).filter((f) => f.startsWith('pseudonyms-'));
    expect((await stat(join(cfg, 'collect-bundle', map!))).mode & 0o777).toBe(0o600);
    await writeFile(join(dir, 'reply.txt'), masked.stdout);
    const back = await runCli(['unmask', join(dir, 'reply.txt')], { env: { XDG_CONFIG_HOME: cfg } });
    expect(back.code, describeRun(back)).toBe(0);
    expect(back.stdout).toBe(TEXT);
    // --map names the file directly (another user's config folder is not searched).
    const named = await runCli(['unmask', '--quiet', '--map', join(cfg, 'collect-bundle', map!), join(dir, 'reply.txt')], { env: { XDG_CONFIG_HOME: dir } });
    expect(named.code, describeRun(named)).toBe(0);
    expect(named.stdout).toBe(TEXT);
    expect(named.stderr).toBe('');
  });

  it('bad inputs: a missing file, a map that is not one; one line, exit 2', async () => {
    const missing = await runCli(['unmask', join(dir, 'nope.txt')], { env: { XDG_CONFIG_HOME: cfg } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^collect-bundle: .*nope\.txt: no such file\n/);
    await writeFile(join(dir, 'bad-map.json'), '{"not": "a map"}');
    const bad = await runCli(['unmask', '--map', join(dir, 'bad-map.json'), join(dir, 'in.txt')], { env: { XDG_CONFIG_HOME: cfg } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^collect-bundle: cannot read pseudonym map .*bad-map\.json: .* is not a collect-bundle pseudonym map\n/);
  });
});
