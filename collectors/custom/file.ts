// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * A `file` custom collector: files, directories and globs the user named (Django's log, nginx or
 * gunicorn logs, /etc/docker/daemon.json), each copied through the redactor into `files/<path>`, plus
 * `index.json` listing every file seen, its size, mtime, whether it was cut, and why one was skipped.
 *
 * Safety rules:
 * - A symlink is never followed out of the root the user named (the non-glob prefix of a pattern, the
 *   named file's folder, or the named directory): its real path must stay inside the root's real path.
 * - Sockets, FIFOs and devices are skipped (reading a FIFO could block forever; a device has no end).
 * - Files are opened with O_NOFOLLOW|O_NONBLOCK and checked again with fstat, so a file swapped for a
 *   symlink or a FIFO between listing and reading is refused rather than followed or waited on.
 * - Content is streamed (never buffered whole); the redactor sees every byte before the spool keeps the tail.
 *
 * The walk is our own rather than tinyglobby's: tinyglobby silently drops FIFOs, sockets and (unless it
 * follows them) symlinks, so they could not be reported, and when it follows links it walks outside
 * the root before we could refuse. Matching uses ./glob.ts.
 */
import { constants, type Dirent, type Stats } from 'node:fs';
import { type FileHandle, lstat, open, readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { defineCollector, excluded, json, problem } from '../../src/core/artifacts.js';
import type { Artifact, Collector, Output } from '../../src/core/types.js';
import { formatBytes } from '../../src/core/units.js';
import { GLOBSTAR, compilePathPattern, isGlob, matchSegments, type Segment } from '../../src/core/glob.js';
import type { FileCollectorSpec } from './schema.js';
import { CUSTOM } from '../../src/bundle/layout.js';

export const FILE_DEFAULTS = Object.freeze({ maxBytes: 10 * 1024 * 1024, maxTotalBytes: 100 * 1024 * 1024, followSymlinks: true });

/** Bounds on a walk, so a pattern like `/**` cannot run for ever. */
const MAX_FILES = 2_000;
const MAX_DEPTH = 40;
/** Bytes looked at to tell a binary file (a NUL byte) before it is offered to the redactor. */
export const SNIFF_BYTES = 8 * 1024;

/** One line of index.json. */
export interface FileIndexEntry {
  /** The path as found under the named root. */
  readonly path: string;
  /** Where it was stored in the bundle (below `custom/<name>/`), when it was. */
  readonly stored?: string;
  /** The real path, when a symlink (inside the root) led to it. */
  readonly realPath?: string;
  readonly size?: number;
  readonly mtime?: string;
  /** True when only the tail was kept (the file is larger than its byte limit). */
  readonly truncated?: boolean;
  /** Why it was not included. */
  readonly skipped?: string;
}

interface Candidate {
  readonly shown: string;
  readonly real: string;
}

export function fileCollector(spec: FileCollectorSpec, options: { readonly baseDir: string }): Collector {
  return defineCollector({
    name: spec.name,
    folder: CUSTOM.folder(spec.name),
    description: `custom: files ${spec.paths.join(', ').slice(0, 120)}`,
    defaultEnabled: true,
    defaults: {},
    collect: () => copyFiles(spec, options),
  });
}

/**
 * The walk of a `file` collector, shared with the `files(...)` declaration (collectors/declare.ts):
 * every file the paths name, copied through the redactor into `files/<path>`, and index.json.
 */
export async function* copyFiles(spec: FileCollectorSpec, options: { readonly baseDir: string }): AsyncGenerator<Output> {
  const maxBytes = spec.maxBytes ?? FILE_DEFAULTS.maxBytes;
  const maxTotal = spec.maxTotalBytes ?? FILE_DEFAULTS.maxTotalBytes;
  const follow = spec.followSymlinks ?? FILE_DEFAULTS.followSymlinks;
  const index: FileIndexEntry[] = [];
  const seen = new Map<string, string>();
  let used = 0;
  let files = 0;
  walking: for (const raw of spec.paths) {
    const abs = isAbsolute(raw) ? resolve(raw) : resolve(options.baseDir, raw);
    const walk = new Walk(spec.name, follow, index);
    let matched = 0;
    for await (const item of walk.pattern(abs, raw)) {
      matched++;
      if ('kind' in item) {
        yield item;
        continue;
      }
      const entry = { path: item.shown, ...(item.real !== item.shown ? { realPath: item.real } : {}) };
      const first = seen.get(item.real);
      if (first !== undefined) {
        index.push({ ...entry, skipped: `same file as ${first}` });
        continue;
      }
      seen.set(item.real, item.shown);
      if (++files > MAX_FILES) {
        index.push({ ...entry, skipped: `more than ${MAX_FILES} files matched` });
        if (files === MAX_FILES + 1) yield excluded(raw, `more than ${MAX_FILES} files matched; the rest were left out (fix: name a narrower pattern)`);
        continue;
      }
      let st: Stats;
      let binary: boolean;
      try {
        ({ st, binary } = await sniff(item.real));
      } catch (err) {
        const reason = readFailure(err, item.shown);
        index.push({ ...entry, skipped: reason });
        yield problem(item.shown, reason);
        continue;
      }
      const meta = { ...entry, size: st.size, mtime: st.mtime.toISOString() };
      if (!st.isFile()) {
        const reason = `${kindOf(st)}: not a regular file`;
        index.push({ ...meta, skipped: reason });
        yield excluded(item.shown, reason);
        continue;
      }
      if (binary) {
        const reason = `binary file (NUL bytes in its first ${SNIFF_BYTES / 1024} KiB, ${formatBytes(st.size)}): not included, binary content cannot be redacted safely`;
        index.push({ ...meta, skipped: 'binary file' });
        yield problem(item.shown, reason);
        continue;
      }
      const remaining = maxTotal - used;
      if (remaining <= 0) {
        const reason = `total cap reached (maxTotalBytes ${formatBytes(maxTotal)}); raise "maxTotalBytes" of custom collector "${spec.name}" to include it`;
        index.push({ ...meta, skipped: 'total cap (maxTotalBytes) reached' });
        yield excluded(item.shown, reason);
        // The budget is spent: walking on (a pattern like `/**`) would only list what cannot be stored.
        const rest = `total cap (maxTotalBytes ${formatBytes(maxTotal)}) reached: stopped walking, files after ${item.shown} were not looked at`;
        index.push({ path: raw, skipped: rest });
        yield excluded(raw, `${rest}; raise "maxTotalBytes" of custom collector "${spec.name}" or name narrower paths`);
        break walking;
      }
      const limit = Math.min(maxBytes, remaining);
      used += Math.min(st.size, limit);
      const stored = `files/${sanitise(item.shown)}`;
      index.push({ ...meta, stored, truncated: st.size > limit });
      yield fileArtifact(stored, item.real, item.shown, limit);
    }
    if (matched === 0)
      yield problem(raw, `matched no files (fix: check "paths" of custom collector "${spec.name}"; patterns are relative to the config file's folder)`);
  }
  yield json(CUSTOM.fileIndex, { maxBytes, maxTotalBytes: maxTotal, followSymlinks: follow ? 'within the named roots' : 'never', files: index });
}

/** One file's artifact: opened only when the writer asks, streamed through the redactor. */
export function fileArtifact(path: string, real: string, shown: string, maxBytes?: number): Artifact {
  return {
    kind: 'artifact',
    path,
    ...(maxBytes !== undefined ? { maxBytes } : {}),
    source: real,
    open: async () => {
      let fh: FileHandle;
      try {
        fh = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
      } catch (err) {
        throw new Error(readFailure(err, shown));
      }
      const st = await fh.stat();
      if (!st.isFile()) {
        await fh.close();
        throw new Error(`${shown} is no longer a regular file (${kindOf(st)}); not read`);
      }
      return { stream: fh.createReadStream({ autoClose: true }) };
    },
  };
}

/** Opens a file without following a final symlink or blocking on a FIFO; reads its first bytes. */
export async function sniff(real: string): Promise<{ st: Stats; binary: boolean }> {
  const fh = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile()) return { st, binary: false };
    // Whatever size it reports: /proc files say 0 (/proc/self/environ is NUL-separated), and a file
    // that passed as text here but is dropped as binary later would be listed as stored in index.json.
    const buf = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return { st, binary: buf.subarray(0, bytesRead).includes(0) };
  } finally {
    await fh.close();
  }
}

