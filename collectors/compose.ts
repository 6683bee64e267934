// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * `compose`: a Docker Compose project next to the Django project. Its compose file(s) (redacted like
 * everything: `environment:` values under secret names are caught by the redactor's key rules), the
 * project name as compose derives it, and on every engine of the run that project's containers (by the
 * `com.docker.compose.project` label): service, state, exit code, health and restarts, plus the
 * services the files declare that have no container there.
 *
 * Runs when compose.yaml, compose.yml, docker-compose.yaml or docker-compose.yml is in the project
 * directory (the `projectDir` option, else `--django-dir`, else the current directory), or when `files`
 * names the files. Read-only: nothing is started, stopped or pulled.
 */
import { access, readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { defineCollector, errorMessage, json, problem } from '../src/core/artifacts.js';
import { defineOptions, option, type OptionValues } from '../src/core/options.js';
import { nonEmpty, path } from '../src/core/validators.js';
import type { CollectContext, ContainerInspect, ContainerSummary, Output } from '../src/core/types.js';
import { file } from './declare.js';
import { containerName, folderName, knownSecrets } from './docker-containers.js';
import { COMPOSE_FILES, type ComposeContainerRow, type ComposeContainersFile } from '../src/bundle/layout.js';

/** The compose collector's options. */
export const composeOptions = defineOptions({
  projectDir: option(path('the folder with the compose file'), {
    path: true,
    defaultText: '--django-dir, else the current directory',
    describe: 'Folder with the compose file',
  }),
  files: option(z.array(path('a compose file')), {
    default: [],
    type: 'array',
    describe: 'Compose files to read instead of the default names (like docker compose -f; relative to the project folder)',
  }),
  projectName: option(nonEmpty('a compose project name'), { defaultText: 'derived as compose does', describe: 'The project name (like docker compose -p)' }),
  cwd: option(z.string(), { internal: true, describe: "Where to look when projectDir is unset (default: the process's current directory)" }),
});
export type ComposeOptions = OptionValues<typeof composeOptions>;

/** The names compose looks for, in its order of preference. */
export const COMPOSE_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'] as const;
const OVERRIDE_NAMES: Readonly<Record<string, string>> = {
  'compose.yaml': 'compose.override.yaml',
  'compose.yml': 'compose.override.yml',
  'docker-compose.yaml': 'docker-compose.override.yaml',
  'docker-compose.yml': 'docker-compose.override.yml',
};
const PROJECT_LABEL = 'com.docker.compose.project';
const SERVICE_LABEL = 'com.docker.compose.service';

const exists = async (p: string): Promise<boolean> =>
  access(p).then(
    () => true,
    () => false,
  );

/** The files compose would read in `dir`: the first default name found, and its override file if present. */
export async function findComposeFiles(dir: string): Promise<string[]> {
  for (const name of COMPOSE_FILE_NAMES) {
    if (await exists(join(dir, name))) {
      const override = join(dir, OVERRIDE_NAMES[name]!);
      return [join(dir, name), ...((await exists(override)) ? [override] : [])];
    }
  }
  return [];
}

/** Lower case, only [a-z0-9_-], no leading `_` or `-`: how compose makes a project name of a directory name. */
export function normalizeProjectName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[_-]+/, '');
}

