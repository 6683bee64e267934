// Room: analyzers (analyzers/) — may import core, bundle (the rule: tests/architecture.test.ts).
/** What a container exit code and an image pull error mean, and what to do about them (split from analyzers/docker.ts). */
import type { BundleView, CommandRecord, Evidence, Finding } from '../src/core/types.js';
import { ROOT } from '../src/bundle/layout.js';
import { excerpt, finding } from './finding.js';

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
      return code > 128 && code < 160 ? `killed by signal ${code - 128}` : "application-specific (see the program's documentation and its log)";
  }
}

export function exitRemedy(code: number, name: string): string {
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

/**
 * Exit 137 that is not Docker's OOM kill: who else sends SIGKILL, and where the kernel and the cgroup
 * say so. `unrequested`: the engine recorded the death and no stop/kill request before it.
 */
export function sigkillRemedy(name: string, unrequested: boolean): string {
  return [
    unrequested
      ? "Docker did not kill it (no `docker stop`/`docker kill` in the events) and did not mark it OOM-killed, so SIGKILL came from elsewhere. Check, on the engine's host:"
      : 'If nobody ran `docker kill` or a `docker stop` that outlived its grace period (`docker events --since 24h --filter container=' +
        name +
        "`), SIGKILL came from elsewhere. Check, on the engine's host:",
    "- the kernel's log for an OOM kill outside the container's own limit (the whole host, or a parent cgroup such as a systemd slice): `dmesg -T | grep -iE 'killed process|out of memory'` or `journalctl -k --since '1 hour ago'`;",
    "- the cgroup's counters while it runs: `cat /sys/fs/cgroup/system.slice/docker-$(docker inspect --format '{{.Id}}' " +
      name +
      ').scope/memory.events` (`oom_kill` above 0; the path differs with the cgroupfs driver);',
    '- a supervisor or watchdog that kills with SIGKILL (systemd `TimeoutStopSec`, a deploy script, `timeout -s KILL`), or the program itself (`kill -9`, `os.kill(pid, 9)`).',
    `Then read its last log lines: \`docker logs --tail 200 ${name}\`.`,
  ].join('\n');
}

/** Text that says an image could not be pulled or found. */
export const PULL_ERROR =
  /pull access denied|manifest unknown|manifest for \S+ not found|repository does not exist|No such image|Unable to find image|error pulling image|failed to (?:resolve reference|pull(?: and unpack)? image)|toomanyrequests|unauthorized: (?:authentication required|incorrect username or password)|Error response from daemon: Get "?https?:\/\/[^\s"]+\/v2\/?"?:/i;

export function pullImage(text: string): string | undefined {
  for (const re of [
    /Unable to find image '([^']+)'/,
    /pull access denied for ([^\s,]+)/,
    /manifest for (\S+) not found/,
    /No such image: ([^\s,]+)/,
    /failed to resolve reference "([^"]+)"/,
    /Error pulling image:? ?"?([^\s"]+)/i,
  ]) {
    const m = re.exec(text);
    if (m) return m[1]!.replace(/[.,;:]$/, '');
  }
  return undefined;
}

export function pullRemedy(text: string, image: string | undefined): { cause: string; remedy: string } {
  const img = image ?? 'IMAGE';
  if (/pull access denied|unauthorized|authentication required|denied: requested access/i.test(text)) {
    return {
      cause: 'access denied (private image, or a misspelled name)',
      remedy: `Check the name for typos (a missing image also answers "pull access denied"); for a private registry log in first: \`docker login REGISTRY\`, then \`docker pull ${img}\`.`,
    };
  }
  if (/toomanyrequests|rate limit/i.test(text)) {
    return {
      cause: 'registry rate limit',
      remedy: `Log in (\`docker login\`) to get a higher pull limit, or use a registry mirror (\`registry-mirrors\` in /etc/docker/daemon.json); then \`docker pull ${img}\`.`,
    };
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
  return {
    cause: 'the pull failed',
    remedy: `Run \`docker pull ${img}\` on the engine's host to see the registry's error, fix it (name, login, network) and start again.`,
  };
}

export function pullFinding(subject: string, where: string, text: string, evidence: Evidence[]): Finding {
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
export function pullCommandFailures(view: BundleView): Finding[] {
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
          { file: ROOT.manifest, excerpt: excerpt(`${c.name}: ${argv}: exit ${cmd.exitCode ?? 'none'}: ${lines.join(' | ') || text}`) },
        ]),
      );
    }
  }
  return out;
}
