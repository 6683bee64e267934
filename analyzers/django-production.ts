// Room: analyzers (analyzers/) — may import core, bundle (the rule: tests/architecture.test.ts).
/**
 * Whether the collected Django settings serve production, decided on evidence rather than on a module
 * name: an explicit `--environment` (or the `collectors.django.environment` config key), ALLOWED_HOSTS with real host names, a non-SQLite database on a non-local host, SECURE_* settings set,
 * a module name that says prod/production, DEBUG = False in another settings module beside the loaded one
 * (django/settings-tree.json). Without any, DEBUG = True and check --deploy results are
 * info ("these matter when you deploy"), not errors: a new project's single settings.py is no outage.
 */
import type { AnalyzeOptions, BundleView, Evidence } from '../src/core/types.js';
import { DJANGO, ROOT } from '../src/bundle/layout.js';
import { arr, lineEvidence, loadJson, obj, str, type LoadedText } from './django-evidence.js';
import { excerpt } from './finding.js';

/** One reason to take the settings for production, with where it was read. */
export interface ProductionSignal {
  readonly reason: string;
  readonly evidence?: Evidence;
}

export interface ProductionVerdict {
  /** Production settings (errors), or not known to be (info). */
  readonly production: boolean;
  /** The `--environment` value when one was given: it decides alone. */
  readonly declared?: string;
  readonly signals: readonly ProductionSignal[];
  /** The module name says development or tests (and no evidence says production): nothing to report. */
  readonly development: boolean;
}

/**
 * Settings named for development, a developer's machine or tests, by a whole part of the module name
 * (`app.settings.dev`, `settings_local`, `tests.settings`). Only whole parts count: `devices.settings.prod`,
 * `latest`, `contest` and `localization` are not development.
 */
export const NON_PRODUCTION_SETTINGS = /(?:^|[._])(?:dev|development|local|tests?|testing)(?:[._]|$)/i;
/** A module name that says production by a whole part (`settings.prod`, `settings_production`, `live`). */
const PRODUCTION_SETTINGS = /(?:^|[._])(?:prod|production|prd|live)(?:[._]|$)/i;

/** `--environment` values whose settings must be safe to serve traffic with. */
export const PRODUCTION_ENVIRONMENTS: ReadonlySet<string> = new Set(['production', 'staging']);

/** Host names that are this machine or a development placeholder, never a deployed site. */
const LOCAL_HOSTS = new Set(['', '*', 'localhost', '127.0.0.1', '::1', '[::1]', '0.0.0.0', 'testserver', 'host.docker.internal']);
const LOCAL_SUFFIX = /(?:^|\.)(?:localhost|local|test|invalid|example)\.?$/i;

/** A real host name: not local, not a placeholder, and (for a database) not a one-word compose service name. */
export function isRealHost(host: string, { dotted = false } = {}): boolean {
  const h = host.trim().replace(/^\./, '').toLowerCase();
  if (LOCAL_HOSTS.has(h) || LOCAL_SUFFIX.test(h) || h.startsWith('/') || /^127\./.test(h)) return false;
  // `db` or `postgres` is the service name of a compose file, on a developer's machine as often as in production.
  return !dotted || h.includes('.') || h.includes(':');
}

/** The quoted strings of a Python list/tuple repr (`['a.com', "b"]`). */
const quoted = (repr: string): string[] => [...repr.matchAll(/'([^']*)'|"([^"]*)"/g)].map((m) => m[1] ?? m[2] ?? '');

