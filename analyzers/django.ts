// Room: analyzers (analyzers/) — may import core, bundle (the rule: tests/architecture.test.ts).
/**
 * Django analyzers: system checks (by message id), `check --deploy` issues and DEBUG in settings that
 * look like production, migrations (unapplied, conflicting, missing), unreachable databases, and an
 * interpreter that cannot import Django. They read only the django collector's redacted files
 * (django/*.json and the text of Django's own commands) and never throw on a missing or odd file.
 */
import type { Analyzer, BundleView, Evidence, Finding, Severity } from '../src/core/types.js';
import {
  andList,
  arr,
  evidenceList,
  fileEvidence,
  isSectionError,
  jsonKey,
  jsonKeyLine,
  jsonObjectRange,
  lineEvidence,
  lineNumber,
  loadJson,
  loadText,
  obj,
  plural,
  str,
  type LoadedJson,
  type LoadedText,
} from './django-evidence.js';
import { excerpt, finding } from './finding.js';

/** Most evidence lines one finding lists (the rest is counted in its summary). */
const MAX_EVIDENCE = 20;

/** A system-check message as checks.json stores it (or as parsed from check.txt). */
export interface CheckMessage {
  readonly id: string;
  readonly level: string;
  readonly object: string | null;
  readonly message: string;
  readonly hint: string | null;
  readonly silenced: boolean;
}

const CHECK_LINE = /^(.*?): \(([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*\.[A-Z]\d+)\) (.*)$/;
const HEADINGS: Record<string, string> = { 'CRITICALS:': 'CRITICAL', 'ERRORS:': 'ERROR', 'WARNINGS:': 'WARNING', 'INFOS:': 'INFO', 'DEBUGS:': 'DEBUG' };

/**
 * The messages of `manage.py check` text (used when checks.json has no answer): `obj: (id) message`
 * lines below a level heading, each optionally followed by a tab-indented `HINT:` line.
 */
export function parseCheckText(text: string): CheckMessage[] {
  const out: CheckMessage[] = [];
  let level = 'WARNING';
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const heading = HEADINGS[line.trim()];
    if (heading) {
      level = heading;
      continue;
    }
    const hint = /^\s+HINT: (.*)$/.exec(line);
    if (hint && out.length) {
      const last = out[out.length - 1]!;
      out[out.length - 1] = { ...last, hint: last.hint ? `${last.hint} ${hint[1]}` : hint[1]! };
      continue;
    }
    const m = CHECK_LINE.exec(line);
    if (m) out.push({ id: m[2]!, level, object: m[1] === '?' ? null : m[1]!, message: m[3]!, hint: null, silenced: false });
  }
  return out;
}

function toMessages(section: unknown): CheckMessage[] | undefined {
  const s = obj(section);
  if (!s || isSectionError(s) || !Array.isArray(s['messages'])) return undefined;
  const out: CheckMessage[] = [];
  for (const m of s['messages']) {
    const o = obj(m);
    const id = str(o?.['id']);
    if (!o || !id) continue;
    out.push({
      id,
      level: str(o['level']) ?? 'WARNING',
      object: str(o['object']) ?? null,
      message: str(o['message']) ?? '',
      hint: str(o['hint']) ?? null,
      silenced: o['silenced'] === true,
    });
  }
  return out;
}

const severityOfLevel = (level: string): Severity | undefined => (level === 'ERROR' || level === 'CRITICAL' ? 'error' : level === 'WARNING' ? 'warning' : undefined);

/** Check ids of Django itself (their reference is Django's documentation), by the part before the dot. */
const DJANGO_CHECK_TAGS = new Set([
  'admin', 'async', 'auth', 'caches', 'commands', 'contenttypes', 'database', 'fields', 'files', 'models', 'postgres', 'security',
  'signals', 'sites', 'staticfiles', 'templates', 'translation', 'urls', 'mysql', 'sqlite', 'sessions', 'messages', 'csrf',
]);

