// Room: analyzers (analyzers/) — may import core, bundle (the rule: tests/architecture.test.ts).
/**
 * Docker analyzers: engines that could not be reached (or refused us), and what went wrong with
 * containers: killed for memory, exited non-zero, restarting in a loop, unhealthy, images that could
 * not be pulled. They read docker/engines.json, docker/<engine>/containers.json, each container's
 * inspect.json and logs.txt, events.jsonl and the manifest, through the bundle view only.
 */
import type { Analyzer, BundleView, CommandRecord, Evidence, Finding } from '../src/core/types.js';
import { formatBytes } from '../src/core/units.js';
import {
  containerEntries,
  engineLabels,
  errorLines,
  eventEvidence,
  get,
  lineEvidence,
  logMessage,
  readEvents,
  readJson,
  readLines,
  type ContainerEntry,
  type ContainerEvent,
  type EngineEvents,
  type JsonDoc,
  type TextLines,
} from './docker-data.js';
import { excerpt, finding, obj, objects, str } from './finding.js';

// ---------------------------------------------------------------------------------------------
// Engines

interface EngineCause {
  readonly test: RegExp;
  /** Short text for the title. */
  readonly what: string;
  readonly remedy: string;
}

const GENERIC_REMEDY = 'Run `docker version` with the same DOCKER_HOST (or `--docker-host`) to see the engine\'s own error, then collect again.';

/** Why an engine could not be used, from the one-line reason the collector recorded (src/docker/client.ts). */
const ENGINE_CAUSES: readonly EngineCause[] = [
  {
    test: /expects TLS/i,
    what: 'the engine expects TLS',
    remedy: 'The engine speaks TLS: pass `--tlsverify --tlscacert ca.pem --tlscert cert.pem --tlskey key.pem`, or set `DOCKER_TLS_VERIFY=1` and `DOCKER_CERT_PATH=~/.docker`. Check with `docker --tlsverify -H tcp://HOST:2376 version`.',
  },
  {
    test: /ssh failed|\bssh\b.*(?:refused|denied|host key)/i,
    what: 'ssh to the engine failed',
    remedy:
      '`ssh -o BatchMode=yes USER@HOST docker version` must work without a prompt: load the key into the agent (`ssh-add ~/.ssh/id_ed25519`), accept the host key once (`ssh USER@HOST true`), and make sure the remote user may use Docker (member of its docker group).',
  },
  {
    test: /TLS|certificate|x509/i,
    what: 'TLS failed',
    remedy:
      'Check the certificates: `docker --tlsverify --tlscacert ca.pem --tlscert cert.pem --tlskey key.pem -H tcp://HOST:2376 version`; pass the same files with `--tlscacert/--tlscert/--tlskey` or `DOCKER_CERT_PATH`; see when they expire with `openssl x509 -noout -enddate -in cert.pem`.',
  },
  {
    test: /does not exist|\bENOENT\b/i,
    what: 'the socket does not exist',
    remedy:
      'Is the daemon running? `sudo systemctl status docker` (start it with `sudo systemctl start docker`). If Docker listens elsewhere (rootless Docker: `unix://$XDG_RUNTIME_DIR/docker.sock`, Docker Desktop, a remote host), point collect-bundle at it with `--docker-host URL` or `DOCKER_HOST`; `docker context ls` lists the engines you have configured.',
  },
  {
    test: /connection refused|ECONNREFUSED/i,
    what: 'connection refused',
    remedy:
      'Nothing listens there: `sudo systemctl status docker` and `sudo journalctl -u docker --since "1 hour ago"` say why the daemon is down or where it listens; for `tcp://` check the address and port (2375 plain, 2376 TLS) and the daemon\'s `hosts` setting.',
  },
  {
    test: /no answer within|hung|timed? ?out|ETIMEDOUT|sent nothing for/i,
    what: 'the engine did not answer (hung or overloaded)',
    remedy:
      'Check whether `timeout 10 docker info` answers; `sudo journalctl -u docker --since "1 hour ago"` shows what the daemon is stuck on (a full disk, a hung container, storage driver errors). Restarting the daemon (`sudo systemctl restart docker`) is disruptive: it stops running containers unless live-restore is enabled; do it only in a maintenance window.',
  },
  {
    test: /cannot be reached over the network|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|ECONNRESET/i,
    what: 'the engine cannot be reached over the network',
    remedy: 'Check that the host resolves and the port is open from here: `getent hosts HOST`, `nc -vz HOST 2376`; check firewalls and that dockerd listens on that interface.',
  },
  {
    test: /invalid|unsupported Docker host|not a URL/i,
    what: 'the engine address is invalid',
    remedy: 'Give a valid engine address with `--docker-host` or `DOCKER_HOST`: `unix:///var/run/docker.sock`, `tcp://HOST:2376` or `ssh://USER@HOST`; `docker context ls` lists named contexts.',
  },
];

