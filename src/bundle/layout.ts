// Room: bundle (src/bundle/) — may import core, redaction (the rule: tests/architecture.test.ts).
/**
 * The bundle contract: every path in a bundle and the shape of the rows its files hold. Writers (the
 * collectors, the bundle writer, ISSUE.md, the job bundle) and readers (analyzers, `diff`, `inspect`,
 * the docs tests) take their paths from here, so renaming a file is one edit here, and a reader that
 * still spells the old name breaks the build, not silently a finding (tests/bundle/layout.test.ts
 * fails on a bundle path literal anywhere else in the source).
 *
 * A collector yields paths relative to its own folder (`version.json`, `<engine>/containers.json`);
 * the runner puts them under the folder (`docker/`). So each collector's files are built twice from
 * one definition: `DOCKER_FILES` (relative, what the collector yields) and `DOCKER` (bundle-relative,
 * what readers ask a BundleView for). Paths below are relative to the bundle's top-level folder.
 */

// ---------------------------------------------------------------------------------------------
// Root files

/** The bundle's own files at its root, written by the bundle writer (not by a collector). */
export const ROOT = Object.freeze({
  manifest: 'manifest.json',
  issue: 'ISSUE.md',
  /** The self-contained HTML report (src/report/html/), made from the same data as ISSUE.md. */
  report: 'report.html',
  findings: 'findings.json',
  redactions: 'redactions.json',
  runLog: 'run.log',
} as const);

/** The root files in the order the writer stores them (manifest.json first: readers find it in the first KiB). */
export const ROOT_FILE_ORDER: readonly string[] = Object.freeze([ROOT.manifest, ROOT.issue, ROOT.report, ROOT.findings, ROOT.redactions, ROOT.runLog]);

/** Whether a bundle-relative path is one of the root files rather than a collected artifact. */
export function isRootFile(path: string): boolean {
  return ROOT_FILE_ORDER.includes(path);
}

/** A name safe as one folder or file name (docker names already are; ids and odd names are made so). */
export function folderName(name: string): string {
  return (
    name
      .replace(/[^A-Za-z0-9_.-]+/g, '_')
      .replace(/^\.+/, '_')
      .slice(0, 128) || 'unnamed'
  );
}

// ---------------------------------------------------------------------------------------------
// Collector folders and their files

/** The folder of each built-in collector in the bundle (its name, unless it says otherwise). */
export const FOLDER = Object.freeze({
  system: 'system',
  docker: 'docker',
  compose: 'compose',
  django: 'django',
  cloudrun: 'cloudrun',
  job: 'job',
  envFiles: 'env-files',
  custom: 'custom',
} as const);

/** The names of the files in a container's folder (every collected container has inspect.json). */
export const CONTAINER_FILE = Object.freeze({ inspect: 'inspect.json', logs: 'logs.txt', stats: 'stats.json' } as const);

/** The folder of an engine that holds one folder per collected container. */
const CONTAINERS_DIR = 'containers/';

const dockerEngineFiles = (p: string, engine: string) =>
  Object.freeze({
    endpoint: `${p}${engine}/endpoint.json`,
    version: `${p}${engine}/version.json`,
    info: `${p}${engine}/info.json`,
    /** {@link ContainerRow}[] */
    containers: `${p}${engine}/containers.json`,
    ps: `${p}${engine}/ps.txt`,
    /** {@link DockerDfFile} */
    df: `${p}${engine}/df.json`,
    images: `${p}${engine}/images.json`,
    networks: `${p}${engine}/networks.json`,
    volumes: `${p}${engine}/volumes.json`,
    /** One Docker Engine event (JSON, as the API sends it) per line. */
    events: `${p}${engine}/events.jsonl`,
  });