/** Groups messages by id, in first-seen order. */
function byId(messages: readonly CheckMessage[]): Map<string, CheckMessage[]> {
  const out = new Map<string, CheckMessage[]>();
  for (const m of messages) {
    if (m.silenced) continue;
    const list = out.get(m.id) ?? [];
    list.push(m);
    out.set(m.id, list);
  }
  return out;
}

/** Lines of a check text file that name `(<id>)`; checks.json's `"id"` line when the text has none. */
function checkEvidence(id: string, text: LoadedText | undefined, json: LoadedJson | undefined, jsonSection: string): Evidence[] {
  const found: Evidence[] = [];
  for (const l of text?.lines ?? []) {
    if (!l.text.includes(`(${id})`)) continue;
    found.push(text!.numbered ? { file: text!.path, line: l.line, excerpt: excerpt(l.text.trim()) } : { file: text!.path, excerpt: excerpt(l.text.trim()) });
  }
  if (found.length) return found.slice(0, MAX_EVIDENCE);
  const section = lineNumber(json, jsonKey(jsonSection));
  return evidenceList([lineEvidence(json, jsonKeyLine('id', id), { from: section ?? 1 })]);
}

/** The settings module the run used: versions.json, the manifest's facts, or diffsettings. */
async function settingsModule(view: BundleView, diffsettings: LoadedText | undefined): Promise<string | undefined> {
  const versions = obj(await view.json('django/versions.json').catch(() => undefined));
  const fromVersions = str(versions?.['settingsModule']);
  if (fromVersions) return fromVersions;
  const fact = str(view.manifest?.environment?.['django.settings']);
  if (fact) return fact;
  for (const l of diffsettings?.lines ?? []) {
    const m = /^SETTINGS_MODULE = '([^']+)'/.exec(l.text);
    if (m) return m[1];
  }
  return undefined;
}

/**
 * Settings named for development, a developer's machine or tests, by a whole part of the module name
 * (`app.settings.dev`, `settings_local`, `tests.settings`); anything else may be production. Only
 * whole parts count: `devices.settings.prod`, `latest`, `contest` and `localization` are not development.
 */
export const NON_PRODUCTION_SETTINGS = /(?:^|[._])(?:dev|development|local|tests?|testing)(?:[._]|$)/i;