/** Walks one named path or pattern below its root, yielding candidate files and recording what it skips. */
class Walk {
  #root = '';
  #rootReal = '';
  readonly #visited = new Set<string>();
  constructor(
    readonly name: string,
    readonly follow: boolean,
    readonly index: FileIndexEntry[],
  ) {}

  async *pattern(abs: string, raw: string): AsyncGenerator<Candidate | Output> {
    let segments: Segment[];
    if (isGlob(abs)) {
      const parts = abs.split(sep);
      const firstGlob = parts.findIndex(isGlob);
      this.#root = parts.slice(0, firstGlob).join(sep) || sep;
      segments = compilePathPattern(parts.slice(firstGlob).join('/'));
    } else {
      let st: Stats;
      try {
        st = await lstat(abs);
      } catch (err) {
        yield problem(raw, namedPathFailure(err, abs, this.name));
        return;
      }
      if (st.isSymbolicLink()) {
        // The path the user named is itself a link (/etc/nginx/sites-enabled/default ->
        // ../sites-available/default, a log folder linked elsewhere): they chose it, so its target is
        // the root. Links found below it are still held to that root.
        let real: string;
        try {
          real = await realpath(abs);
          st = await stat(real);
        } catch (err) {
          yield this.#skip(abs, `${brokenLink(err)} (fix: correct "paths" of custom collector "${this.name}")`);
          return;
        }
        if (st.isFile()) {
          yield { shown: abs, real };
          return;
        }
        if (!st.isDirectory()) {
          yield this.#skip(abs, `symlink to a ${kindOf(st)}: not a regular file`);
          return;
        }
      }
      if (st.isDirectory()) {
        this.#root = abs;
        segments = [GLOBSTAR];
      } else {
        this.#root = dirname(abs);
        segments = [basename(abs)];
      }
    }
    try {
      this.#rootReal = await realpath(this.#root);
    } catch (err) {
      yield problem(raw, namedPathFailure(err, this.#root, this.name));
      return;
    }
    yield* this.#dir(this.#root, [], segments, 0);
  }

  #inside(real: string): boolean {
    return real === this.#rootReal || real.startsWith(this.#rootReal.endsWith(sep) ? this.#rootReal : this.#rootReal + sep);
  }

  #skip(shown: string, reason: string): Output {
    this.index.push({ path: shown, skipped: reason });
    return excluded(shown, reason);
  }