const dockerFiles = (p: string) =>
  Object.freeze({
    /** Every engine of the run and how its collection went: {@link EnginesFile}. */
    engines: `${p}engines.json`,
    /** The folder of one engine (`local`, a context name, `host-port`). */
    engineDir: (engine: string) => `${p}${engine}`,
    /** The files of one engine. */
    engine: (engine: string) => dockerEngineFiles(p, engine),
    /** The folder of one container (`folder` already made safe by {@link folderName}) and its files. */
    container: (engine: string, folder: string) =>
      Object.freeze({
        dir: `${p}${engine}/${CONTAINERS_DIR}${folder}`,
        inspect: `${p}${engine}/${CONTAINERS_DIR}${folder}/${CONTAINER_FILE.inspect}`,
        logs: `${p}${engine}/${CONTAINERS_DIR}${folder}/${CONTAINER_FILE.logs}`,
        stats: `${p}${engine}/${CONTAINERS_DIR}${folder}/${CONTAINER_FILE.stats}`,
      }),
    /** The prefix every container folder of one engine starts with. */
    containersDir: (engine: string) => `${p}${engine}/${CONTAINERS_DIR}`,
    /** The engine of `path` when it is that engine's `file` (`docker/local/df.json`, `df` → `local`), else undefined. */
    engineOf: (path: string, file: keyof EngineFiles): string | undefined => {
      const [before, after] = dockerEngineFiles(p, '\0')[file].split('\0') as [string, string];
      if (!path.startsWith(before) || !path.endsWith(after)) return undefined;
      const engine = path.slice(before.length, path.length - after.length);
      return engine && !engine.includes('/') ? engine : undefined;
    },
    /** The engine whose folder `path` is in (`docker/local/…` → `local`), else undefined. */
    engineIn: (path: string): string | undefined => {
      if (!path.startsWith(p)) return undefined;
      const rest = path.slice(p.length);
      const slash = rest.indexOf('/');
      return slash > 0 ? rest.slice(0, slash) : undefined;
    },
    /** Engine and container folder when `path` is that container's `file`, else undefined. */
    containerOf: (path: string, file: keyof typeof CONTAINER_FILE): { engine: string; folder: string } | undefined => {
      if (!path.startsWith(p)) return undefined;
      const [engine, containers, folder, name, ...more] = path.slice(p.length).split('/');
      if (!engine || !folder || more.length || `${containers}/` !== CONTAINERS_DIR || name !== CONTAINER_FILE[file]) return undefined;
      return { engine, folder };
    },
  });
/** The files of one engine. */
type EngineFiles = ReturnType<typeof dockerEngineFiles>;
/** One container's folder and files (`DOCKER.container(engine, folder)`). */
export type ContainerFiles = ReturnType<ReturnType<typeof dockerFiles>['container']>;
/** The docker collector's files, relative to its folder (what it yields). */
export const DOCKER_FILES = dockerFiles('');
/** The docker collector's files, bundle-relative (what readers read). */
export const DOCKER = dockerFiles(`${FOLDER.docker}/`);

const systemFiles = (p: string) =>
  Object.freeze({
    os: `${p}os.json`,
    cpu: `${p}cpu.json`,
    load: `${p}load.json`,
    /** {@link MemoryFile} */
    memory: `${p}memory.json`,
    /** {@link FilesystemRow}[] */
    filesystems: `${p}filesystems.json`,
    uptime: `${p}uptime.json`,
    /** {@link ToolVersionsFile} */
    versions: `${p}versions.json`,
  });
export const SYSTEM_FILES = systemFiles('');
export const SYSTEM = systemFiles(`${FOLDER.system}/`);

const djangoFiles = (p: string) =>
  Object.freeze({
    interpreter: `${p}interpreter.json`,
    /** {@link DjangoVersionsFile} */
    versions: `${p}versions.json`,
    probeOutput: `${p}probe-output.txt`,
    settingsError: `${p}settings-error.txt`,
    /** {@link MigrationsFile} */
    migrations: `${p}migrations.json`,
    databases: `${p}databases.json`,
    checks: `${p}checks.json`,
    diffsettings: `${p}diffsettings.txt`,
    /** {@link DjangoSettingsTreeFile} */
    settingsTree: `${p}settings-tree.json`,
    /** {@link ContainerManagerFile} */
    containerManager: `${p}container-manager.json`,
    check: `${p}check.txt`,
    checkDeploy: `${p}check-deploy.txt`,
    checkDatabase: `${p}check-database.txt`,
    showmigrations: `${p}showmigrations.txt`,
    makemigrationsCheck: `${p}makemigrations-check.txt`,
    migratePlan: `${p}migrate-plan.txt`,
  });