export const djangoChecksAnalyzer: Analyzer = {
  name: 'django-checks',
  description: 'Django system checks by message id; check --deploy issues and DEBUG=True when the settings look like production',
  findingIds: ['django-check-error', 'django-check-warning', 'django-deploy', 'django-debug-enabled'],
  async analyze(view) {
    const [checksJson, checkTxt, deployTxt, diffsettings] = await Promise.all([
      loadJson(view, 'django/checks.json'),
      loadText(view, 'django/check.txt'),
      loadText(view, 'django/check-deploy.txt'),
      loadText(view, 'django/diffsettings.txt'),
    ]);
    const checks = obj(checksJson?.value);
    const messages = toMessages(checks?.['check']) ?? (checkTxt ? parseCheckText(checkTxt.text) : []);
    const deploy = toMessages(checks?.['deploy']) ?? (deployTxt ? parseCheckText(deployTxt.text) : []);
    const findings: Finding[] = [];

    for (const [id, list] of byId(messages)) {
      const severity = severityOfLevel(list[0]!.level);
      if (!severity) continue;
      const first = list[0]!;
      const objects = [...new Set(list.map((m) => m.object).filter((o): o is string => !!o))];
      const where = objects.length === 1 ? ` on ${objects[0]}` : objects.length > 1 ? ` on ${objects.length} objects` : '';
      const hints = [...new Set(list.map((m) => m.hint).filter((h): h is string => !!h))];
      const tag = id.split('.')[0]!;
      const reference = DJANGO_CHECK_TAGS.has(tag)
        ? `Django documents ${id} in its check reference: https://docs.djangoproject.com/en/stable/ref/checks/`
        : `${id} is registered by the ${tag} app (or a library of that name): its documentation or source explains it.`;
      findings.push(
        finding({
          id: severity === 'error' ? 'django-check-error' : 'django-check-warning',
          severity,
          subject: id,
          title: `Django system check ${id}${where}: ${oneLine(first.message)}`,
          summary:
            `\`manage.py check\` reports ${id} (${first.level.toLowerCase()})${list.length > 1 ? ` ${list.length} times` : ''}: ${list
              .slice(0, 5)
              .map((m) => (m.object ? `${m.object}: ${clause(m.message)}` : clause(m.message)))
              .join('; ')}.` +
            (severity === 'error' ? ' Django refuses to run management commands (migrate, runserver, workers) while a system check error is reported.' : ''),
          evidence: checkEvidence(id, checkTxt, checksJson, 'check'),
          remedy: [
            ...(hints.length ? hints.map((h) => `Django's hint: ${h}`) : [`Fix what the message names${where}.`]),
            `Then confirm with \`python manage.py check\` (it only reads).`,
            reference,
          ].join('\n'),
        }),
      );
    }

    const module = await settingsModule(view, diffsettings);
    const production = module !== undefined && !NON_PRODUCTION_SETTINGS.test(module);
    if (!production) return findings;

    const debugLine = lineEvidence(diffsettings, (l) => /^DEBUG = True\b/.test(l));
    const w018 = deploy.find((m) => m.id === 'security.W018' && !m.silenced);
    const debug = !!w018 || !!debugLine;
    if (debug) {
      findings.push(
        finding({
          id: 'django-debug-enabled',
          severity: 'error',
          subject: module,
          title: `DEBUG = True in settings ${module}, which look like production`,
          summary:
            `The settings module ${module} has DEBUG = True (${andList([...(w018 ? ['check --deploy reports security.W018'] : []), ...(debugLine ? ['diffsettings shows DEBUG = True'] : [])])}). ` +
            'With DEBUG on, an error page shows settings, source code and request data to anyone who triggers it, and Django keeps every SQL query in memory. ' +
            `No part of the name ${module} is dev, development, local, test(s) or testing, so it is taken for production settings.`,
          evidence: evidenceList([debugLine, ...checkEvidence('security.W018', deployTxt, checksJson, 'deploy').slice(0, 1)]),
          remedy: [
            'Set DEBUG = False in the production settings, e.g. `DEBUG = os.environ.get("DJANGO_DEBUG") == "1"` so it is off unless asked for.',
            'With DEBUG off Django needs ALLOWED_HOSTS to list the site\'s host names, and static files served by the web server (`python manage.py collectstatic`).',
            `If ${module} really are development settings, name the module so it says so (e.g. settings_dev or settings/local.py).`,
            'Confirm with `python manage.py check --deploy` (it only reads).',
          ].join('\n'),
        }),
      );
    }

    const ordinary = new Set(messages.map((m) => m.id));
    const deployOnly = [...byId(deploy)].filter(([id, list]) => id !== 'security.W018' && !ordinary.has(id) && severityOfLevel(list[0]!.level));
    if (deployOnly.length) {
      const anyError = deployOnly.some(([, list]) => severityOfLevel(list[0]!.level) === 'error');
      const ids = deployOnly.map(([id]) => id);
      const hints = deployOnly.flatMap(([id, list]) => {
        const m = list[0]!;
        return [`- ${id}: ${m.hint ? oneLine(m.hint) : shortAdvice(m.message)}`];
      });
      findings.push(
        finding({
          id: 'django-deploy',
          severity: debug || anyError ? 'error' : 'warning',
          subject: module,
          title: `check --deploy: ${plural(ids.length, 'issue')} in settings ${module} (${ids.slice(0, 6).join(', ')}${ids.length > 6 ? ', …' : ''})`,
          summary:
            `\`manage.py check --deploy\` lists ${plural(ids.length, 'deployment issue')} for ${module}, settings whose name has no part dev, development, local, test(s) or testing: ` +
            `${deployOnly
              .slice(0, 8)
              .map(([id, list]) => `${id} (${oneLine(list[0]!.message).slice(0, 120)})`)
              .join('; ')}.` +
            (debug ? ' DEBUG is on as well, so these settings are not safe to serve traffic with.' : ''),
          evidence: deployOnly.flatMap(([id]) => checkEvidence(id, deployTxt, checksJson, 'deploy').slice(0, 1)).slice(0, MAX_EVIDENCE),
          remedy: [
            'Fix each in the production settings:',
            ...hints,
            'Then confirm with `python manage.py check --deploy` (it only reads). Django\'s deployment checklist: https://docs.djangoproject.com/en/stable/howto/deployment/checklist/',
          ].join('\n'),
        }),
      );
    }
    return findings;
  },
};

