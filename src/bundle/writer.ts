// Room: bundle (src/bundle/) — may import core, redaction (the rule: tests/architecture.test.ts).
/**
 * The bundle writer: the only code that writes to disk, and it writes only redacted bytes.
 *
 * Each artifact's raw stream goes through the redactor into a spool file in a private (0700) directory
 * beside the bundle; the spool holds redacted bytes only. While an artifact is spooled, its redacted
 * bytes are also compressed on zlib's thread pool into a gzip member of their own (tar-gz.ts), so
 * redaction (main thread) and compression overlap and a bundle of large logs costs the slower of the
 * two, not their sum. `finish` writes the root files (manifest.json, ISSUE.md, ...) as the first
 * member, then each artifact's header and precompressed member, into `<name>.tar.gz.partial` (mode
 * 0600), renames it when complete and writes a `.sha256` sidecar. `abort` removes the partial file
 * and the spool.
 *
 * With recipients (`encryptTo`) the tar.gz stream is encrypted with age as it is produced (age.ts): the
 * `.partial` file and the final `<name>.tar.gz.age` hold ciphertext only, the sidecar the ciphertext's
 * sha256, and the fail-closed verification reads a copy of the plaintext stream in memory.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, open, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, join, posix } from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BinaryContentError, type Redactor } from '../../redaction/redactor.js';
import { errorMessage } from '../core/artifacts.js';
import type { ArtifactSink } from '../core/types.js';
import type { Artifact, ArtifactRecord, Problem } from '../core/types.js';
import { batched, describeFsError, OutputError, safeRelativePath, teeTo, VerificationError } from './write-helpers.js';
import { cutToTail, type CutResult, type SpooledSize } from './budget.js';
import { MemoryBudget, TailSpool, type SpoolResult } from './spool.js';
import { END_OF_TAR, GzipSpool, gzipFile, gzipFiles, gzipMember, gzipMemberSync, memberBytes, removeMember, tarHeader, type Member } from './tar-gz.js';
import { verifyBundle, type VerifyOptions } from './verify.js';
import { ROOT_FILE_ORDER } from './layout.js';
import { AGE_SUFFIX } from './age-file.js';
import type { Recipient } from './age.js';

export { describeFsError, OutputError, safeRelativePath, VerificationError };

/**
 * Redacted bytes (and their gzip members) the writer holds in memory instead of spool files, for all
 * small files of a bundle together; larger files, and everything past this, are spooled to disk.
 */
const MEMORY_BUDGET = 48 * 1024 * 1024;

/** Errors of our own disk writes (as opposed to errors of the artifact's source). */
const FS_WRITE_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO']);

/** `lost` of an artifact cut mid-stream (the runner replaces it with the true cause: timeout, deadline, Ctrl-C). */
export const CUT_MID_STREAM = 'cut off while it streamed: the part redacted so far is kept';

interface Entry {
  readonly path: string;
  /** A spooled artifact's redacted bytes: in a spool file, or (small) in memory. */
  file?: string;
  mem?: Buffer;
  /** The gzip member of the content and its tar padding; may still be compressing. Root files have none. */
  gz?: Promise<Member>;
  /** A root file's bytes (manifest.json, ISSUE.md, ...). */
  readonly data?: Buffer;
  /** The literal set's version when this file was redacted (see `redactLateSecrets`). */
  literalVersion?: number;
}

export interface BundleWriterOptions {
  /** Directory the bundle goes to; created if missing. */
  readonly outputDir: string;
  /** Bundle name without `.tar.gz`; also the archive's single top-level folder. */
  readonly name: string;
  readonly redactor: Redactor;
  /** age recipients (checked, age.ts): the bundle is written encrypted, `<name>.tar.gz.age`. */
  readonly encryptTo?: readonly Recipient[];
}

/** The finished bundle. */
export interface WrittenBundle {
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly sidecar: string;
}

/** A finished spool's content as an entry holds it. */
function content(result: SpoolResult): { file?: string; mem?: Buffer } {
  return result.file !== undefined ? { file: result.file } : { mem: result.data ?? Buffer.alloc(0) };
}