/** A permission problem on the Docker socket (locally, or on the remote host behind ssh). */
const PERMISSION = /permission denied|\bEACCES\b/i;
/** ssh's own authentication failure also says "Permission denied (publickey)": that is not the socket. */
const SSH_AUTH = /Permission denied \((?:publickey|password|keyboard-interactive)/i;

const PERMISSION_REMEDY =
  'Let the user use Docker: `sudo usermod -aG docker $USER`, then log out and in again (or `newgrp docker`) and check with `docker version`; or run collect-bundle as a user who can (`sudo collect-bundle ...`). Do not `chmod 666` the socket: anyone who can write to it controls the host as root.';

/** One engine whose collection failed, from wherever the run recorded it. */
interface EngineFailure {
  readonly label: string;
  readonly url?: string;
  readonly status: 'failed' | 'partial';
  readonly reason: string;
  readonly evidence: Evidence[];
}

async function engineFailures(view: BundleView): Promise<EngineFailure[]> {
  const out = new Map<string, EngineFailure>();
  const doc = await readJson<{ engines?: unknown }>(view, 'docker/engines.json');
  const engines = doc && Array.isArray(doc.value?.engines) ? (doc.value.engines as Record<string, unknown>[]) : [];
  for (const [i, e] of engines.entries()) {
    if (typeof e?.['label'] !== 'string' || (e['status'] !== 'failed' && e['status'] !== 'partial')) continue;
    const reason = typeof e['reason'] === 'string' ? e['reason'] : 'no reason recorded';
    out.set(e['label'], {
      label: e['label'],
      ...(typeof e['url'] === 'string' ? { url: e['url'] } : {}),
      status: e['status'],
      reason,
      evidence: [doc!.evidence(['engines', i, 'reason'], `engine ${e['label']}: ${reason}`)],
    });
  }
  // The manifest says it too (and is all there is when the collector stopped before engines.json).
  const collectors = Array.isArray(view.manifest?.collectors) ? view.manifest.collectors : [];
  const rec = collectors.find((c) => c?.name === 'docker');
  if (!rec) return [...out.values()];
  const endpoints = Array.isArray(view.manifest.docker?.endpoints) ? view.manifest.docker.endpoints : [];
  for (const p of objects(rec.problems)) {
    const item = str(p['item']);
    const m = item === undefined ? null : /^engine (.+)$/.exec(item);
    const reason = str(p['reason']);
    if (!m || reason === undefined) continue;
    const ev = { file: 'manifest.json', excerpt: excerpt(`docker: problem: ${item}: ${reason}`) };
    const known = out.get(m[1]!);
    if (known) known.evidence.push(ev);
    else out.set(m[1]!, { label: m[1]!, status: /^not collected/.test(reason) ? 'failed' : 'partial', reason: reason.replace(/^(?:not|partly) collected: /, ''), evidence: [ev] });
  }
  // The reason as text, whatever JSON type the manifest holds it as.
  const recReason = rec.reason === undefined || rec.reason === null || (rec.reason as unknown) === '' ? undefined : excerpt(rec.reason);
  if (rec.status === 'failed' && recReason && out.size === 0) {
    const label = endpoints.length === 1 && typeof endpoints[0]?.label === 'string' ? endpoints[0].label : 'docker';
    out.set(label, { label, status: 'failed', reason: recReason, evidence: [{ file: 'manifest.json', excerpt: excerpt(`docker: failed: ${recReason}`) }] });
  } else if (rec.status === 'failed' && recReason && out.size === 1) {
    const only = [...out.values()][0]!;
    if (!only.evidence.some((e) => e.file === 'manifest.json')) only.evidence.push({ file: 'manifest.json', excerpt: excerpt(`docker: failed: ${recReason}`) });
  }
  for (const f of out.values()) {
    if (f.url) continue;
    const e = endpoints.find((x) => x?.label === f.label);
    if (typeof e?.url === 'string') out.set(f.label, { ...f, url: e.url });
  }
  return [...out.values()];
}

export const dockerEngineAnalyzer: Analyzer = {
  name: 'docker-engines',
  description: 'Docker engines that could not be reached, or refused us permission',
  findingIds: ['docker-unreachable', 'docker-permission-denied'],
  async analyze(view): Promise<Finding[]> {
    const findings: Finding[] = [];
    for (const f of await engineFailures(view)) {
      const where = `Docker engine ${f.label}${f.url ? ` (${f.url})` : ''}`;
      const how = f.status === 'partial' ? 'stopped answering during collection' : 'could not be reached';
      if (PERMISSION.test(f.reason) && !SSH_AUTH.test(f.reason)) {
        findings.push(
          finding({
            id: 'docker-permission-denied',
            severity: 'error',
            title: `${where}: permission denied on the Docker socket`,
            summary: `The socket exists but the user collect-bundle ran as may not use it, so nothing was collected from this engine${f.status === 'partial' ? ' after that point' : ''}. ${excerpt(f.reason, 240)}`,
            remedy: PERMISSION_REMEDY,
            evidence: f.evidence,
            subject: f.label,
          }),
        );
        continue;
      }
      const cause = ENGINE_CAUSES.find((c) => c.test.test(f.reason));
      findings.push(
        finding({
          id: 'docker-unreachable',
          severity: 'error',
          title: `${where} ${how}: ${cause?.what ?? excerpt(f.reason, 120)}`,
          summary: `${f.status === 'partial' ? 'Part of this engine was collected before it stopped answering; the rest is missing.' : 'Nothing was collected from this engine: no containers, logs or events.'} ${excerpt(f.reason, 240)}`,
          remedy: cause?.remedy ?? GENERIC_REMEDY,
          evidence: f.evidence,
          subject: f.label,
        }),
      );
    }
    return findings;
  },
};

// ---------------------------------------------------------------------------------------------
// Containers

/** What an exit code means, as a reader needs it. */
export function exitCodeMeaning(code: number): string {
  switch (code) {
    case 1:
      return 'application error: the program itself failed (see its log)';
    case 2:
      return 'misuse of a shell builtin or a command-line usage error (Python argparse exits 2; often with a traceback)';
    case 125:
      return 'docker run itself failed: the container did not start (bad option, image or daemon error)';
    case 126:
      return 'the command cannot be executed (not executable, or permission denied)';
    case 127:
      return 'command not found (the entrypoint/command is not in the image or not on its PATH)';
    case 130:
      return 'stopped by SIGINT (Ctrl-C)';
    case 134:
      return 'aborted (SIGABRT): an assertion or a fatal runtime error';
    case 137:
      return 'killed by SIGKILL: the OOM killer, `docker kill`, or `docker stop` whose grace period ran out';
    case 139:
      return 'segmentation fault (SIGSEGV): a crash in native code';
    case 143:
      return 'stopped by SIGTERM (`docker stop` or the orchestrator asked it to stop)';
    default:
      return code > 128 && code < 160 ? `killed by signal ${code - 128}` : 'application-specific (see the program\'s documentation and its log)';
  }
}

function exitRemedy(code: number, name: string): string {
  const logs = `Read the full log: \`docker logs --tail 200 ${name}\`; \`docker inspect --format '{{json .State}}' ${name}\` shows the exit state.`;
  switch (code) {
    case 2:
      return `${logs} Exit 2 usually means the command line is wrong: compare the container's command (\`docker inspect --format '{{json .Config.Cmd}}' ${name}\`) with what the program accepts, or fix the exception in the traceback.`;
    case 125:
      return `The engine could not run the container: the error is in the output of the \`docker run\` that started it. Check the image name and the run options. ${logs}`;
    case 126:
      return `The command exists but cannot be run: make it executable in the image (\`RUN chmod +x ...\`) and check its first line (#!). ${logs}`;
    case 127:
      return `The command is not in the image: check the entrypoint/command and that the image contains it (\`docker run --rm --entrypoint sh IMAGE -c 'command -v PROGRAM'\`). ${logs}`;
    case 137:
      return `Not marked OOM-killed, so it was most likely \`docker kill\` or a stop that outlived its grace period: lengthen it (\`docker stop -t 30\`, compose \`stop_grace_period\`) and handle SIGTERM in the program. ${logs}`;
    case 139:
      return `A native crash: check native extensions and the base image's libraries (architecture, libc); run it again with core dumps enabled. ${logs}`;
    case 130:
    case 143:
      return `It was asked to stop; if nobody did, find who did in \`docker events --since 24h --filter container=${name}\` (the orchestrator, a deploy, the OOM handling of a supervisor). ${logs}`;
    default:
      return `${logs} Fix the error in the last lines of the log, then start it again.`;
  }
}

/** Text that says an image could not be pulled or found. */
export const PULL_ERROR =
  /pull access denied|manifest unknown|manifest for \S+ not found|repository does not exist|No such image|Unable to find image|error pulling image|failed to (?:resolve reference|pull(?: and unpack)? image)|toomanyrequests|unauthorized: (?:authentication required|incorrect username or password)|Error response from daemon: Get "?https?:\/\/[^\s"]+\/v2\/?"?:/i;