/** A deploy message without a hint, cut to a readable length. */
function shortAdvice(message: string): string {
  const m = oneLine(message);
  return m.length > 200 ? `${m.slice(0, 199)}…` : m;
}

const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();
/** A message as part of a sentence: one line, no final period. */
const clause = (s: string): string => oneLine(s).replace(/\.+$/, '');

// ---------------------------------------------------------------------------------------------------
// Migrations

interface MigrationEntry {
  readonly name: string;
  readonly applied: boolean | null;
}

/** The ` [ ] name` line of `app`'s block in showmigrations.txt. */
function showmigrationsLine(text: LoadedText | undefined, app: string, name: string, mark: string): Evidence | undefined {
  if (!text) return undefined;
  const start = lineNumber(text, (l) => l === app);
  if (start === undefined) return undefined;
  const end = lineNumber(text, (l) => /^\S/.test(l), { from: start + 1 });
  return lineEvidence(text, (l) => l.trim() === `[${mark}] ${name}` || l.trim().startsWith(`[${mark}] ${name} `), { from: start + 1, ...(end ? { until: end } : {}) });
}

export const djangoMigrationsAnalyzer: Analyzer = {
  name: 'django-migrations',
  description: 'Migrations not applied to the database, conflicting migrations (two leaf nodes in one app), and model changes without a migration',
  findingIds: ['migrations-conflict', 'migrations-unapplied', 'migrations-missing'],
  async analyze(view) {
    const [mj, show, mkcheck, plan] = await Promise.all([
      loadJson(view, 'django/migrations.json'),
      loadText(view, 'django/showmigrations.txt'),
      loadText(view, 'django/makemigrations-check.txt'),
      loadText(view, 'django/migrate-plan.txt'),
    ]);
    const m = obj(mj?.value);
    if (!m || !mj) return [];
    const findings: Finding[] = [];

    // Conflicts: the migration graph's own answer, and what makemigrations/migrate said.
    const conflicts = new Map<string, Set<string>>();
    for (const source of [m['conflicts'], obj(m['makemigrationsCheck'])?.['conflicts'], obj(m['migratePlan'])?.['conflicts']]) {
      for (const [app, leaves] of Object.entries(obj(source) ?? {})) {
        const names = arr(leaves).filter((x): x is string => typeof x === 'string');
        if (names.length < 2) continue;
        const set = conflicts.get(app) ?? new Set<string>();
        for (const n of names) set.add(n);
        conflicts.set(app, set);
      }
    }
    const conflictLine = (file: LoadedText | undefined): Evidence | undefined => lineEvidence(file, (l) => l.includes('Conflicting migrations detected'));
    for (const [app, set] of conflicts) {
      const leaves = [...set].sort();
      const conflictsAt = lineNumber(mj, jsonKey('conflicts'));
      findings.push(
        finding({
          id: 'migrations-conflict',
          severity: 'error',
          subject: app,
          title: `Conflicting migrations in ${app}: ${andList(leaves)} are both leaf nodes`,
          summary:
            `The migrations of ${app} branch: ${andList(leaves)} each follow the same parent and none depends on the other, so Django does not know their order. ` +
            '`migrate` and `makemigrations` refuse to run until they are merged. This usually happens when two branches of the code each added a migration.',
          evidence: evidenceList([
            conflictLine(plan),
            conflictLine(mkcheck),
            ...leaves.map((n) => showmigrationsLine(show, app, n, ' ')),
            lineEvidence(mj, jsonKey(app), conflictsAt ? { from: conflictsAt } : {}),
          ]),
          remedy: [
            'This is a change to the code, made in development and deployed like any other, not on the production server:',
            `1. In your development checkout (same code as deployed): \`python manage.py makemigrations --merge ${app}\``,
            '2. Review the merge migration it writes (it only sets the order; add RunPython/SQL if the two migrations touch the same data), run the tests, commit it.',
            '3. Deploy it, then apply with `python manage.py migrate` (review first with `python manage.py migrate --plan`).',
            'Do not delete either migration if it is already applied somewhere: that database would then disagree with the code.',
          ].join('\n'),
        }),
      );
    }

    // Unapplied: only known when the default database was reachable (applied is null otherwise).
    const apps = obj(m['apps']) ?? {};
    const unapplied: { app: string; name: string }[] = [];
    if (m['unapplied'] !== null && m['unapplied'] !== undefined) {
      for (const [app, list] of Object.entries(apps)) {
        for (const e of arr(list)) {
          const entry = obj(e) as MigrationEntry | undefined;
          if (entry && typeof entry.name === 'string' && entry.applied === false) unapplied.push({ app, name: entry.name });
        }
      }
    }
    if (unapplied.length) {
      const database = str(m['database']) ?? 'default';
      const byApp = new Map<string, string[]>();
      for (const u of unapplied) byApp.set(u.app, [...(byApp.get(u.app) ?? []), u.name]);
      const appsText = [...byApp].map(([app, names]) => `${app}: ${names.join(', ')}`).join('; ');
      const evidence = unapplied.slice(0, MAX_EVIDENCE).map((u) => {
        const shown = showmigrationsLine(show, u.app, u.name, ' ');
        if (shown) return shown;
        const appAt = lineNumber(mj, jsonKey(u.app));
        return lineEvidence(mj, jsonKeyLine('name', u.name), appAt ? { from: appAt } : {});
      });
      const conflicted = [...byApp.keys()].filter((a) => conflicts.has(a));
      findings.push(
        finding({
          id: 'migrations-unapplied',
          severity: 'warning',
          subject: database,
          title: `${plural(unapplied.length, 'migration')} not applied to database ${database} (${appsText.length > 120 ? `${appsText.slice(0, 119)}…` : appsText})`,
          summary:
            `The code has ${plural(unapplied.length, 'migration')} that database ${database} has not applied: ${appsText}. ` +
            'Until they are applied, queries that use the new tables or columns fail (e.g. "no such column", "relation does not exist"), often only on some pages or jobs.',
          evidence: evidenceList(evidence),
          remedy: [
            ...(conflicted.length ? [`First resolve the migration conflict in ${andList(conflicted)} (see migrations-conflict).`] : []),
            'Review what would run: `python manage.py migrate --plan` (reads only).',
            'Back up the database, then apply them in your deploy step or a maintenance window: `python manage.py migrate`.',
            'Applying migrations writes to the database: do it deliberately, never as part of collecting diagnostics.',
          ].join('\n'),
        }),
      );
    }

    // Model changes without a migration.
    const pending = obj(m['pendingModelChanges']);
    const missing = new Map<string, { migration: string; operations: string[] }[]>();
    if (pending && !isSectionError(pending)) {
      for (const [app, list] of Object.entries(pending)) {
        const items = arr(list)
          .map((x) => obj(x))
          .filter((x): x is Record<string, unknown> => !!x)
          .map((x) => ({ migration: str(x['migration']) ?? '?', operations: arr(x['operations']).filter((o): o is string => typeof o === 'string') }));
        if (items.length) missing.set(app, items);
      }
    } else if (obj(m['makemigrationsCheck'])?.['changesDetected'] === true && mkcheck) {
      for (const [app, ops] of parseMakemigrationsCheck(mkcheck.text)) missing.set(app, [{ migration: '?', operations: ops }]);
    }
    for (const [app, items] of missing) {
      const ops = items.flatMap((i) => i.operations);
      const appBlock = lineNumber(mkcheck, (l) => l.trim() === `Migrations for '${app}':`);
      const pendingAt = lineNumber(mj, jsonKey('pendingModelChanges'));
      const evidence = ops.slice(0, MAX_EVIDENCE).map(
        (op) =>
          (appBlock !== undefined ? lineEvidence(mkcheck, (l) => l.trim() === `- ${op}`, { from: appBlock }) : undefined) ??
          lineEvidence(mj, (l) => l.trim().replace(/,$/, '') === JSON.stringify(op), pendingAt ? { from: pendingAt } : {}),
      );
      findings.push(
        finding({
          id: 'migrations-missing',
          severity: 'warning',
          subject: app,
          title: `Model changes in ${app} have no migration (${ops.slice(0, 3).join('; ')}${ops.length > 3 ? '; …' : ''})`,
          summary:
            `The models of ${app} differ from its migrations: \`makemigrations\` would write ${items.map((i) => i.migration).join(', ')} with ${plural(ops.length, 'operation')} (${ops.slice(0, 8).join('; ')}). ` +
            'The database is built from migrations, so the code expects columns or tables that no migration creates; queries touching them fail.',
          evidence: evidenceList(evidence),
          remedy: [
            'This is a change to the code, made in development, not on the production server (a migration made there is lost at the next deploy):',
            `1. In your development checkout: \`python manage.py makemigrations ${app}\`, review the migration, commit it.`,
            '2. Deploy it, then `python manage.py migrate --plan` (reads only) and `python manage.py migrate`.',
            'Check in CI that none is missing: `python manage.py makemigrations --check --dry-run` exits 1 when one is.',
          ].join('\n'),
        }),
      );
    }
    return findings;
  },
};