export class BundleWriter implements ArtifactSink {
  readonly name: string;
  readonly path: string;
  readonly partialPath: string;
  readonly spoolDir: string;
  readonly #redactor: Redactor;
  readonly #recipients: readonly Recipient[];
  readonly #entries: Entry[] = [];
  readonly #paths = new Set<string>();
  /** Compressions running in the background; settled before the spool is removed. */
  readonly #pending = new Set<Promise<unknown>>();
  /** Members still being written: `abort` stops them rather than waiting for them. */
  readonly #live = new Set<GzipSpool>();
  #count = 0;
  #closed = false;
  readonly #memory = new MemoryBudget(MEMORY_BUDGET);

  private constructor(options: BundleWriterOptions) {
    this.name = options.name;
    this.#recipients = options.encryptTo ?? [];
    this.path = join(options.outputDir, `${options.name}.tar.gz${this.#recipients.length ? AGE_SUFFIX : ''}`);
    this.partialPath = `${this.path}.partial`;
    this.spoolDir = join(options.outputDir, `.${options.name}.spool`);
    this.#redactor = options.redactor;
  }

  /** Prepares the output directory and a private spool; throws OutputError naming the fix. */
  static async create(options: BundleWriterOptions): Promise<BundleWriter> {
    const writer = new BundleWriter(options);
    try {
      await mkdir(options.outputDir, { recursive: true });
      const s = await stat(options.outputDir);
      if (!s.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
      await mkdir(writer.spoolDir, { mode: 0o700 });
      await chmod(writer.spoolDir, 0o700);
    } catch (err) {
      throw new OutputError(describeFsError(err, options.outputDir, 'output directory'), { cause: err });
    }
    return writer;
  }

  /** Streams one artifact through the redactor into the spool. A failure is a problem for that item. */
  async write(collector: string, artifact: Artifact, signal: AbortSignal): Promise<ArtifactRecord | Problem> {
    const inner = safeRelativePath(artifact.path);
    const raw = inner === undefined ? undefined : `${collector}/${inner}`;
    if (raw === undefined) return { kind: 'problem', item: artifact.path, reason: 'artifact path must be relative and stay inside the collector folder' };
    // Entry names are data too: a secret in a container name must not survive in the file list.
    const path = this.#redactor.value(raw, 'entry-names');
    if (this.#paths.has(path)) return { kind: 'problem', item: path, reason: 'duplicate artifact path; the first one was kept' };
    this.#paths.add(path);
    const base = join(this.spoolDir, String(++this.#count));
    const spool = await TailSpool.create(base, artifact.maxBytes, this.#memory);
    // Compressed while it streams; dropped when the byte cap cuts the head off (the tail is compressed
    // after the cut instead).
    let gz: GzipSpool | undefined = this.#gzipSpool(`${base}.gz`);
    const cap = artifact.maxBytes && artifact.maxBytes > 0 ? artifact.maxBytes : Number.POSITIVE_INFINITY;
    let settle: (() => Promise<unknown>) | undefined;
    // The literal set as it was before this file: a secret learned while it streams (a password under a
    // key further down) makes it stale, so redactLateSecrets passes it again and its earlier lines too.
    const literalVersion = this.#redactor.version;
    // The spool write in flight when a cut comes: awaited before the spooled part is kept.
    let writing: Promise<void> = Promise.resolve();
    try {
      const opened = await artifact.open(signal);
      settle = opened.settle;
      await pipeline(
        opened.stream,
        this.#redactor.stream(path),
        async (source: AsyncIterable<Buffer>) => {
          for await (const chunk of batched(source)) {
            await (writing = spool.write(chunk));
            if (!gz) continue;
            if (gz.size + chunk.length <= cap) await gz.write(chunk);
            else {
              const dropped = gz;
              gz = undefined;
              await dropped.discard();
            }
          }
        },
        { signal },
      );
      settle = undefined;
      await opened.settle?.();
      const result = await spool.finish();
      let member: Promise<Member>;
      if (gz && !result.truncated) member = gz.finish();
      else {
        await gz?.discard();
        member = this.#gzipContent(result, `${base}.tail.gz`);
      }
      gz = undefined;
      this.#entries.push({ path, ...content(result), gz: this.#track(member), literalVersion });
      return {
        path,
        bytes: result.bytes,
        sha256: result.sha256,
        truncated: result.truncated,
        ...(result.truncated ? { originalBytes: result.originalBytes } : {}),
      };
    } catch (err) {
      await gz?.discard();
      gz = undefined;
      if (signal.aborted && !(err instanceof BinaryContentError)) {
        // Cut by a timeout, the deadline or Ctrl-C: what was already redacted and spooled is kept
        // (the redactor's held-back partial line is not), marked cut; the runner names the cause.
        await settle?.().catch(() => undefined);
        const kept = await this.#keepSpooled(spool, path, base, literalVersion, writing).catch(() => undefined);
        if (kept) return kept;
      }
      await spool.discard();
      this.#paths.delete(path);
      this.#redactor.report.discard(path);
      await settle?.().catch(() => undefined);
      if (err instanceof BinaryContentError) return { kind: 'problem', item: path, reason: err.message };
      // Anything but binary content dropped on purpose means the file's output was lost.
      if (signal.aborted) return { kind: 'problem', item: path, reason: 'not stored: cut off by timeout or interrupt', lost: true };
      const code = (err as { code?: string }).code;
      if (code && FS_WRITE_ERRORS.has(code)) return { kind: 'problem', item: path, reason: describeFsError(err, this.spoolDir, 'spool directory'), lost: true };
      return { kind: 'problem', item: path, reason: this.#redactor.value(errorMessage(err), 'errors'), lost: true };
    }
  }

  /** Stores a spool cut mid-stream as it is, truncated and `lost`; undefined when nothing was spooled. */
  async #keepSpooled(spool: TailSpool, path: string, base: string, literalVersion: number, writing: Promise<void>): Promise<ArtifactRecord | undefined> {
    await writing.catch(() => undefined);
    const result = await spool.finish();
    if (result.bytes === 0) {
      await this.#removeContent(content(result));
      return undefined;
    }
    const member = this.#gzipContent(result, `${base}.cut.gz`);
    this.#entries.push({ path, ...content(result), gz: this.#track(member), literalVersion });
    return { path, bytes: result.bytes, sha256: result.sha256, truncated: true, originalBytes: result.originalBytes, lost: CUT_MID_STREAM };
  }

  /**
   * Adds a small root-level file (manifest.json, ISSUE.md, run.log, ...), redacted like everything else.
   * A re-pass: root files are built from redacted output, so the pseudonyms in them stay as they are.
   */
  addRootFile(path: string, text: string): ArtifactRecord {
    const data = Buffer.from(this.#redactor.text(text, path, { repass: true }), 'utf8');
    const existing = this.#entries.findIndex((e) => e.path === path);
    if (existing !== -1) this.#entries.splice(existing, 1);
    this.#entries.push({ path, data });
    return { path, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex'), truncated: false };
  }

  /**
   * Leaves a stored file out of the bundle (`collect --review`, excluded by the user): its spool and
   * compressed copy are removed and its redaction counts forgotten. False when no such file is stored.
   */
  async drop(path: string): Promise<boolean> {
    const i = this.#entries.findIndex((e) => e.path === path);
    if (i === -1) return false;
    const [entry] = this.#entries.splice(i, 1);
    this.#paths.delete(path);
    this.#redactor.report.discard(path);
    const gz = await entry!.gz?.catch(() => undefined);
    await Promise.all([this.#removeContent(entry!), removeMember(gz, this.#memory)]);
    return true;
  }

  /** Sizes of the files stored so far (redacted names, redacted bytes). */
  async storedSizes(): Promise<{ path: string; bytes: number }[]> {
    return Promise.all(
      this.#entries.map(async (e) => ({ path: e.path, bytes: e.data ? e.data.length : e.mem ? e.mem.length : e.file ? (await stat(e.file)).size : 0 })),
    );
  }

  /** Paths of the files stored so far (spooled artifacts and root files), redacted names. */
  storedPaths(): string[] {
    return this.#entries.map((e) => e.path);
  }

  /**
   * Reads back a stored file's (redacted) bytes: the last `maxBytes` of it. For analyzers, which see
   * the bundle being built only through this; undefined when no such file was stored.
   */
  async readStored(path: string, maxBytes: number): Promise<Buffer | undefined> {
    const entry = this.#entries.find((e) => e.path === path);
    if (!entry) return undefined;
    const inMemory = entry.data ?? entry.mem;
    if (inMemory) return inMemory.length > maxBytes ? inMemory.subarray(inMemory.length - maxBytes) : inMemory;
    if (!entry.file) return undefined;
    const fh = await open(entry.file, 'r');
    try {
      const { size } = await fh.stat();
      const length = Math.min(size, maxBytes);
      const buf = Buffer.alloc(length);
      await fh.read(buf, 0, length, size - length);
      return buf;
    } finally {
      await fh.close();
    }
  }

  /**
   * Known secrets learned after a file was spooled (a password seen under a secret key in a later
   * artifact) are removed from that file too: it runs through the redactor once more (redacting is
   * idempotent, so only the new literals change). Returns the new records of the files that changed.
   */
  async redactLateSecrets(): Promise<Map<string, Pick<ArtifactRecord, 'bytes' | 'sha256'>>> {
    const changed = new Map<string, Pick<ArtifactRecord, 'bytes' | 'sha256'>>();
    if (!this.#redactor.literals && !this.#redactor.pseudonymizer) return changed;
    // A pass can learn more (a host name seen in a file passed again): files passed before it go again, a few rounds at most.
    for (let round = 0; round < 3; round++) {
      const before = changed.size + this.#redactor.version;
      await this.#passStale(changed);
      if (changed.size + this.#redactor.version === before) break;
    }
    return changed;
  }

  /** One pass of `redactLateSecrets` over the files redacted before the redactor's current version. */
  async #passStale(changed: Map<string, Pick<ArtifactRecord, 'bytes' | 'sha256'>>): Promise<void> {
    for (const entry of this.#entries) {
      if (!entry.gz || entry.literalVersion === undefined || entry.literalVersion === this.#redactor.version) continue;
      const base = join(this.spoolDir, String(++this.#count));
      const spool = await TailSpool.create(base, 0, this.#memory);
      // The precompressed copy holds the secret too: it is rebuilt from the new bytes, as they stream.
      const gz = this.#gzipSpool(`${base}.gz`);
      try {
        const source = entry.mem ? Readable.from([entry.mem]) : createReadStream(entry.file!);
        await pipeline(source, this.#redactor.stream(entry.path, { repass: true }), async (source: AsyncIterable<Buffer>) => {
          for await (const chunk of batched(source)) {
            await spool.write(chunk);
            await gz.write(chunk);
          }
        });
        const result = await spool.finish();
        const stale = entry.gz;
        entry.gz = this.#track(gz.finish());
        await this.#removeContent(entry);
        Object.assign(entry, { file: undefined, mem: undefined }, content(result));
        entry.literalVersion = this.#redactor.version;
        changed.set(entry.path, { bytes: result.bytes, sha256: result.sha256 });
        await stale.then(
          (m) => removeMember(m, this.#memory),
          () => undefined,
        );
      } catch (err) {
        await spool.discard();
        await gz.discard();
        throw err;
      }
    }
  }

  /** The spooled artifacts' redacted and compressed sizes, once their compressions settled (the size budget's input). */
  async spooledSizes(): Promise<SpooledSize[]> {
    const out: SpooledSize[] = [];
    for (const e of this.#entries) {
      if (!e.gz) continue;
      const member = await e.gz;
      out.push({ path: e.path, bytes: e.mem ? e.mem.length : (await stat(e.file!)).size, gzBytes: member.bytes });
    }
    return out;
  }

  /** Keeps only the last lines of a spooled artifact, so that its gzip member is at most `maxGzBytes` (budget.ts). */
  async cutSpooled(path: string, sizes: SpooledSize, maxGzBytes: number): Promise<CutResult['result']> {
    const entry = this.#entries.find((e) => e.path === path && e.gz);
    if (!entry?.gz) throw new Error(`no spooled file ${path}`);
    const old = await entry.gz;
    if (entry.mem) {
      // Cut from a file, as a large one is: the held bytes go to one first.
      const file = join(this.spoolDir, `${++this.#count}.mem`);
      await writeFile(file, entry.mem, { mode: 0o600, flag: 'wx' });
      this.#memory.release(entry.mem.length);
      entry.mem = undefined;
      entry.file = file;
    }
    const cut = await cutToTail(
      entry.file!,
      sizes,
      maxGzBytes,
      () => join(this.spoolDir, String(++this.#count)),
      (f) => this.#gzipSpool(f, false),
    );
    await Promise.all([rm(entry.file!, { force: true }), removeMember(old, this.#memory)]);
    entry.file = cut.result.file;
    entry.gz = Promise.resolve(cut.gz);
    return cut.result;
  }

  /** Packs everything into the tarball, renames it into place and writes the sidecar. */
  /** With `maxBytes` (the size budget) a tarball that would be larger is not written: OutputError. */
  /** `onPacked` is called once the tarball is on disk, before the verification's verdict is awaited. */
  async finish(signal?: AbortSignal, check?: Omit<VerifyOptions, 'sidecar' | 'sha256'>, maxBytes?: number, onPacked?: () => void): Promise<WrittenBundle> {
    if (this.#closed) throw new Error('bundle already finished');
    this.#closed = true;
    const date = new Date();
    const rank = (p: string): number => {
      const i = ROOT_FILE_ORDER.indexOf(p);
      return i === -1 ? ROOT_FILE_ORDER.length : i;
    };
    const entries = [...this.#entries].sort((a, b) => rank(a.path) - rank(b.path));
    const entryName = (e: Entry): string => posix.join(this.name, e.path);
    // The root files go first (readers find manifest.json in the first few KiB), as one member; then
    // each artifact: a small member with its header, then its precompressed content.
    const roots = entries
      .filter((e) => !e.gz)
      .map((e) => ({ file: { name: entryName(e), size: e.data?.length ?? 0, mode: 0o600, mtime: date }, data: e.data ?? Buffer.alloc(0) }));
    const spooled = entries.filter((e) => e.gz);
    // A header is 512 bytes: compressed here, at once, rather than a round trip through zlib's thread
    // pool for each of hundreds of files, each awaited in turn.
    const header = (e: Entry, size: number): Buffer => gzipMemberSync(tarHeader({ name: entryName(e), size, mode: 0o600, mtime: date }));
    async function* members(): AsyncGenerator<Buffer> {
      yield await gzipFiles(roots);
      for (const e of spooled) {
        const member = await e.gz!;
        yield header(e, member.size);
        yield* memberBytes(member);
        // A spool file is not needed once its entry is packed: free the disk (or memory) as we go.
        await Promise.all([member.file, e.file].filter((f): f is string => f !== undefined).map((f) => unlink(f).catch(() => undefined)));
      }
      yield await gzipMember(END_OF_TAR);
    }
    const hash = createHash('sha256');
    let bytes = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        bytes += chunk.length;
        cb(null, chunk);
      },
    });
    // Encrypted: the verification reads a copy of the plaintext stream (never written anywhere).
    let verifying: Promise<Awaited<ReturnType<typeof verifyBundle>>> | undefined;
    let plain: AsyncIterable<Buffer> = members();
    let copy: PassThrough | undefined;
    // Fail closed: the archive is scanned again before it may take its final name, as it is written: the
    // verification reads a copy of the very bytes that go to the file (never written anywhere else), so
    // scanning overlaps packing instead of reading the file back after it. Every entry is this writer's
    // redacted output (checked against the manifest's checksums when one is given), so only the lines
    // that can hold a finding are rescanned.
    if (check) {
      const tee = new PassThrough({ highWaterMark: 1024 * 1024 });
      tee.on('error', () => undefined);
      const opts: VerifyOptions = { rescan: check.manifest ? 'changed-lines' : 'full', ...check, sidecar: false };
      verifying = verifyBundle({ file: this.path, open: async () => tee }, opts);
      plain = teeTo(plain, tee);
      copy = tee;
    }
    try {
      if (maxBytes !== undefined) {
        // The packed size is the sum of the members: known exactly before a byte is written.
        let total = (await gzipFiles(roots)).length + (await gzipMember(END_OF_TAR)).length;
        for (const e of spooled) {
          const member = await e.gz!;
          total += header(e, member.size).length + member.bytes;
        }
        // age adds its header (about 200 bytes a recipient) and a 16-byte tag per 64 KiB chunk.
        if (this.#recipients.length) total += 64 + 200 * this.#recipients.length + 16 * Math.ceil(total / 65536 + 1);
        if (total > maxBytes)
          throw new OutputError(
            `the bundle would be ${total} bytes, over --max-size ${maxBytes} bytes: not written. Please report this (the budget's estimate was wrong)`,
          );
      }
      const out = createWriteStream(this.partialPath, { flags: 'wx', mode: 0o600 });
      if (this.#recipients.length) {
        let encrypted: Readable;
        try {
          // The age library is loaded only for a bundle that is encrypted.
          const { encryptStream } = await import('./age.js');
          encrypted = await encryptStream(plain, this.#recipients);
        } catch (err) {
          // Before any byte moved (a recipient the library refused): nothing may wait on the streams.
          out.destroy();
          await (plain as AsyncGenerator<Buffer>).return?.(undefined);
          throw err;
        }
        await pipeline(encrypted, tap, out, ...(signal ? [{ signal }] : []));
      } else await pipeline(plain, tap, out, ...(signal ? [{ signal }] : []));
      const fh = await open(this.partialPath, 'r');
      await fh.sync().finally(() => fh.close());
      await chmod(this.partialPath, 0o600);
      const sha256 = hash.digest('hex');
      onPacked?.();
      if (verifying) {
        const verdict = await verifying;
        if (!verdict.ok) throw new VerificationError(verdict.problems);
      }
      const sidecar = `${this.path}.sha256`;
      await writeFile(`${sidecar}.partial`, `${sha256}  ${basename(this.path)}\n`, { mode: 0o600, flag: 'w' });
      await rename(this.partialPath, this.path);
      await rename(`${sidecar}.partial`, sidecar);
      await rm(this.spoolDir, { recursive: true, force: true });
      return { path: this.path, sha256, bytes, sidecar };
    } catch (err) {
      await this.abort();
      // The verification may wait for bytes that will never come: its stream ends here, whatever broke.
      copy?.destroy();
      await verifying?.catch(() => undefined);
      if (signal?.aborted || err instanceof VerificationError || err instanceof OutputError) throw err;
      throw new OutputError(describeFsError(err, this.partialPath, 'bundle'), { cause: err });
    }
  }

  /** A member being compressed; held in memory while small, unless `memory` is false. */
  #gzipSpool(file: string, memory = true): GzipSpool {
    const spool = GzipSpool.create(file, memory ? this.#memory : undefined);
    this.#live.add(spool);
    return spool;
  }

  /** The member of a finished spool's content, compressed from its file or its bytes. */
  #gzipContent(result: SpoolResult, file: string): Promise<Member> {
    const spool = this.#gzipSpool(file);
    if (result.file) return gzipFile(result.file, spool);
    return (async () => {
      try {
        await spool.write(result.data ?? Buffer.alloc(0));
        return await spool.finish();
      } catch (err) {
        await spool.discard();
        throw err;
      }
    })();
  }

  /** Removes a spooled entry's content: its file, or its bytes from the memory budget. */
  async #removeContent(e: { file?: string; mem?: Buffer }): Promise<void> {
    if (e.mem) this.#memory.release(e.mem.length);
    if (e.file) await rm(e.file, { force: true });
  }

  /** Remembers a background compression until it settles; a failure is reported by `finish`. */
  #track<T>(promise: Promise<T>): Promise<T> {
    this.#pending.add(promise);
    const forget = (): void => void this.#pending.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  /** Removes the partial bundle, its sidecar and the spool. Safe to call more than once. */
  async abort(): Promise<void> {
    this.#closed = true;
    // A compression still writing into the spool would race its removal: stop them all first.
    await Promise.allSettled([...this.#live].map((gz) => gz.discard()));
    await Promise.allSettled([...this.#pending]);
    await Promise.all([
      rm(this.spoolDir, { recursive: true, force: true }),
      rm(this.partialPath, { force: true }),
      rm(`${this.path}.sha256.partial`, { force: true }),
    ]);
  }
}
