// Room: analyzers (analyzers/) — may import core, bundle (the rule: tests/architecture.test.ts).
/**
 * The Docker engine analyzer: engines that could not be reached (or refused us), from docker/engines.json,
 * the manifest and the docker collector's problems. Split from analyzers/docker.ts along its `// ---` seam.
 */
import type { Analyzer, BundleView, Evidence, Finding } from '../src/core/types.js';
import { readJson } from './docker-data.js';
import { excerpt, finding, objects, str } from './finding.js';
import { DOCKER, ROOT } from '../src/bundle/layout.js';

// ---------------------------------------------------------------------------------------------
// Engines

interface EngineCause {
  readonly test: RegExp;
  /** Short text for the title. */
  readonly what: string;
  readonly remedy: string;
}

const GENERIC_REMEDY = "Run `docker version` with the same DOCKER_HOST (or `--docker-host`) to see the engine's own error, then collect again.";

/** Why an engine could not be used, from the one-line reason the collector recorded (src/docker/client.ts). */
const ENGINE_CAUSES: readonly EngineCause[] = [
  {
    test: /expects TLS/i,
    what: 'the engine expects TLS',
    remedy:
      'The engine speaks TLS: pass `--tlsverify --tlscacert ca.pem --tlscert cert.pem --tlskey key.pem`, or set `DOCKER_TLS_VERIFY=1` and `DOCKER_CERT_PATH=~/.docker`. Check with `docker --tlsverify -H tcp://HOST:2376 version`.',
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
    remedy:
      'Check that the host resolves and the port is open from here: `getent hosts HOST`, `nc -vz HOST 2376`; check firewalls and that dockerd listens on that interface.',
  },
  {
    test: /invalid|unsupported Docker host|not a URL/i,
    what: 'the engine address is invalid',
    remedy:
      'Give a valid engine address with `--docker-host` or `DOCKER_HOST`: `unix:///var/run/docker.sock`, `tcp://HOST:2376` or `ssh://USER@HOST`; `docker context ls` lists named contexts.',
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
  const doc = await readJson<{ engines?: unknown }>(view, DOCKER.engines);
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
    const ev = { file: ROOT.manifest, excerpt: excerpt(`docker: problem: ${item}: ${reason}`) };
    const known = out.get(m[1]!);
    if (known) known.evidence.push(ev);
    else
      out.set(m[1]!, {
        label: m[1]!,
        status: /^not collected/.test(reason) ? 'failed' : 'partial',
        reason: reason.replace(/^(?:not|partly) collected: /, ''),
        evidence: [ev],
      });
  }
  // The reason as text, whatever JSON type the manifest holds it as.
  const recReason = rec.reason === undefined || rec.reason === null || (rec.reason as unknown) === '' ? undefined : excerpt(rec.reason);
  if (rec.status === 'failed' && recReason && out.size === 0) {
    const label = endpoints.length === 1 && typeof endpoints[0]?.label === 'string' ? endpoints[0].label : 'docker';
    out.set(label, { label, status: 'failed', reason: recReason, evidence: [{ file: ROOT.manifest, excerpt: excerpt(`docker: failed: ${recReason}`) }] });
  } else if (rec.status === 'failed' && recReason && out.size === 1) {
    const only = [...out.values()][0]!;
    if (!only.evidence.some((e) => e.file === ROOT.manifest)) only.evidence.push({ file: ROOT.manifest, excerpt: excerpt(`docker: failed: ${recReason}`) });
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
