// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/** The cloudrun collector's gcloud calls: one read-only command at a time, JSON parsed, failures explained with the fix. */
import { access, constants } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import type { CollectContext, CommandResult } from '../../src/core/types.js';
import { fromGcloudFiles } from './config-files.js';

/** The options these calls read (the cloudrun collector's). */
export interface GcloudOptions {
  readonly project?: string;
  readonly region?: string;
  readonly commandTimeoutMs: number;
}

/** Where a setting came from, for summary.json and the skip reason. */
export interface Setting {
  readonly value: string;
  readonly from: string;
}

// ---------------------------------------------------------------------------------------------
// gcloud

export type GcloudResult = { ok: true; value: unknown } | { ok: false; reason: string; cause: string };

/** Runs one read-only gcloud command and parses its JSON; a failure comes back as a one-line reason with the fix. */
export async function gcloudJson(ctx: CollectContext<GcloudOptions>, gcloud: string, args: readonly string[]): Promise<GcloudResult> {
  const r = await ctx.deps.exec.run(gcloud, args, {
    env: childEnv(ctx.deps.env),
    timeoutMs: ctx.options.commandTimeoutMs,
    maxBuffer: 32 * 1024 * 1024,
    recordStderr: true,
  });
  const what = describeCall(args);
  const failed = (cause: string): GcloudResult => ({ ok: false, reason: `${what}: ${cause}`, cause });
  if (r.exitCode !== 0) return failed(explainGcloudFailure(r));
  try {
    return { ok: true, value: r.stdout.trim() ? JSON.parse(r.stdout) : [] };
  } catch (err) {
    return failed(`the output is not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** `gcloud run jobs executions list --job nightly`: the command words and the resource it is about. */
function describeCall(args: readonly string[]): string {
  const words: string[] = [];
  for (const a of args) {
    if (a.startsWith('-') || /[\s="]/.test(a)) break;
    words.push(a);
  }
  for (const flag of ['--job', '--service']) {
    const i = args.indexOf(flag);
    if (i !== -1 && args[i + 1]) words.push(flag, args[i + 1]!);
  }
  return `gcloud ${words.join(' ')}`;
}

/**
 * One line naming why a gcloud command failed and how to fix it. The texts matched are gcloud's own:
 * no active account, expired or revoked tokens, IAM denials, a disabled API. gcloud's own words are in
 * the manifest (the command's stderrTail).
 */
export function explainGcloudFailure(r: Pick<CommandResult, 'exitCode' | 'stderr' | 'timedOut' | 'error'>): string {
  if (r.timedOut) return 'timed out and was killed (is the network or a proxy slow? raise the cloudrun commandTimeoutMs option)';
  if (r.error) return r.error;
  const err = r.stderr;
  const first = lastErrorLine(err);
  if (/You do not currently have an active account selected/i.test(err))
    return `no active gcloud account: run \`gcloud auth login\` (or \`gcloud auth activate-service-account --key-file=KEY.json\`) and retry`;
  if (/Reauthentication failed|There was a problem refreshing your current auth tokens|invalid_grant|reauth/i.test(err))
    return `the gcloud credentials expired or were revoked: run \`gcloud auth login\` (and \`gcloud auth application-default login\` for application default credentials), then retry`;
  if (/SERVICE_DISABLED|has not been used in project .* before or it is disabled|API has not been used/i.test(err)) {
    const api = /([a-z]+\.googleapis\.com)/.exec(err)?.[1] ?? 'run.googleapis.com';
    return `the ${api} API is disabled in this project: run \`gcloud services enable ${api}\` (needs roles/serviceusage.serviceUsageAdmin)`;
  }
  if (/PERMISSION_DENIED|Permission '[^']+' denied|does not have permission|403/i.test(err)) {
    const perm = /Permission '([^']+)'/.exec(err)?.[1];
    const role = perm?.startsWith('logging.') ? 'roles/logging.viewer' : 'roles/run.viewer';
    return `permission denied${perm ? ` (${perm})` : ''}: grant the account ${role} on the project (gcloud projects add-iam-policy-binding PROJECT --member=user:YOU --role=${role})`;
  }
  if (/NOT_FOUND|could not be found|not found/i.test(err)) return `not found: check the project and region (--gcloud-project, --gcloud-region): ${first}`;
  return `exit code ${r.exitCode ?? 'none'}${first ? `: ${first}` : ''}`;
}

/** The most telling line of gcloud's stderr: the last `ERROR:` line, else the last non-empty one, shortened. */
function lastErrorLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const line = [...lines].reverse().find((l) => l.startsWith('ERROR:')) ?? lines[lines.length - 1] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}...` : line;
}

/** The run's environment for gcloud, plus what keeps it from prompting. */
function childEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  out['CLOUDSDK_CORE_DISABLE_PROMPTS'] = '1';
  return out;
}

/** Finds a program on the run's PATH (or checks a path); undefined when it is not there. */
export async function findProgram(name: string, env: Readonly<Record<string, string | undefined>>): Promise<string | undefined> {
  const candidates = name.includes('/')
    ? [isAbsolute(name) ? name : join(process.cwd(), name)]
    : (env['PATH'] ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((d) => join(d, name));
  for (const c of candidates) {
    try {
      await access(c, constants.X_OK);
      return c;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Project and region: option, else environment, else gcloud's configuration files (read directly, in
 * milliseconds); gcloud itself is asked (`gcloud config get-value`, both at once) only when those files
 * cannot be read. Or why they are unknown.
 */
export async function resolveTarget(ctx: CollectContext<GcloudOptions>, gcloud: string): Promise<{ project: Setting; region: Setting } | string> {
  const get = async (option: string | undefined, envName: string, section: string, key: string): Promise<Setting | undefined> => {
    if (option) return { value: option, from: 'option' };
    const fromEnv = ctx.deps.env[envName];
    if (fromEnv) return { value: fromEnv, from: envName };
    const file = await fromGcloudFiles(ctx.deps.env, gcloud, section, key);
    if ('value' in file) return file;
    if ('unset' in file) return undefined;
    const property = section === 'core' ? key : `${section}/${key}`;
    const r = await ctx.deps.exec.run(gcloud, ['config', 'get-value', property], {
      env: childEnv(ctx.deps.env),
      timeoutMs: Math.min(ctx.options.commandTimeoutMs, 15_000),
    });
    // Unset, gcloud prints nothing on stdout and "(unset)" on stderr.
    const value = r.exitCode === 0 ? r.stdout.trim().split('\n').pop()?.trim() : undefined;
    return value && value !== '(unset)' ? { value, from: `gcloud config ${property}` } : undefined;
  };
  const [project, region] = await Promise.all([
    get(ctx.options.project, 'CLOUDSDK_CORE_PROJECT', 'core', 'project'),
    get(ctx.options.region, 'CLOUDSDK_RUN_REGION', 'run', 'region'),
  ]);
  const missing = [
    ...(project ? [] : ['no project (--gcloud-project, CLOUDSDK_CORE_PROJECT or `gcloud config set project ID`)']),
    ...(region ? [] : ['no region (--gcloud-region, CLOUDSDK_RUN_REGION or `gcloud config set run/region REGION`)']),
  ];
  if (!project || !region) return `Cloud Run not configured: ${missing.join(' and ')}`;
  return { project, region };
}
