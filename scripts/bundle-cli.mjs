// The command line as one module graph (issue #14 part 3): `npm run build` runs this after tsc.
//
// Node loads an ES module graph file by file: resolve, read, compile, link. The CLI's graph held about
// 470 files (execa alone 106, zod 95) and loading it took 0.3-0.45 s of a 1.5 s run. Bundled, the same
// code loads in about half that. The input is tsc's own output (dist/src/cli/main.js), so the code that
// runs is the code tsc checked and the library (dist/src/index.js) still ships file by file.
//
// Left outside the bundle, loaded from node_modules at run time as before:
//   - dockerode, docker-modem, ssh2: CommonJS; src/docker/dockerode-lazy.ts puts stand-ins for some of
//     their files into require's cache, which only works on the real files;
//   - systeminformation, tar-stream, lilconfig, @aws-sdk/*: CommonJS, or loaded only when asked for.
// Everything else the CLI imports (our modules, yargs, execa, zod, yaml, croner, age-encryption and
// their dependencies) goes in. Lazy `import()`s stay lazy: each becomes a chunk of its own.
//
// Two dependencies are adjusted as they go in (PATCHES below; the build fails if one no longer applies):
//   - yargs reads the package.json of the folder that holds its node_modules (ours) at every start: the
//     guess of a version that yargs() makes before ours replaces it. It finds that folder in its own
//     file's path; bundled, the path has no node_modules and yargs fell back to the working directory,
//     so a package.json there (a FIFO, say: tests/cli/fifo-inputs.test.ts) was read by every run. It
//     now starts from the bundle's own file and finds ours, as from node_modules.
//   - string-width (yargs's help layout, two copies) builds an Intl.Segmenter when it loads: about
//     11 ms of ICU start-up that only --help needs. It is built on first use.
// Loaded file by file, yargs took 85 ms of every start; bundled and adjusted, about 25 ms. Bundled,
// y18n finds no locale file beside it (it looks in dist/locales/), so yargs prints its English message
// keys as they are: the same text as en.json's but for "Implications failed:" (.implies(), unused here).
// --help and parse errors are compared byte for byte with the unbundled build's (done for 3442434).
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = `${ROOT}dist/cli`;
const EXTERNAL = ['dockerode', 'docker-modem', 'ssh2', 'systeminformation', 'tar-stream', 'lilconfig', '@aws-sdk/'];

/** A package of EXTERNAL, or one of its files (`dockerode/lib/session.js`). */
const isExternal = (id) => id.startsWith('node:') || EXTERNAL.some((p) => (p.endsWith('/') ? id.startsWith(p) : id === p || id.startsWith(`${p}/`)));

/**
 * Source changes made as modules go in: file (path suffix), exact text, replacement. Each must apply
 * to some module (checked at the end). `every`: each matching file must contain the text (yargs's one
 * shim), else files without it are left alone (a string-width version without a segmenter).
 */
const PATCHES = [
  {
    file: '/node_modules/yargs/lib/platform-shims/esm.mjs',
    from: "const mainFilename = __dirname.substring(0, __dirname.lastIndexOf('node_modules'));",
    // The bundle's own file: yargs looks for package.json from its folder up, and finds ours.
    to: 'const mainFilename = __dirname;',
    every: true,
  },
  {
    file: '/string-width/index.js',
    from: 'const segmenter = new Intl.Segmenter();',
    to: 'let lazySegmenter;\nconst segmenter = { segment: (text) => (lazySegmenter ??= new Intl.Segmenter()).segment(text) };',
    every: false,
  },
];
const applied = new Map(PATCHES.map((p) => [p, 0]));

/** Applies PATCHES; fails the build when one found nothing to change (the dependency changed). */
const patches = {
  name: 'collect-bundle-patches',
  transform(code, id) {
    let out = code;
    for (const p of PATCHES) {
      if (!id.endsWith(p.file)) continue;
      if (!out.includes(p.from)) {
        if (!p.every) continue;
        throw new Error(`bundle-cli: ${id} no longer contains ${JSON.stringify(p.from)}: check PATCHES in scripts/bundle-cli.mjs`);
      }
      out = out.replace(p.from, p.to);
      applied.set(p, applied.get(p) + 1);
    }
    return out === code ? null : { code: out, map: null };
  },
  buildEnd() {
    const missed = PATCHES.filter((p) => applied.get(p) === 0).map((p) => p.file);
    if (missed.length) throw new Error(`bundle-cli: no module matched ${missed.join(', ')}: check PATCHES in scripts/bundle-cli.mjs`);
  },
};

await rm(OUT, { recursive: true, force: true });
await build({
  input: { main: `${ROOT}dist/src/cli/main.js` },
  cwd: ROOT,
  platform: 'node',
  logLevel: 'warn',
  external: isExternal,
  plugins: [patches],
  output: {
    dir: OUT,
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: 'chunks/[name]-[hash].js',
  },
});