function pullImage(text: string): string | undefined {
  for (const re of [/Unable to find image '([^']+)'/, /pull access denied for ([^\s,]+)/, /manifest for (\S+) not found/, /No such image: ([^\s,]+)/, /failed to resolve reference "([^"]+)"/, /Error pulling image:? ?"?([^\s"]+)/i]) {
    const m = re.exec(text);
    if (m) return m[1]!.replace(/[.,;:]$/, '');
  }
  return undefined;
}

function pullRemedy(text: string, image: string | undefined): { cause: string; remedy: string } {
  const img = image ?? 'IMAGE';
  if (/pull access denied|unauthorized|authentication required|denied: requested access/i.test(text)) {
    return {
      cause: 'access denied (private image, or a misspelled name)',
      remedy: `Check the name for typos (a missing image also answers "pull access denied"); for a private registry log in first: \`docker login REGISTRY\`, then \`docker pull ${img}\`.`,
    };
  }
  if (/toomanyrequests|rate limit/i.test(text)) {
    return { cause: 'registry rate limit', remedy: `Log in (\`docker login\`) to get a higher pull limit, or use a registry mirror (\`registry-mirrors\` in /etc/docker/daemon.json); then \`docker pull ${img}\`.` };
  }
  if (/dial tcp|no such host|i\/o timeout|connection refused|TLS handshake timeout|x509|proxyconnect|network is unreachable|Client\.Timeout/i.test(text)) {
    return {
      cause: 'the registry cannot be reached',
      remedy: `The engine cannot reach the registry: check DNS and the proxy from the engine's host (\`curl -sI https://registry-1.docker.io/v2/\` answers 401 when it is reachable); the daemon's proxy is set in a systemd drop-in or \`proxies\` in /etc/docker/daemon.json. For an offline host load the image instead: \`docker save ${img} | ssh HOST docker load\`.`,
    };
  }
  if (/manifest unknown|manifest for .* not found|not found|No such image|repository does not exist/i.test(text)) {
    return {
      cause: 'the image or tag does not exist',
      remedy: `Check the image name and tag (\`docker images\` for local images; the registry's tag list, or \`docker manifest inspect ${img}\`); build or load the image first if it is local-only.`,
    };
  }
  return { cause: 'the pull failed', remedy: `Run \`docker pull ${img}\` on the engine's host to see the registry's error, fix it (name, login, network) and start again.` };
}

