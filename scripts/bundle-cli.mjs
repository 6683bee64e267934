// The command line as one module graph (issue #14 part 3): `npm run build` runs this after tsc.
//
// Node loads an ES module graph file by file: resolve, read, compile, link. The CLI's graph held about
// 470 files (execa alone 106, zod 95) and loading it took 0.3-0.45 s of a 1.5 s run. Bundled, the same
// code loads in about half that. The input is tsc's own output (dist/src/cli/main.js), so the code that
// runs is the code tsc checked and the library (dist/src/index.js) still ships file by file.
//
// Left outside the bundle, loaded from node_modules at run time as before:
//   - yargs: it reads the package.json of the folder that holds its node_modules (ours) at every start
//     (its guess of a version, made before ours replaces it); bundled, that folder would be the
//     working directory, and a package.json there (a FIFO, say) would be read by every run;
//   - dockerode, docker-modem, ssh2: CommonJS; src/docker/dockerode-lazy.ts puts stand-ins for some of
//     their files into require's cache, which only works on the real files;
//   - systeminformation, tar-stream, lilconfig, @aws-sdk/*: CommonJS, or loaded only when asked for.
// Everything else the CLI imports (our modules, execa, zod, yaml, croner, age-encryption and their
// dependencies) goes in. Lazy `import()`s stay lazy: each becomes a chunk of its own.
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = `${ROOT}dist/cli`;
const EXTERNAL = ['yargs', 'dockerode', 'docker-modem', 'ssh2', 'systeminformation', 'tar-stream', 'lilconfig', '@aws-sdk/'];

/** A package of EXTERNAL, or one of its files (`dockerode/lib/session.js`). */
const isExternal = (id) => id.startsWith('node:') || EXTERNAL.some((p) => (p.endsWith('/') ? id.startsWith(p) : id === p || id.startsWith(`${p}/`)));

await rm(OUT, { recursive: true, force: true });
await build({
  input: { main: `${ROOT}dist/src/cli/main.js` },
  cwd: ROOT,
  platform: 'node',
  logLevel: 'warn',
  external: isExternal,
  output: {
    dir: OUT,
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: 'chunks/[name]-[hash].js',
  },
});
