// Room: analyzers (analyzers/) — may import core, bundle (the rule: tests/architecture.test.ts).
/** The Django database and interpreter analyzers (split from analyzers/django.ts along its // --- seams). */
import type { Analyzer, Finding } from '../src/core/types.js';
import {
  arr,
  evidenceList,
  fileEvidence,
  jsonKey,
  jsonKeyLine,
  jsonObjectRange,
  lineEvidence,
  lineNumber,
  loadJson,
  obj,
  plural,
  str,
} from './django-evidence.js';
import { finding } from './finding.js';
import { DJANGO, type DjangoDatabaseRow, type DjangoDatabasesFile, type DjangoInterpreterFile, type Unchecked } from '../src/bundle/layout.js';
import { oneLine } from '../src/core/text.js';

// ---------------------------------------------------------------------------------------------------
// Databases

/** `PostgreSQL at db:5432`, `SQLite file /srv/app/db.sqlite3`: never user or password. */
function describeDatabase(d: Unchecked<DjangoDatabaseRow>): string {
  const engine = str(d.engine) ?? '';
  const vendor = str(d.vendor) ?? engine.split('.').pop() ?? 'database';
  const names: Record<string, string> = { postgresql: 'PostgreSQL', mysql: 'MySQL', sqlite: 'SQLite', oracle: 'Oracle', postgis: 'PostGIS' };
  const label = names[vendor] ?? (vendor || 'database');
  if (vendor === 'sqlite') return `${label} file ${str(d.name) ?? '(no NAME)'}`;
  const host = (str(d.host) ?? '').replace(/^[^@/]*@/, '') || 'localhost';
  const port = str(d.port) ?? (typeof d.port === 'number' ? String(d.port) : undefined);
  return `${label} at ${host}${port ? `:${port}` : ''}${str(d.name) ? ` (database ${str(d.name)})` : ''}`;
}

/** What usually causes a connection error with this message, and what to check. */
function connectionAdvice(d: Unchecked<DjangoDatabaseRow>, error: string): string[] {
  const vendor = str(d.vendor) ?? '';
  const host = (str(d.host) ?? '').replace(/^[^@/]*@/, '') || 'localhost';
  const port = str(d.port) ?? (vendor === 'postgresql' ? '5432' : vendor === 'mysql' ? '3306' : '');
  const alias = str(d.alias) ?? 'default';
  if (d.sqliteFileMissing === true) {
    return [
      `The SQLite file does not exist. Check DATABASES["${alias}"]["NAME"] (and BASE_DIR) in the settings, and that the volume holding it is mounted in this container or host.`,
      'If this is a new installation, create it by applying the migrations: `python manage.py migrate` (this writes: do it deliberately, not while diagnosing).',
    ];
  }
  const steps: string[] = [];
  if (/password authentication failed|access denied|authentication failed|role .* does not exist/i.test(error)) {
    steps.push(
      `The server answered but refused the credentials: check USER and the password of DATABASES["${alias}"] (usually from the environment or a secret), and the server's access rules (pg_hba.conf, GRANTs).`,
    );
  } else if (
    /could not translate host name|name or service not known|nodename nor servname|temporary failure in name resolution|unknown (mysql server )?host/i.test(
      error,
    )
  ) {
    steps.push(
      `The host name ${host} does not resolve from here: check HOST in the settings; in Docker Compose the host is the service name, and both containers must share a network.`,
    );
  } else if (/connection refused/i.test(error)) {
    steps.push(
      `Nothing listens on ${host}${port ? `:${port}` : ''}: check that the database server is running and listening on that address (not only on 127.0.0.1 inside its own container), and PORT in the settings.`,
    );
  } else if (/timed? ?out|timeout expired/i.test(error)) {
    steps.push(
      `The connection to ${host}${port ? `:${port}` : ''} timed out: a firewall, security group or Docker network is dropping it, or the server is overloaded.`,
    );
  } else if (/does not exist/i.test(error)) {
    steps.push(`The server is reachable but the database named in DATABASES["${alias}"]["NAME"] does not exist on it.`);
  } else if (/unable to open database file|readonly database|permission denied/i.test(error)) {
    steps.push(
      'The process cannot open the file: check its path, that the directory exists, and that the user running Django may read (and for the app, write) it.',
    );
  }
  if (vendor === 'postgresql')
    steps.push(`Test from the same host or container: \`pg_isready -h ${host}${port ? ` -p ${port}` : ''}\` (expected: "accepting connections").`);
  if (vendor === 'mysql')
    steps.push(`Test from the same host or container: \`mysqladmin ping -h ${host}${port ? ` -P ${port}` : ''}\` (expected: "mysqld is alive").`);
  steps.push(`Then \`python manage.py check --database ${alias}\` (reads only) should run without a connection error.`);
  return steps;
}