/** Logs read per engine at most (each is read whole to number its lines). */
export const MAX_LOGS_PER_ENGINE = 50;
/** Containers whose events count as a restart loop when they crashed this often in the window. */
const LOOP_DIES = 5;
/** A kill this long (or less) before a die means the container was asked to stop: docker stop's grace period, with room. */
const ASKED_WINDOW_MS = 60_000;
/** Signals that ask a container to stop (`docker stop`, `docker kill`, Ctrl-C); a kill with another (HUP, USR1) is a reload. */
const STOP_SIGNAL = /^(?:2|3|9|15|(?:SIG)?(?:INT|QUIT|KILL|TERM))$/i;
const LOOP_RESTARTS = 3;

/** Per-engine context shared by the container checks. */
interface EngineCtx {
  readonly view: BundleView;
  readonly label: string;
  readonly rows?: JsonDoc<unknown[]>;
  readonly events?: EngineEvents;
  logsRead: number;
  /** Pull errors seen in the logs read (a worker that pulls images logs the registry's answer). */
  readonly pullHits?: Finding[];
}

async function inspectOf(ctx: EngineCtx, c: ContainerEntry): Promise<JsonDoc<Record<string, unknown>> | undefined> {
  const doc = await readJson<Record<string, unknown>>(ctx.view, `${c.dir}/inspect.json`);
  return doc && typeof doc.value === 'object' && doc.value !== null ? doc : undefined;
}

async function logOf(ctx: EngineCtx, c: ContainerEntry): Promise<TextLines | undefined> {
  const path = `${c.dir}/logs.txt`;
  if (!ctx.view.has(path) || ctx.logsRead >= MAX_LOGS_PER_ENGINE) return undefined;
  ctx.logsRead++;
  const log = await readLines(ctx.view, path);
  for (const l of log?.lines ?? []) {
    if (!PULL_ERROR.test(l.text)) continue;
    ctx.pullHits?.push(pullFinding(pullImage(l.text) ?? c.subject, `log of ${c.subject}`, logMessage(l.text), [lineEvidence(log!, l)]));
    break;
  }
  return log;
}