/** `Migrations for 'app':` blocks of `makemigrations --check --dry-run` and their `- operation` lines. */
export function parseMakemigrationsCheck(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let app: string | undefined;
  for (const line of text.split('\n')) {
    const head = /^Migrations for '([^']+)':/.exec(line.trim());
    if (head) {
      app = head[1]!;
      out.set(app, []);
      continue;
    }
    const op = /^\s+- (.*)$/.exec(line);
    if (op && app) out.get(app)!.push(op[1]!.trim());
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Databases

/** `PostgreSQL at db:5432`, `SQLite file /srv/app/db.sqlite3`: never user or password. */
function describeDatabase(d: Record<string, unknown>): string {
  const engine = str(d['engine']) ?? '';
  const vendor = str(d['vendor']) ?? engine.split('.').pop() ?? 'database';
  const names: Record<string, string> = { postgresql: 'PostgreSQL', mysql: 'MySQL', sqlite: 'SQLite', oracle: 'Oracle', postgis: 'PostGIS' };
  const label = names[vendor] ?? (vendor || 'database');
  if (vendor === 'sqlite') return `${label} file ${str(d['name']) ?? '(no NAME)'}`;
  const host = (str(d['host']) ?? '').replace(/^[^@/]*@/, '') || 'localhost';
  const port = str(d['port']) ?? (typeof d['port'] === 'number' ? String(d['port']) : undefined);
  return `${label} at ${host}${port ? `:${port}` : ''}${str(d['name']) ? ` (database ${str(d['name'])})` : ''}`;
}