  async *#dir(dir: string, rel: readonly string[], segments: readonly Segment[], depth: number): AsyncGenerator<Candidate | Output> {
    if (depth > MAX_DEPTH) {
      yield this.#skip(dir, `deeper than ${MAX_DEPTH} levels below the root; not searched`);
      return;
    }
    const next = segments[rel.length];
    // A literal segment before any `**`: look the one name up instead of listing the folder.
    const literal = typeof next === 'string' && !segments.slice(0, rel.length).includes(GLOBSTAR);
    let names: string[];
    if (literal) names = [next];
    else {
      let entries: Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        yield problem(dir, readFailure(err, dir, 'list'));
        return;
      }
      names = entries.map((e) => e.name).sort();
    }
    for (const name of names) {
      const path = [...rel, name];
      const full = matchSegments(segments, path);
      const below = matchSegments(segments, path, true);
      if (!full && !below) continue;
      const shown = join(dir, name);
      let st: Stats;
      try {
        st = await lstat(shown);
      } catch (err) {
        if ((err as { code?: string }).code === 'ENOENT' && literal)
          yield problem(shown, `no such file or directory: ${shown} (fix: correct "paths" of custom collector "${this.name}")`);
        else if ((err as { code?: string }).code !== 'ENOENT') yield problem(shown, readFailure(err, shown));
        continue;
      }
      if (st.isSymbolicLink()) {
        if (!this.follow) {
          if (full) yield this.#skip(shown, 'symlink not followed (followSymlinks is false)');
          continue;
        }
        let real: string;
        try {
          real = await realpath(shown);
        } catch (err) {
          if (full) yield this.#skip(shown, brokenLink(err));
          continue;
        }
        if (!this.#inside(real)) {
          yield this.#skip(
            shown,
            `symlink to ${real}, outside the named root ${this.#root}: not followed (fix: name the target's folder in "paths" if you mean to include it)`,
          );
          continue;
        }
        let target: Stats;
        try {
          target = await stat(real);
        } catch (err) {
          yield problem(shown, readFailure(err, shown));
          continue;
        }
        if (target.isDirectory()) {
          if (!below || this.#visited.has(real)) continue;
          this.#visited.add(real);
          yield* this.#dir(shown, path, segments, depth + 1);
        } else if (full) {
          if (target.isFile()) yield { shown, real };
          else yield this.#skip(shown, `symlink to a ${kindOf(target)}: not a regular file`);
        }
        continue;
      }
      if (st.isDirectory()) {
        if (below) yield* this.#dir(shown, path, segments, depth + 1);
        else if (full) yield this.#skip(shown, `directory (to include its files use ${join(shown, '**')})`);
        continue;
      }
      if (!full) continue;
      if (st.isFile()) yield { shown, real: await realpath(shown).catch(() => shown) };
      else yield this.#skip(shown, `${kindOf(st)}: not a regular file`);
    }
  }
}