/** The `KEY = value` line of diffsettings.txt (its value without the `###` marker). */
function setting(diff: LoadedText | undefined, key: string): { value: string; evidence?: Evidence } | undefined {
  const line = diff?.lines.find((l) => l.text.startsWith(`${key} = `));
  if (!line) return undefined;
  const evidence = lineEvidence(diff, (l) => l === line.text);
  return { value: line.text.slice(key.length + 3).replace(/\s+###$/, ''), ...(evidence ? { evidence } : {}) };
}

/** The `--environment` value: the analysis options, else what the collection recorded in the manifest. */
function declaredEnvironment(view: BundleView, options: AnalyzeOptions): { value: string; evidence?: Evidence } | undefined {
  if (options.environment) return { value: options.environment };
  const collectorOptions = obj(obj(view.manifest?.options)?.['collectorOptions']);
  const v = str(obj(collectorOptions?.['django'])?.['environment']);
  return v ? { value: v, evidence: { file: ROOT.manifest, excerpt: excerpt(`options.collectorOptions.django.environment: ${JSON.stringify(v)}`) } } : undefined;
}

export async function productionVerdict(
  view: BundleView,
  options: AnalyzeOptions,
  module: string | undefined,
  diff: LoadedText | undefined,
): Promise<ProductionVerdict> {
  const declared = declaredEnvironment(view, options);
  if (declared) {
    const production = PRODUCTION_ENVIRONMENTS.has(declared.value.toLowerCase());
    return {
      production,
      declared: declared.value,
      signals: production ? [{ reason: `the environment is declared "${declared.value}"`, ...(declared.evidence ? { evidence: declared.evidence } : {}) }] : [],
      development: !production,
    };
  }
  const signals: ProductionSignal[] = [];
  const add = (reason: string, evidence?: Evidence): void => {
    signals.push({ reason, ...(evidence ? { evidence } : {}) });
  };
  if (module && PRODUCTION_SETTINGS.test(module)) add(`the settings module ${module} is named for production`);
  const hosts = setting(diff, 'ALLOWED_HOSTS');
  const real = hosts ? quoted(hosts.value).filter((h) => isRealHost(h)) : [];
  if (real.length) add(`ALLOWED_HOSTS names real hosts (${real.slice(0, 3).join(', ')}${real.length > 3 ? ', …' : ''})`, hosts!.evidence);
  const secure = (diff?.lines ?? []).filter(
    (l) => /^(?:SECURE_[A-Z_]+|SESSION_COOKIE_SECURE|CSRF_COOKIE_SECURE) = /.test(l.text) && !/ = (?:False|None|0|''|""|\[\]|\{\})(?:\s+###)?$/.test(l.text),
  );
  if (secure.length) {
    const first = secure[0]!;
    add(
      `${secure.map((l) => l.text.split(' = ')[0]).join(', ')} ${secure.length === 1 ? 'is' : 'are'} set`,
      lineEvidence(diff, (l) => l === first.text),
    );
  }
  const tree = await loadJson(view, DJANGO.settingsTree);
  const deployed = arr(obj(tree?.value)?.['modules'])
    .map(obj)
    .find((m) => m && m['debug'] === false && m['loaded'] !== true && str(m['module']) !== module);
  if (deployed) {
    const name = str(deployed['module']) ?? str(deployed['file']) ?? '?';
    add(
      `${name} (beside the loaded settings) sets DEBUG = False: the project is deployed with other settings`,
      lineEvidence(tree, (l) => l.includes(`"module": ${JSON.stringify(name)}`)),
    );
  }
  const dbs = await loadJson(view, DJANGO.databases);
  for (const d of arr(obj(dbs?.value)?.['databases'])) {
    const db = obj(d);
    const host = str(db?.['host']);
    const vendor = str(db?.['vendor']) ?? str(db?.['engine']) ?? '';
    if (!db || !host || /sqlite/i.test(vendor) || !isRealHost(host, { dotted: true })) continue;
    add(
      `database ${str(db['alias']) ?? '?'} is ${vendor} on ${host}`,
      lineEvidence(dbs, (l) => l.trim().replace(/,$/, '') === `"host": ${JSON.stringify(host)}`),
    );
    break;
  }
  const development = signals.length === 0 && module !== undefined && NON_PRODUCTION_SETTINGS.test(module);
  return { production: signals.length > 0, signals, development };
}