/** containers.json evidence for a field of a row. */
function rowEvidence(ctx: EngineCtx, c: ContainerEntry, key: string): Evidence[] {
  if (!ctx.rows) return [];
  return [ctx.rows.evidence([c.index, key], `${c.row.name}: ${key} ${JSON.stringify((c.row as unknown as Record<string, unknown>)[key])}`)];
}

/** A field of inspect.json as evidence, else the containers.json row's. */
function stateEvidence(ctx: EngineCtx, c: ContainerEntry, inspect: JsonDoc<Record<string, unknown>> | undefined, path: (string | number)[], rowKey: string): Evidence[] {
  if (inspect && get(inspect.value, path) !== undefined) return [inspect.evidence(path)];
  return rowEvidence(ctx, c, rowKey);
}

function logEvidence(log: TextLines | undefined, max = 3): { kind: string; last?: string; evidence: Evidence[] } {
  if (!log || log.lines.length === 0) return { kind: 'none', evidence: [] };
  const found = errorLines(log.lines, max);
  const last = found.lines[found.lines.length - 1];
  return { kind: found.kind, ...(last ? { last: logMessage(last.text) } : {}), evidence: found.lines.map((l) => lineEvidence(log, l)) };
}

const events = (ctx: EngineCtx, name: string, action: RegExp): { line: number; text: string; exitCode?: number }[] => (ctx.events?.byContainer.get(name) ?? []).filter((e) => action.test(e.action));

/**
 * The `die` events of a container that were crashes: a non-zero exit code that nobody asked for. A die
 * after a `kill`/`stop` of the same container (since its last start, within ASKED_WINDOW_MS) was a
 * `docker stop`, a deploy or an orchestrator: five of those are not a restart loop, nor are the exits
 * 0 of a job run every hour.
 */
export function crashes(list: readonly ContainerEvent[]): ContainerEvent[] {
  const out: ContainerEvent[] = [];
  /** When the container was last asked to stop (NaN: at an unknown time), since its last start or death. */
  let asked: number | undefined;
  for (const e of list) {
    if (e.action === 'kill' || e.action === 'stop') {
      if (e.action === 'stop' || e.signal === undefined || STOP_SIGNAL.test(e.signal)) asked = e.time ?? NaN;
      continue;
    }
    if (e.action === 'start') {
      asked = undefined;
      continue;
    }
    if (e.action !== 'die') continue;
    const wasAsked = asked !== undefined && (Number.isNaN(asked) || e.time === undefined || e.time - asked <= ASKED_WINDOW_MS);
    asked = undefined;
    if (!wasAsked && typeof e.exitCode === 'number' && e.exitCode !== 0) out.push(e);
  }
  return out;
}

function memoryLimit(c: ContainerEntry, inspect: JsonDoc<Record<string, unknown>> | undefined): number | null {
  const m = get(inspect?.value, ['HostConfig', 'Memory']);
  if (typeof m === 'number' && m > 0) return m;
  return typeof c.row.memoryLimitBytes === 'number' && c.row.memoryLimitBytes > 0 ? c.row.memoryLimitBytes : null;
}

async function oomFinding(ctx: EngineCtx, c: ContainerEntry): Promise<Finding> {
  const inspect = await inspectOf(ctx, c);
  const limit = memoryLimit(c, inspect);
  const limitText = limit ? `limit ${formatBytes(limit)}` : 'no memory limit';
  const oomEvents = events(ctx, c.row.name, /^oom$/);
  const log = await logOf(ctx, c);
  const tail = log ? log.lines.slice(-5).map((l) => lineEvidence(log, l)) : [];
  const stats = ctx.view.has(`${c.dir}/stats.json`) ? await readJson(ctx.view, `${c.dir}/stats.json`) : undefined;
  const evidence: Evidence[] = [
    ...(c.row.oomKilled ? stateEvidence(ctx, c, inspect, ['State', 'OOMKilled'], 'oomKilled') : stateEvidence(ctx, c, inspect, ['State', 'ExitCode'], 'exitCode')),
    ...(inspect && limit ? [inspect.evidence(['HostConfig', 'Memory'])] : []),
    ...(ctx.events ? oomEvents.slice(-1).map((e) => eventEvidence(ctx.events!, e)) : []),
    ...tail,
    ...(stats ? [stats.evidence(['summary', 'memory', 'usageBytes'])] : []),
  ];
  return finding({
    id: 'container-oom-killed',
    severity: 'error',
    title: `Container ${c.row.name} on ${c.label} was OOM-killed (${limitText})`,
    summary: limit
      ? `The kernel killed the container's process because it used all of its ${formatBytes(limit)} memory limit (exit code ${c.row.exitCode ?? 137}). ${tail.length ? 'The last log lines are what it did just before.' : 'Its log is empty or was not collected.'}`
      : `The container has no memory limit, so the kernel's OOM killer chose it when the whole host ran out of memory (exit code ${c.row.exitCode ?? 137}). Look at the host's memory (system/memory.json) and at what else runs there.`,
    remedy: limit
      ? `Give it more memory if the workload needs it: \`docker update --memory 1g --memory-swap 1g ${c.row.name}\` (compose: \`mem_limit\` or \`deploy.resources.limits.memory\`), or make it use less (fewer workers or concurrency, smaller batches). Watch it with \`docker stats ${c.row.name}\`.`
      : `Find what uses the host's memory (\`docker stats --no-stream\`, \`free -m\`), set a memory limit on each container (\`docker update --memory 1g --memory-swap 1g ${c.row.name}\`) so one cannot starve the others, or add memory.`,
    evidence,
    subject: c.subject,
  });
}