/** What usually causes a connection error with this message, and what to check. */
function connectionAdvice(d: Record<string, unknown>, error: string): string[] {
  const vendor = str(d['vendor']) ?? '';
  const host = (str(d['host']) ?? '').replace(/^[^@/]*@/, '') || 'localhost';
  const port = str(d['port']) ?? (vendor === 'postgresql' ? '5432' : vendor === 'mysql' ? '3306' : '');
  const alias = str(d['alias']) ?? 'default';
  if (d['sqliteFileMissing'] === true) {
    return [
      `The SQLite file does not exist. Check DATABASES["${alias}"]["NAME"] (and BASE_DIR) in the settings, and that the volume holding it is mounted in this container or host.`,
      'If this is a new installation, create it by applying the migrations: `python manage.py migrate` (this writes: do it deliberately, not while diagnosing).',
    ];
  }
  const steps: string[] = [];
  if (/password authentication failed|access denied|authentication failed|role .* does not exist/i.test(error)) {
    steps.push(`The server answered but refused the credentials: check USER and the password of DATABASES["${alias}"] (usually from the environment or a secret), and the server's access rules (pg_hba.conf, GRANTs).`);
  } else if (/could not translate host name|name or service not known|nodename nor servname|temporary failure in name resolution|unknown (mysql server )?host/i.test(error)) {
    steps.push(`The host name ${host} does not resolve from here: check HOST in the settings; in Docker Compose the host is the service name, and both containers must share a network.`);
  } else if (/connection refused/i.test(error)) {
    steps.push(`Nothing listens on ${host}${port ? `:${port}` : ''}: check that the database server is running and listening on that address (not only on 127.0.0.1 inside its own container), and PORT in the settings.`);
  } else if (/timed? ?out|timeout expired/i.test(error)) {
    steps.push(`The connection to ${host}${port ? `:${port}` : ''} timed out: a firewall, security group or Docker network is dropping it, or the server is overloaded.`);
  } else if (/does not exist/i.test(error)) {
    steps.push(`The server is reachable but the database named in DATABASES["${alias}"]["NAME"] does not exist on it.`);
  } else if (/unable to open database file|readonly database|permission denied/i.test(error)) {
    steps.push('The process cannot open the file: check its path, that the directory exists, and that the user running Django may read (and for the app, write) it.');
  }
  if (vendor === 'postgresql') steps.push(`Test from the same host or container: \`pg_isready -h ${host}${port ? ` -p ${port}` : ''}\` (expected: "accepting connections").`);
  if (vendor === 'mysql') steps.push(`Test from the same host or container: \`mysqladmin ping -h ${host}${port ? ` -P ${port}` : ''}\` (expected: "mysqld is alive").`);
  steps.push(`Then \`python manage.py check --database ${alias}\` (reads only) should run without a connection error.`);
  return steps;
}