export const DJANGO_FILES = djangoFiles('');
export const DJANGO = djangoFiles(`${FOLDER.django}/`);

const composeFiles = (p: string) =>
  Object.freeze({
    project: `${p}project.json`,
    /** A copy of one compose file (name made safe and unique). */
    file: (name: string) => `${p}files/${name}`,
    /** The project's containers on one engine (rows: {@link ComposeContainerRow}). */
    containers: (engine: string) => `${p}${engine}/containers.json`,
  });
export const COMPOSE_FILES = composeFiles('');
export const COMPOSE = composeFiles(`${FOLDER.compose}/`);

const cloudrunFiles = (p: string) =>
  Object.freeze({
    services: `${p}services.json`,
    jobs: `${p}jobs.json`,
    summary: `${p}summary.json`,
    service: (file: string) => `${p}services/${file}.json`,
    revisions: (file: string) => `${p}revisions/${file}.json`,
    executions: (file: string) => `${p}executions/${file}.json`,
    /** The folder of the failed executions' log entries. */
    logsDir: `${p}logs`,
    logs: (file: string) => `${p}logs/${file}.jsonl`,
  });
export const CLOUDRUN_FILES = cloudrunFiles('');
export const CLOUDRUN = cloudrunFiles(`${FOLDER.cloudrun}/`);

const jobFiles = (p: string) =>
  Object.freeze({
    record: `${p}record.json`,
    plan: `${p}plan.json`,
    containers: `${p}containers.json`,
  });
export const JOB_FILES = jobFiles('');
export const JOB = jobFiles(`${FOLDER.job}/`);

/** The env-files collector's copies of `.env` files. */
export const ENV_FILES = Object.freeze({
  /** The prefix of every copy. */
  dir: `${FOLDER.envFiles}/`,
  /** One copy, bundle-relative (`name` made safe and unique by the collector). */
  file: (name: string) => `${FOLDER.envFiles}/${name}`,
});

/** A config-defined collector's folder and the files its kinds write there. */
export const CUSTOM = Object.freeze({
  folder: (name: string) => `${FOLDER.custom}/${name}`,
  /** command: what it printed, and its exit record. */
  commandOutput: 'output.txt',
  commandResult: 'result.json',
  /** http: the response body and the request/response record. */
  httpBody: 'body.txt',
  httpResponse: 'response.json',
  /** file: which files were copied or skipped, and why. */
  fileIndex: 'index.json',
  /** env: the variables read. */
  env: 'env.json',
});

/**
 * Every bundle path with its parameters as `<placeholders>` (`docker/<engine>/containers/<container>/logs.txt`),
 * for documents that name files (TROUBLESHOOTING.md's diagnostic commands) and the tests that check them.
 */
export const PATH_TEMPLATES: readonly string[] = Object.freeze([
  ...Object.values(ROOT),
  DOCKER.engines,
  ...Object.values(DOCKER.engine('<engine>')),
  ...Object.values(DOCKER.container('<engine>', '<container>')).filter((p) => p !== DOCKER.container('<engine>', '<container>').dir),
  ...Object.values(SYSTEM),
  ...Object.values(DJANGO),
  COMPOSE.project,
  COMPOSE.file('<file>'),
  COMPOSE.containers('<engine>'),
  CLOUDRUN.services,
  CLOUDRUN.jobs,
  CLOUDRUN.summary,
  CLOUDRUN.service('<service>'),
  CLOUDRUN.revisions('<service>'),
  CLOUDRUN.executions('<job>'),
  CLOUDRUN.logs('<execution>'),
  ...Object.values(JOB),
  ENV_FILES.file('<file>'),
]);

// ---------------------------------------------------------------------------------------------
// Row shapes: src/bundle/layout-rows.ts

export * from './layout-rows.js';