async function exitFinding(ctx: EngineCtx, c: ContainerEntry, code: number): Promise<Finding> {
  const inspect = await inspectOf(ctx, c);
  const log = await logOf(ctx, c);
  const logs = logEvidence(log);
  const engineError = c.row.error ?? (typeof get(inspect?.value, ['State', 'Error']) === 'string' ? (get(inspect?.value, ['State', 'Error']) as string) : '');
  const meaning = exitCodeMeaning(code);
  const evidence: Evidence[] = [
    ...stateEvidence(ctx, c, inspect, ['State', 'ExitCode'], 'exitCode'),
    ...(engineError ? stateEvidence(ctx, c, inspect, ['State', 'Error'], 'error') : []),
    ...logs.evidence,
  ];
  const said =
    logs.kind === 'traceback'
      ? ` It ended with a Python traceback: ${excerpt(logs.last ?? '', 200)}`
      : logs.kind === 'errors'
        ? ' The last error lines of its log are in the evidence.'
        : logs.kind === 'last'
          ? ' Its log shows no error line; the last lines are in the evidence.'
          : '';
  const stopped = code === 143 || code === 130;
  return finding({
    id: 'container-exit-nonzero',
    severity: stopped ? 'warning' : 'error',
    title: `Container ${c.row.name} on ${c.label} exited with code ${code} (${meaning.split(/[:(]/)[0]!.trim()})`,
    summary: `Exit code ${code}: ${meaning}.${engineError ? ` The engine reported: ${excerpt(engineError, 200)}.` : ''}${said}`,
    remedy: exitRemedy(code, c.row.name),
    evidence,
    subject: c.subject,
  });
}

async function loopFinding(ctx: EngineCtx, c: ContainerEntry, dies: { line: number; text: string; exitCode?: number }[]): Promise<Finding> {
  const inspect = await inspectOf(ctx, c);
  const log = await logOf(ctx, c);
  const logs = logEvidence(log);
  const lastCode = dies[dies.length - 1]?.exitCode ?? c.row.exitCode ?? undefined;
  const policy = get(inspect?.value, ['HostConfig', 'RestartPolicy', 'Name']);
  const count = c.row.restartCount ?? 0;
  const evidence: Evidence[] = [
    ...(count > 0 ? stateEvidence(ctx, c, inspect, ['RestartCount'], 'restartCount') : []),
    ...(c.row.state === 'restarting' ? stateEvidence(ctx, c, inspect, ['State', 'Restarting'], 'state') : []),
    ...(ctx.events ? dies.slice(-1).map((e) => eventEvidence(ctx.events!, e)) : []),
    ...logs.evidence,
  ];
  const parts = [count > 0 ? `${count} restarts` : '', dies.length ? `${dies.length} non-zero exits in the events window` : '', lastCode !== undefined && lastCode !== null ? `last exit code ${lastCode}` : ''].filter(Boolean);
  return finding({
    id: 'container-restart-loop',
    severity: 'error',
    title: `Container ${c.row.name} on ${c.label} is in a restart loop (${parts.join(', ')})`,
    summary: `The container keeps dying and ${typeof policy === 'string' && policy && policy !== 'no' ? `its restart policy "${policy}" starts it again` : 'is started again'}, so it never stays up.${lastCode !== undefined && lastCode !== null && lastCode !== 0 ? ` Exit code ${lastCode}: ${exitCodeMeaning(lastCode)}.` : ''} The cause is in the last lines of its log.`,
    remedy: `Read why it dies: \`docker logs --tail 100 ${c.row.name}\` (and \`docker events --since 1h --filter container=${c.row.name}\`). Fix the cause (configuration, a missing dependency such as the database, the command). To stop the loop while you investigate: \`docker update --restart=no ${c.row.name}\`.`,
    evidence,
    subject: c.subject,
  });
}