export const djangoDatabaseAnalyzer: Analyzer = {
  name: 'django-databases',
  description: 'Database aliases the read-only connection test could not reach (alias, engine and host; never credentials)',
  findingIds: ['database-unreachable'],
  async analyze(view) {
    const dj = await loadJson(view, 'django/databases.json');
    const list = obj(dj?.value)?.['databases'];
    if (!dj || !Array.isArray(list)) return [];
    const findings: Finding[] = [];
    for (const item of list) {
      const d = obj(item);
      const alias = str(d?.['alias']);
      if (!d || !alias || d['reachable'] !== false) continue;
      const error = oneLine(str(d['error']) ?? 'the connection test failed');
      const where = describeDatabase(d);
      const range = jsonObjectRange(dj, 'alias', alias);
      findings.push(
        finding({
          id: 'database-unreachable',
          severity: 'error',
          subject: alias,
          title: `Database "${alias}" (${where}) is not reachable: ${error.length > 160 ? `${error.slice(0, 159)}…` : error}`,
          summary:
            `The read-only connection test of alias "${alias}" (engine ${str(d['engine']) ?? 'unknown'}, ${where}) failed: ${error}. ` +
            (alias === 'default'
              ? 'Everything that reads the database (pages, jobs, migrations status) fails while it is down; the migration and job checks of this bundle could not run.'
              : 'Code that routes queries to this alias fails while it is down.'),
          evidence: evidenceList([
            lineEvidence(dj, jsonKey('error'), range ?? {}),
            lineEvidence(dj, jsonKeyLine('reachable', false), range ?? {}),
            range ? undefined : fileEvidence(dj.path, `alias ${alias}: reachable false`),
          ]),
          remedy: connectionAdvice(d, error).join('\n'),
        }),
      );
    }
    return findings;
  },
};