/** `COMPOSE_PROJECT_NAME=x` in a `.env` file's text, if set. */
function dotenvProjectName(textValue: string): string | undefined {
  for (const line of textValue.split('\n')) {
    const m = /^\s*(?:export\s+)?COMPOSE_PROJECT_NAME\s*=\s*(.*?)\s*$/.exec(line);
    if (m) return m[1]!.replace(/^(['"])(.*)\1$/, '$2') || undefined;
  }
  return undefined;
}

/** What the files say, as far as this collector needs it. */
interface Parsed {
  readonly name?: string;
  readonly services: string[];
  readonly errors: { file: string; error: string }[];
}

async function parseFiles(docs: readonly { path: string; text: string }[]): Promise<Parsed> {
  // Loaded here, when there is a compose file to read: most runs have none, and yaml is 230 KB to compile.
  const { parse } = await import('yaml');
  let name: string | undefined;
  const services = new Set<string>();
  const errors: { file: string; error: string }[] = [];
  for (const d of docs) {
    try {
      const doc = parse(d.text) as unknown;
      if (doc === null || doc === undefined) continue;
      if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error('the top level is not a mapping');
      const o = doc as Record<string, unknown>;
      if (typeof o['name'] === 'string' && o['name']) name = o['name']; // the last file's name wins, as in compose
      const s = o['services'];
      if (s && typeof s === 'object' && !Array.isArray(s)) for (const k of Object.keys(s)) services.add(k);
    } catch (err) {
      errors.push({ file: d.path, error: errorMessage(err) });
    }
  }
  return { ...(name ? { name } : {}), services: [...services].sort(), errors };
}

const zeroTime = (t: string | undefined): string | null => (!t || t.startsWith('0001-01-01') ? null : t);

function row(s: ContainerSummary, i: ContainerInspect | undefined): ComposeContainerRow {
  const labels = { ...(s.Labels ?? {}), ...(i?.Config?.Labels ?? {}) };
  const st = i?.State;
  return {
    name: containerName(s),
    id: s.Id,
    service: labels[SERVICE_LABEL] ?? null,
    containerNumber: labels['com.docker.compose.container-number'] ?? null,
    image: s.Image,
    state: st?.Status ?? s.State,
    status: s.Status,
    exitCode: st?.ExitCode ?? null,
    oomKilled: st?.OOMKilled ?? null,
    health: st?.Health?.Status ?? null,
    restartCount: i?.RestartCount ?? null,
    startedAt: zeroTime(st?.StartedAt),
    finishedAt: zeroTime(st?.FinishedAt),
    workingDir: labels['com.docker.compose.project.working_dir'] ?? null,
    configFiles: labels['com.docker.compose.project.config_files'] ?? null,
  };
}

/** The project directory and its compose files, or why there are none. */
async function locate(o: ComposeOptions): Promise<{ dir: string; files: string[] } | string> {
  const base = o.cwd || process.cwd();
  const dir = resolve(base, o.projectDir ?? '.');
  if (o.files.length) {
    const files = o.files.map((f) => (isAbsolute(f) ? f : resolve(dir, f)));
    return { dir: o.projectDir ? dir : dirname(files[0]!), files };
  }
  const files = await findComposeFiles(dir);
  return files.length ? { dir, files } : `no ${COMPOSE_FILE_NAMES.join(', ')} in ${dir} (set the compose collector's projectDir or files option)`;
}

export default defineCollector({
  name: 'compose',
  description:
    'Docker Compose: the compose files (redacted), the project name, and that project’s containers on each engine (service, state, exit code, health)',
  defaultEnabled: true,
  options: composeOptions,
  async applies(ctx) {
    const found = await locate(ctx.options);
    return typeof found === 'string' ? found : true;
  },
  async *collect(ctx) {
    const found = await locate(ctx.options);
    if (typeof found === 'string') throw new Error(found);
    const docs: { path: string; text: string }[] = [];
    const used = new Set<string>();
    for (const path of found.files) {
      let content: string;
      try {
        content = await readFile(path, 'utf8');
      } catch (err) {
        yield problem(path, `could not read the compose file: ${errorMessage(err)}`);
        continue;
      }
      docs.push({ path, text: content });
      let name = folderName(basename(path));
      for (let i = 2; used.has(name); i++) name = `${folderName(basename(path))}-${i}`;
      used.add(name);
      // Stored from the file itself (regular files only, tail kept), as the custom `file` collectors store theirs.
      yield file(COMPOSE_FILES.file(name), path);
    }
    if (docs.length === 0) throw new Error(`none of the compose files could be read: ${found.files.join(', ')}`);
    const parsed = await parseFiles(docs);
    for (const e of parsed.errors) yield problem(e.file, `not valid compose YAML (${e.error}); the file is kept as it is`);

    // compose's order: -p, COMPOSE_PROJECT_NAME (environment, then .env), top-level name:, directory name.
    const dotenv = await readFile(join(found.dir, '.env'), 'utf8').then(dotenvProjectName, () => undefined);
    const envName = ctx.deps.env['COMPOSE_PROJECT_NAME'];
    const [project, from] = ctx.options.projectName
      ? [ctx.options.projectName, 'option']
      : envName
        ? [envName, 'COMPOSE_PROJECT_NAME']
        : dotenv
          ? [dotenv, '.env COMPOSE_PROJECT_NAME']
          : parsed.name
            ? [parsed.name, 'name: in the compose file']
            : [normalizeProjectName(basename(found.dir)), 'directory name'];

    yield json(COMPOSE_FILES.project, { project, projectFrom: from, directory: found.dir, files: found.files, services: parsed.services });
    yield* containersOnEngines(ctx, project, parsed.services);
  },
});

/** compose/<engine>/containers.json for every engine; an engine that fails is a problem, the others go on. */
async function* containersOnEngines(ctx: CollectContext<ComposeOptions>, project: string, declared: readonly string[]): AsyncGenerator<Output> {
  for (const endpoint of ctx.deps.dockerEndpoints) {
    const client = ctx.deps.docker(endpoint);
    try {
      const listed = await client.listContainers(ctx.signal, { all: true });
      const mine = listed.filter((s) => s.Labels?.[PROJECT_LABEL] === project);
      const rows: ComposeContainerRow[] = [];
      for (const s of mine) {
        let doc: ContainerInspect | undefined;
        try {
          doc = await client.inspectContainer(s.Id, ctx.signal);
          // Not written here, but other collectors may write its log: its secrets are the run's.
          for (const secret of knownSecrets(doc)) ctx.deps.secrets.add(secret);
        } catch (err) {
          if (ctx.signal.aborted) throw err;
          yield problem(`${endpoint.label}/${containerName(s)}`, `could not be inspected: ${errorMessage(err)}`);
        }
        rows.push(row(s, doc));
      }
      rows.sort((a, b) => a.name.localeCompare(b.name));
      const withContainer = new Set(rows.map((r) => r.service).filter((s): s is string => s !== null));
      yield json(COMPOSE_FILES.containers(endpoint.label), {
        project,
        engine: endpoint.label,
        containers: rows,
        servicesWithoutContainer: declared.filter((s) => !withContainer.has(s)),
        servicesNotDeclared: [...withContainer].filter((s) => !declared.includes(s)).sort(),
      } satisfies ComposeContainersFile);
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      yield problem(`engine ${endpoint.label}`, `could not list the compose project's containers: ${errorMessage(err)}`);
    } finally {
      client.close();
    }
  }
}