/** Why a symlink leads nowhere: a loop (a → b → a) is not a missing target. */
function brokenLink(err: unknown): string {
  const code = (err as { code?: string }).code;
  if (code === 'ELOOP') return 'symlink loop (it leads back to itself through other links)';
  if (code === 'EACCES' || code === 'EPERM') return 'symlink whose target cannot be reached (permission denied on the way)';
  return 'broken symlink (its target does not exist)';
}

export function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'FIFO (named pipe)';
  if (st.isSocket()) return 'socket';
  if (st.isBlockDevice() || st.isCharacterDevice()) return 'device';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  return 'special file';
}

/** `var/log/nginx/error.log` from `/var/log/nginx/error.log`: safe segments, no `..`. */
export function sanitise(path: string): string {
  return path
    .split(/[\\/]+/)
    .filter((s) => s !== '' && s !== '.')
    .map((s) => (s === '..' ? '__' : s.replace(/[^A-Za-z0-9._@+=,-]/g, '_')))
    .join('/');
}

/** One line for a path the user named that cannot be used. */
function namedPathFailure(err: unknown, path: string, name: string): string {
  const code = (err as { code?: string }).code;
  if (code === 'ENOENT') return `no such file or directory: ${path} (fix: correct "paths" of custom collector "${name}", or remove the entry)`;
  return readFailure(err, path, 'access');
}

/** One line for a file or folder that could not be read, with the fix. */
export function readFailure(err: unknown, path: string, verb = 'read'): string {
  const code = (err as { code?: string }).code;
  if (code === 'EACCES' || code === 'EPERM')
    return `permission denied: cannot ${verb} ${path} (fix: run collect-bundle as a user who can read it, e.g. with sudo, or add this user to the group that owns it)`;
  if (code === 'ELOOP') return `${path} became a symlink after it was listed; not followed`;
  if (code === 'ENXIO') return `${path} is a FIFO or socket with nothing on the other end; not read`;
  if (code === 'ENOENT') return `${path} disappeared while collecting`;
  return `cannot ${verb} ${path}: ${(err as Error).message ?? String(err)}`;
}
