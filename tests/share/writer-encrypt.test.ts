/**
 * The bundle writer with recipients (issue #16 part 3), through its API: a few MiB of redacted artifacts
 * come out as ciphertext only, readable again through the decrypting reader; the fail-closed check sees
 * the plaintext stream (a manifest that disagrees with the archive stops the bundle), and every failure
 * leaves no partial file, no spool and no plaintext in the output folder.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redactor } from '../../redaction/redactor.js';
import { RedactionReport } from '../../redaction/report.js';
import { newRedactionKey } from '../../redaction/tags.js';
import { checkRecipients, openDecrypted, readIdentities } from '../../src/bundle/age.js';
import { readBundle } from '../../src/bundle/reader.js';
import { BundleWriter, VerificationError } from '../../src/bundle/writer.js';
import type { Artifact, ArtifactRecord, Manifest } from '../../src/core/types.js';

let dir: string;
let keys: string;
let recipient: string;
beforeAll(async () => {
  const home = await mkdtemp(join(tmpdir(), 'cb-wenc-keys-'));
  keys = join(home, 'key.txt');
  const { generateIdentity, identityToRecipient } = await import('age-encryption');
  const identity = await generateIdentity();
  recipient = await identityToRecipient(identity);
  await import('node:fs/promises').then((fs) => fs.writeFile(keys, `# test\n${identity}\n`, { mode: 0o600 }));
  return () => rm(home, { recursive: true, force: true });
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cb-wenc-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const never = new AbortController().signal;
/** A manifest the reader accepts, listing `artifacts` under one collector. */
const manifestOf = (artifacts: readonly unknown[]): Manifest =>
  ({
    tool: { name: 'collect-bundle', version: 'x' },
    bundle: 'b',
    startedAt: '2026-12-07T12:00:00Z',
    finishedAt: '2026-12-07T12:00:01Z',
    durationMs: 1000,
    status: 'complete',
    collectors: [{ name: 'docker', status: 'ok', durationMs: 1, artifacts, problems: [] }],
    files: [],
    redaction: { total: 0, byRule: [] },
  }) as unknown as Manifest;
const newWriter = async () =>
  BundleWriter.create({
    outputDir: dir,
    name: 'collect-bundle-h-20261207T120000Z-abcdef',
    redactor: new Redactor({ key: newRedactionKey(), report: new RedactionReport() }),
    encryptTo: checkRecipients([recipient]),
  });
const big = (path: string, mib: number): Artifact => ({
  kind: 'artifact',
  path,
  open: async () => ({
    // Log-like lines of random hex: large, and compressing to well over a STREAM chunk (64 KiB).
    stream: Readable.from(
      (function* () {
        for (let i = 0; i < mib * 16; i++) yield `${Array.from({ length: 512 }, (_, j) => `${i}.${j} ${randomBytes(8).toString('hex')} ok`).join('\n')}\n`;
      })(),
    ),
  }),
});

describe('BundleWriter with recipients', () => {
  it('writes ciphertext only; the decrypting reader and age(1) get back every entry and its checksum', async () => {
    const writer = await newWriter();
    const rec = (await writer.write('docker', big('local/logs.txt', 2), never)) as ArtifactRecord;
    const manifest = manifestOf([rec]);
    writer.addRootFile('manifest.json', `${JSON.stringify(manifest)}\n`);
    const done = await writer.finish(undefined, { manifest });
    expect(done.path).toMatch(/\.tar\.gz\.age$/);
    expect((await readdir(dir)).sort()).toEqual([
      'collect-bundle-h-20261207T120000Z-abcdef.tar.gz.age',
      'collect-bundle-h-20261207T120000Z-abcdef.tar.gz.age.sha256',
    ]);
    const bytes = await readFile(done.path);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(done.sha256);
    expect(bytes.includes(Buffer.from(' ok\n'))).toBe(false);
    const ids = await readIdentities(keys);
    const read = await readBundle({ file: done.path, open: () => openDecrypted(done.path, ids) }, { hash: true });
    expect(read.unreadable).toBeUndefined();
    expect(read.problems).toEqual([]);
    expect(read.entries.find((e) => e.path === 'docker/local/logs.txt')).toMatchObject({ bytes: rec.bytes, sha256: rec.sha256 });
    const viaAge = execFileSync('age', ['-d', '-i', keys, done.path], { maxBuffer: 64 * 1024 * 1024 });
    expect(viaAge.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  });

  it('fails closed on what the plaintext stream holds: a manifest that lists a file the archive lacks stops the bundle, nothing is left', async () => {
    const writer = await newWriter();
    const rec = (await writer.write('system', big('os.txt', 1), never)) as ArtifactRecord;
    const manifest = manifestOf([rec, { path: 'system/ghost.txt', bytes: 1, sha256: '0'.repeat(64), truncated: false }]);
    writer.addRootFile('manifest.json', `${JSON.stringify(manifest)}\n`);
    const err = await writer.finish(undefined, { manifest }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VerificationError);
    expect((err as VerificationError).message).toMatch(/system\/ghost\.txt: listed in manifest\.json but not in the archive/);
    expect(await readdir(dir)).toEqual([]);
  });

  it.each([
    ['without', false],
    ['while the fail-closed check reads the plaintext copy,', true],
  ])('an interrupt while packing (%s) leaves no partial file and no spool, and never hangs', async (_what, checked) => {
    const writer = await newWriter();
    const rec = (await writer.write('docker', big('local/logs.txt', 4), never)) as ArtifactRecord;
    const manifest = manifestOf([rec]);
    writer.addRootFile('manifest.json', `${JSON.stringify(manifest)}\n`);
    const stop = new AbortController();
    const finishing = writer.finish(stop.signal, checked ? { manifest } : undefined);
    setTimeout(() => stop.abort(new Error('SIGINT')), 5);
    await expect(finishing).rejects.toThrow();
    expect(await readdir(dir)).toEqual([]);
  });
});