// ---------------------------------------------------------------------------------------------------
// Interpreter

export const djangoInterpreterAnalyzer: Analyzer = {
  name: 'django-interpreter',
  description: 'The chosen Python interpreter cannot import Django (and which interpreter on the machine can)',
  findingIds: ['django-not-importable'],
  async analyze(view) {
    const ij = await loadJson(view, 'django/interpreter.json');
    const doc = obj(ij?.value);
    if (!doc || !ij) return [];
    const chosen = obj(doc['chosen']);
    const command = arr(chosen?.['command']).filter((x): x is string => typeof x === 'string');
    const commandText = command.join(' ') || '(unknown)';
    const reason = str(chosen?.['reason']);
    const source = str(chosen?.['source']);
    const runError = str(doc['error']);
    const importError = str(doc['djangoImportError']);
    const hasDjango = obj(doc['django']) !== undefined;
    if (hasDjango || (!runError && !importError)) return [];
    const python = obj(doc['python']);
    const others = arr(doc['otherInterpreters'])
      .map((o) => obj(o))
      .filter((o): o is Record<string, unknown> => !!o);
    const withDjango = others.filter((o) => str(o['django']) && str(o['path']));
    const othersAt = lineNumber(ij, jsonKey('otherInterpreters'));
    const project = str(doc['project']);
    const better = withDjango[0] ? str(withDjango[0]['path']) : undefined;
    const remedy = [
      ...(better ? [`Run again with the interpreter that has Django: \`collect-bundle --python ${better}\` (it has Django ${str(withDjango[0]!['django'])}).`] : []),
      ...(source === 'uv'
        ? ['The project uses uv: install its dependencies with `uv sync` (in the project directory), then run again.']
        : [
            `If the project has a virtual environment, point at it: \`collect-bundle --python ${project ? `${project}/.venv/bin/python` : '/path/to/venv/bin/python'}\`, or activate it first (\`source .venv/bin/activate\`).`,
            'If the environment lacks its packages: `uv sync` (uv projects) or `pip install -r requirements.txt` inside the activated virtual environment.',
          ]),
      'Check with: `/path/to/python -c "import django; print(django.get_version())"` (expected: the version the project pins).',
    ];
    const what = runError ? `could not be run as Python: ${oneLine(runError)}` : `cannot import Django: ${oneLine(importError!)}`;
    return [
      finding({
        id: 'django-not-importable',
        severity: 'error',
        subject: commandText,
        title: `The Python interpreter ${commandText} ${runError ? 'could not be run' : 'cannot import Django'}`,
        summary:
          `collect-bundle ran the project with ${commandText}${reason ? ` (${reason})` : ''}${python ? `, Python ${str(python['version']) ?? '?'} at ${str(python['executable']) ?? '?'}` : ''}, which ${what}. ` +
          'No Django command could run, so checks, migrations, databases and jobs are missing from this bundle. ' +
          (withDjango.length
            ? `These interpreters on this machine can import Django: ${withDjango.map((o) => `${str(o['path'])} (Django ${str(o['django'])})`).join(', ')}.`
            : others.length
              ? `None of the ${plural(others.length, 'other interpreter')} found on this machine can import Django either.`
              : ''),
        evidence: evidenceList([
          lineEvidence(ij, jsonKey(runError ? 'error' : 'djangoImportError')),
          lineEvidence(ij, jsonKey('reason')),
          ...withDjango.slice(0, 3).map((o) => lineEvidence(ij, jsonKeyLine('path', str(o['path'])), othersAt ? { from: othersAt } : {})),
        ]),
        remedy: remedy.join('\n'),
      }),
    ];
  },
};

/** Every Django analyzer, in the order their findings are listed. */
export const djangoAnalyzers: readonly Analyzer[] = [djangoInterpreterAnalyzer, djangoDatabaseAnalyzer, djangoChecksAnalyzer, djangoMigrationsAnalyzer];