async function unhealthyFinding(ctx: EngineCtx, c: ContainerEntry): Promise<Finding> {
  const inspect = await inspectOf(ctx, c);
  const healthLog = get(inspect?.value, ['State', 'Health', 'Log']);
  // Entries that are not objects (null, a number) are skipped; their index still names their line.
  const entries = (Array.isArray(healthLog) ? healthLog : []).flatMap((x, i) => {
    const e = obj(x);
    return e ? [{ e, i }] : [];
  }).slice(-3);
  const streak = get(inspect?.value, ['State', 'Health', 'FailingStreak']);
  const test = get(inspect?.value, ['Config', 'Healthcheck', 'Test']);
  const testText = Array.isArray(test) ? test.filter((x): x is string => typeof x === 'string' && x !== 'CMD' && x !== 'CMD-SHELL').join(' ') : undefined;
  const unhealthyEvents = events(ctx, c.row.name, /^health_status: unhealthy$/);
  const evidence: Evidence[] = [
    ...stateEvidence(ctx, c, inspect, ['State', 'Health', 'Status'], 'health'),
    // A check's output says why it failed; a check without output is shown once, by its exit code.
    ...entries
      .filter(({ e }, k) => (typeof e['Output'] === 'string' && e['Output'].trim() !== '') || k === entries.length - 1)
      .map(({ e, i }) =>
        typeof e['Output'] === 'string' && e['Output'].trim()
          ? inspect!.evidence(['State', 'Health', 'Log', i, 'Output'])
          : inspect!.evidence(['State', 'Health', 'Log', i, 'ExitCode'], `health check exit ${String(e['ExitCode'])}, no output`),
      ),
    ...(ctx.events ? unhealthyEvents.slice(-1).map((e) => eventEvidence(ctx.events!, e)) : []),
  ];
  const outputs = entries.map(({ e }) => `exit ${String(e['ExitCode'])}${typeof e['Output'] === 'string' && e['Output'].trim() ? `: ${excerpt(e['Output'].trim(), 120)}` : ' (no output)'}`);
  return finding({
    id: 'container-unhealthy',
    severity: 'warning',
    title: `Container ${c.row.name} on ${c.label} is unhealthy${typeof streak === 'number' ? ` (health check failed ${streak} times in a row)` : ''}`,
    summary: `Its health check${testText ? ` (\`${excerpt(testText, 120)}\`)` : ''} fails, so Docker (and anything that waits for "healthy") treats it as not working.${outputs.length ? ` Last checks: ${outputs.join('; ')}.` : ''}`,
    remedy: `Run the check by hand inside the container to see why it fails: \`docker exec ${c.row.name} ${testText ?? 'HEALTHCHECK-COMMAND'}\`; \`docker inspect --format '{{json .State.Health}}' ${c.row.name}\` shows the last results. Fix the service, or the check if it tests the wrong thing (port, path, a tool missing in the image, too short a timeout or start period).`,
    evidence,
    subject: c.subject,
  });
}

function pullFinding(subject: string, where: string, text: string, evidence: Evidence[]): Finding {
  const image = pullImage(text);
  const { cause, remedy } = pullRemedy(text, image);
  return finding({
    id: 'image-pull-failed',
    severity: 'error',
    title: `Image ${image ? `${image} ` : ''}could not be pulled${where ? ` (${where})` : ''}: ${cause}`,
    summary: `A container could not be created or started because its image was not available: ${excerpt(text.trim(), 240)}`,
    remedy,
    evidence,
    subject,
  });
}

/** Failed commands of any collector whose error output says a pull failed. */
function pullCommandFailures(view: BundleView): Finding[] {
  const out: Finding[] = [];
  const collectors = Array.isArray(view.manifest?.collectors) ? view.manifest.collectors : [];
  for (const c of collectors) {
    for (const cmd of (Array.isArray(c?.commands) ? c.commands : []) as CommandRecord[]) {
      if (cmd?.exitCode === 0 && !cmd.error) continue;
      const text = [cmd?.stderrTail, cmd?.error].filter((x): x is string => typeof x === 'string').join('\n');
      if (!PULL_ERROR.test(text)) continue;
      const argv = Array.isArray(cmd.argv) ? cmd.argv.join(' ') : '';
      const lines = text.split('\n').filter((l) => PULL_ERROR.test(l) || /Error response from daemon/.test(l));
      const image = pullImage(text);
      out.push(
        pullFinding(image ?? `${c.name}: ${excerpt(argv, 80)}`, `${c.name} ran \`${excerpt(argv, 80)}\``, lines.join('\n') || text, [
          { file: 'manifest.json', excerpt: excerpt(`${c.name}: ${argv}: exit ${cmd.exitCode ?? 'none'}: ${lines.join(' | ') || text}`) },
        ]),
      );
    }
  }
  return out;
}