export const djangoDatabaseAnalyzer: Analyzer = {
  name: 'django-databases',
  description: 'Database aliases the read-only connection test could not reach (alias, engine and host; never credentials)',
  findingIds: ['database-unreachable'],
  async analyze(view) {
    const dj = await loadJson(view, DJANGO.databases);
    const list = (obj(dj?.value) as Unchecked<DjangoDatabasesFile> | undefined)?.databases;
    if (!dj || !Array.isArray(list)) return [];
    const findings: Finding[] = [];
    for (const item of list) {
      const d = obj(item) as Unchecked<DjangoDatabaseRow> | undefined;
      const alias = str(d?.alias);
      if (!d || !alias || d.reachable !== false) continue;
      const error = oneLine(str(d.error) ?? 'the connection test failed');
      const where = describeDatabase(d);
      const range = jsonObjectRange(dj, 'alias', alias);
      findings.push(
        finding({
          id: 'database-unreachable',
          severity: 'error',
          subject: alias,
          title: `Database "${alias}" (${where}) is not reachable: ${error.length > 160 ? `${error.slice(0, 159)}…` : error}`,
          summary:
            `The read-only connection test of alias "${alias}" (engine ${str(d.engine) ?? 'unknown'}, ${where}) failed: ${error}. ` +
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

/** One of interpreter.json's other interpreters. */
type OtherInterpreter = NonNullable<DjangoInterpreterFile['otherInterpreters']>[number];

export const djangoInterpreterAnalyzer: Analyzer = {
  name: 'django-interpreter',
  description: 'The chosen Python interpreter cannot import Django (and which interpreter on the machine can)',
  findingIds: ['django-not-importable'],
  async analyze(view) {
    const ij = await loadJson(view, DJANGO.interpreter);
    const doc = obj(ij?.value) as Unchecked<DjangoInterpreterFile> | undefined;
    if (!doc || !ij) return [];
    const chosen = obj(doc.chosen) as Unchecked<DjangoInterpreterFile['chosen']> | undefined;
    const command = arr(chosen?.command).filter((x): x is string => typeof x === 'string');
    const commandText = command.join(' ') || '(unknown)';
    const reason = str(chosen?.reason);
    const source = str(chosen?.source);
    const runError = str(doc.error);
    const importError = str(doc.djangoImportError);
    const hasDjango = obj(doc.django) !== undefined;
    if (hasDjango || (!runError && !importError)) return [];
    const python = obj(doc.python) as Unchecked<NonNullable<DjangoInterpreterFile['python']>> | undefined;
    const others = arr(doc.otherInterpreters)
      .map((o) => obj(o) as Unchecked<OtherInterpreter> | undefined)
      .filter((o): o is Unchecked<OtherInterpreter> => !!o);
    const withDjango = others.filter((o) => str(o.django) && str(o.path));
    const othersAt = lineNumber(ij, jsonKey('otherInterpreters'));
    const project = str(doc.project);
    const better = withDjango[0] ? str(withDjango[0].path) : undefined;
    const remedy = [
      ...(better
        ? [`Run again with the interpreter that has Django: \`collect-bundle --python ${better}\` (it has Django ${str(withDjango[0]!.django)}).`]
        : []),
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
          `collect-bundle ran the project with ${commandText}${reason ? ` (${reason})` : ''}${python ? `, Python ${str(python.version) ?? '?'} at ${str(python.executable) ?? '?'}` : ''}, which ${what}. ` +
          'No Django command could run, so checks, migrations, databases and jobs are missing from this bundle. ' +
          (withDjango.length
            ? `These interpreters on this machine can import Django: ${withDjango.map((o) => `${str(o.path)} (Django ${str(o.django)})`).join(', ')}.`
            : others.length
              ? `None of the ${plural(others.length, 'other interpreter')} found on this machine can import Django either.`
              : ''),
        evidence: evidenceList([
          lineEvidence(ij, jsonKey(runError ? 'error' : 'djangoImportError')),
          lineEvidence(ij, jsonKey('reason')),
          ...withDjango.slice(0, 3).map((o) => lineEvidence(ij, jsonKeyLine('path', str(o.path)), othersAt ? { from: othersAt } : {})),
        ]),
        remedy: remedy.join('\n'),
      }),
    ];
  },
};
