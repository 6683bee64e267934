// Room: analyzers (analyzers/) — may import core, bundle (the rule: tests/architecture.test.ts).
/** The Django system-check analyzer: check messages by id, check --deploy and DEBUG (errors in production settings, info otherwise; split from analyzers/django.ts). */
import type { Analyzer, BundleView, Evidence, Finding, Severity } from '../src/core/types.js';
import {
  andList,
  evidenceList,
  isSectionError,
  jsonKey,
  jsonKeyLine,
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
import { DJANGO, type DjangoCheckMessage, type DjangoCheckSummary, type DjangoChecksFile, type Unchecked } from '../src/bundle/layout.js';
import { oneLine } from '../src/core/text.js';
import { productionVerdict } from './django-production.js';

/** Most evidence lines one finding lists (the rest is counted in its summary). */
export const MAX_EVIDENCE = 20;

/** A system-check message as checks.json stores it (or as parsed from check.txt): the bundle contract's type. */
export type CheckMessage = DjangoCheckMessage;

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
  const s = obj(section) as Unchecked<DjangoCheckSummary> | undefined;
  if (!s || isSectionError(s) || !Array.isArray(s.messages)) return undefined;
  const out: CheckMessage[] = [];
  for (const m of s.messages) {
    const o = obj(m) as Unchecked<DjangoCheckMessage> | undefined;
    const id = str(o?.id);
    if (!o || !id) continue;
    out.push({
      id,
      level: str(o.level) ?? 'WARNING',
      object: str(o.object) ?? null,
      message: str(o.message) ?? '',
      hint: str(o.hint) ?? null,
      silenced: o.silenced === true,
    });
  }
  return out;
}

const severityOfLevel = (level: string): Severity | undefined =>
  level === 'ERROR' || level === 'CRITICAL' ? 'error' : level === 'WARNING' ? 'warning' : undefined;

/** Check ids of Django itself (their reference is Django's documentation), by the part before the dot. */
const DJANGO_CHECK_TAGS = new Set([
  'admin',
  'async',
  'auth',
  'caches',
  'commands',
  'contenttypes',
  'database',
  'fields',
  'files',
  'models',
  'postgres',
  'security',
  'signals',
  'sites',
  'staticfiles',
  'templates',
  'translation',
  'urls',
  'mysql',
  'sqlite',
  'sessions',
  'messages',
  'csrf',
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
  const versions = obj(await view.json(DJANGO.versions).catch(() => undefined));
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

export const djangoChecksAnalyzer: Analyzer = {
  name: 'django-checks',
  description: 'Django system checks by message id; check --deploy issues and DEBUG=True (errors when the evidence says production, info otherwise)',
  findingIds: ['django-check-error', 'django-check-warning', 'django-deploy', 'django-debug-enabled'],
  async analyze(view, options = {}) {
    const [checksJson, checkTxt, deployTxt, diffsettings] = await Promise.all([
      loadJson(view, DJANGO.checks),
      loadText(view, DJANGO.check),
      loadText(view, DJANGO.checkDeploy),
      loadText(view, DJANGO.diffsettings),
    ]);
    const checks = obj(checksJson?.value) as Unchecked<DjangoChecksFile> | undefined;
    const messages = toMessages(checks?.check) ?? (checkTxt ? parseCheckText(checkTxt.text) : []);
    const deploy = toMessages(checks?.deploy) ?? (deployTxt ? parseCheckText(deployTxt.text) : []);
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
    if (module === undefined) return findings;
    const verdict = await productionVerdict(view, options, module, diffsettings);
    if (verdict.development) return findings;
    const prod = verdict.production;
    const why = prod
      ? `They are taken for production settings because ${andList(verdict.signals.map((x) => x.reason))}.`
      : 'Nothing collected says these settings serve production (no --environment, ALLOWED_HOSTS without real host names, no database on another host, no SECURE_* setting), so this matters when you deploy, not now.';
    const signalEvidence = verdict.signals.flatMap((x) => (x.evidence ? [x.evidence] : [])).slice(0, 3);

    const debugLine = lineEvidence(diffsettings, (l) => /^DEBUG = True\b/.test(l));
    const w018 = deploy.find((m) => m.id === 'security.W018' && !m.silenced);
    const debug = !!w018 || !!debugLine;
    if (debug) {
      findings.push(
        finding({
          id: 'django-debug-enabled',
          severity: prod ? 'error' : 'info',
          subject: module,
          title: prod ? `DEBUG = True in settings ${module}, which serve production` : `DEBUG = True in settings ${module} (matters when you deploy)`,
          summary:
            `The settings module ${module} has DEBUG = True (${andList([...(w018 ? ['check --deploy reports security.W018'] : []), ...(debugLine ? ['diffsettings shows DEBUG = True'] : [])])}). ` +
            'With DEBUG on, an error page shows settings, source code and request data to anyone who triggers it, and Django keeps every SQL query in memory. ' +
            why,
          evidence: evidenceList([debugLine, ...checkEvidence('security.W018', deployTxt, checksJson, 'deploy').slice(0, 1), ...signalEvidence]),
          remedy: [
            'Set DEBUG = False in the production settings, e.g. `DEBUG = os.environ.get("DJANGO_DEBUG") == "1"` so it is off unless asked for.',
            "With DEBUG off Django needs ALLOWED_HOSTS to list the site's host names, and static files served by the web server (`python manage.py collectstatic`).",
            prod
              ? `If ${module} really are development settings, say so: \`--environment development\` (config key \`collectors.django.environment\`).`
              : 'Tell collect-bundle where these settings run with `--environment production` (or development) to make this an error (or silence it).',
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
          severity: !prod ? 'info' : debug || anyError ? 'error' : 'warning',
          subject: module,
          title: `check --deploy: ${plural(ids.length, 'issue')} in settings ${module}${prod ? '' : ' (matters when you deploy)'}`,
          summary:
            `\`manage.py check --deploy\` lists ${plural(ids.length, 'deployment issue')} for ${module} (each with its fix below). ${why}` +
            (prod && debug ? ' DEBUG is on as well, so these settings are not safe to serve traffic with.' : ''),
          evidence: deployOnly.flatMap(([id]) => checkEvidence(id, deployTxt, checksJson, 'deploy').slice(0, 1)).slice(0, MAX_EVIDENCE),
          remedy: [
            'Fix each in the production settings:',
            ...hints,
            "Then confirm with `python manage.py check --deploy` (it only reads). Django's deployment checklist: https://docs.djangoproject.com/en/stable/howto/deployment/checklist/",
          ].join('\n'),
        }),
      );
    }
    return findings;
  },
};

/** A deploy message without a hint, cut to a readable length. */
function shortAdvice(message: string): string {
  return oneLine(message, 200);
}

/** A message as part of a sentence: one line, no final period. */
const clause = (s: string): string => oneLine(s).replace(/\.+$/, '');