export const dockerContainerAnalyzer: Analyzer = {
  name: 'docker-containers',
  description: 'Containers that were OOM-killed, exited non-zero, restart in a loop, are unhealthy, or whose image could not be pulled',
  findingIds: ['container-oom-killed', 'container-exit-nonzero', 'container-restart-loop', 'container-unhealthy', 'image-pull-failed'],
  async analyze(view): Promise<Finding[]> {
    const findings: Finding[] = [];
    const pulls = new Map<string, Finding>();
    const addPull = (f: Finding): void => {
      const key = f.subject ?? f.title;
      if (!pulls.has(key)) pulls.set(key, f);
    };
    for (const label of await engineLabels(view)) {
      const { doc, entries } = await containerEntries(view, label);
      const ev = await readEvents(view, label, PULL_ERROR);
      const ctx: EngineCtx = { view, label, ...(doc ? { rows: doc } : {}), ...(ev ? { events: ev } : {}), logsRead: 0, pullHits: [] };
      const seen = new Set<string>();
      // The worst first, so the log budget goes to them.
      const ranked = [...entries].sort((a, b) => rank(a) - rank(b));
      for (const c of ranked) {
        seen.add(c.row.name);
        const r = c.row;
        const dies = crashes(ctx.events?.byContainer.get(r.name) ?? []);
        const oomEvent = events(ctx, r.name, /^oom$/).length > 0;
        const stopped = r.state === 'exited' || r.state === 'dead' || r.state === 'created';
        const oom = r.oomKilled === true || (stopped && r.exitCode === 137 && oomEvent);
        const loop = (r.restartCount ?? 0) >= LOOP_RESTARTS || r.state === 'restarting' || dies.length >= LOOP_DIES;
        if (oom) findings.push(await oomFinding(ctx, c));
        if (loop) findings.push(await loopFinding(ctx, c, dies));
        if (!oom && !loop && stopped && typeof r.exitCode === 'number' && r.exitCode !== 0) findings.push(await exitFinding(ctx, c, r.exitCode));
        if (r.health === 'unhealthy') findings.push(await unhealthyFinding(ctx, c));
        if (r.error && PULL_ERROR.test(r.error)) {
          const inspect = await inspectOf(ctx, c);
          addPull(pullFinding(pullImage(r.error) ?? c.subject, `container ${c.subject}`, r.error, stateEvidence(ctx, c, inspect, ['State', 'Error'], 'error')));
        }
      }
      for (const f of ctx.pullHits ?? []) addPull(f);
      // Containers gone from the list (e.g. `--rm` ones) that the events show dying over and over.
      if (ev) {
        for (const [name, list] of ev.byContainer) {
          if (seen.has(name)) continue;
          // Only crashes count here too: an hourly `--rm` job that exits 0 dies every hour by design.
          const dies = crashes(list);
          if (dies.length < LOOP_DIES) continue;
          const c: ContainerEntry = { label, index: -1, subject: `${label}/${name}`, dir: `docker/${label}/containers/-`, row: ghostRow(name) };
          findings.push(await loopFinding({ view, label, ...(ev ? { events: ev } : {}), logsRead: MAX_LOGS_PER_ENGINE }, c, dies));
        }
        for (const l of ev.pullErrors) addPull(pullFinding(pullImage(l.text) ?? `${label}/events`, `engine ${label}`, l.text, [eventEvidence(ev, l)]));
      }
    }
    for (const f of pullCommandFailures(view)) addPull(f);
    return [...findings, ...pulls.values()];
  },
};

/** Examine the containers most likely to need their log first. */
function rank(c: ContainerEntry): number {
  const r = c.row;
  if (r.oomKilled) return 0;
  if (r.state === 'restarting' || (r.restartCount ?? 0) >= LOOP_RESTARTS) return 1;
  if (typeof r.exitCode === 'number' && r.exitCode !== 0 && r.state !== 'running') return 2;
  return 3;
}

/** A stand-in row for a container known only from its events. */
function ghostRow(name: string): ContainerEntry['row'] {
  return {
    name,
    id: '',
    image: '',
    state: 'removed',
    status: '',
    exitCode: null,
    oomKilled: null,
    restartCount: null,
    health: null,
    error: null,
    created: '',
    startedAt: null,
    finishedAt: null,
    memoryLimitBytes: null,
    logDriver: null,
    tty: null,
    labels: {},
    collected: false,
    notCollected: 'not in the container list',
  };
}
