// Room: analyzers (analyzers/) — may import core, bundle (the rule: tests/architecture.test.ts).
/**
 * `.env` lint (`--env-file`): lines python-dotenv, docker compose (`env_file:`) or `docker run
 * --env-file` will not read the way the author meant. Errors are lines a tool rejects or misreads
 * outright (spaces around `=`, unterminated quotes, invalid names, text after a closing quote); warnings
 * are suspicious lines (unquoted values with spaces, a space after `=`, an inline ` # comment` after an
 * unquoted value, `${VAR}` references to names not defined above in the file, circular references,
 * duplicate keys, names only some tools accept).
 *
 * The file is the only input: `${VAR}` may also be satisfied by the process environment that runs the
 * app, which a bundle does not hold, so undefined references are warnings and say so.
 */
import type { AnalyzeOptions, Analyzer, BundleView, Finding, Severity } from '../src/core/types.js';
import { excerpt, finding } from './finding.js';
import { stronglyConnected } from './graph.js';
import { ENV_FILES } from '../src/bundle/layout.js';

/** One problem on one line of an env file. */
export interface EnvIssue {
  /** 1-based line number. */
  readonly line: number;
  readonly severity: Exclude<Severity, 'info'>;
  /** Stable short code: `space-around-equals`, `unterminated-quote`, ... */
  readonly code: EnvIssueCode;
  /** One sentence: what is wrong and how each tool reads it. */
  readonly message: string;
}

export type EnvIssueCode =
  | 'space-around-equals'
  | 'space-after-equals'
  | 'unquoted-space'
  | 'inline-comment'
  | 'unterminated-quote'
  | 'text-after-quote'
  | 'invalid-key'
  | 'nonportable-key'
  | 'not-an-assignment'
  | 'undefined-reference'
  | 'later-reference'
  | 'circular-reference'
  | 'bad-reference'
  | 'duplicate-key';

/** A name every tool (and a shell) accepts. */
const PORTABLE_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Names python-dotenv and compose accept but a shell cannot export, nor `${...}` reference. */
const LENIENT_KEY = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

interface Definition {
  readonly key: string;
  readonly line: number;
}

interface Reference {
  readonly from: string;
  readonly line: number;
  readonly name: string;
  /** `${A:-x}`, `${A-x}`, `${A:+x}`, `${A:=x}`: fine when A is unset. */
  readonly hasDefault: boolean;
}

/**
 * Index in `text` (from `from` on) of the quote that closes a value, honouring backslash escapes; -1 when
 * none. A backslash at the very end of a line escapes the line break, and a line break is never a quote
 * nor a backslash, so each line of a multi-line value starts unescaped: a value is scanned line by line,
 * each character once.
 */
function closingQuote(text: string, quote: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === quote) return i;
  }
  return -1;
}

/** `${...}` references in a value (compose's `$$` escape skipped). Invalid ones are returned as bad. */
function references(value: string): { name: string; hasDefault: boolean }[] | { bad: string } {
  const out: { name: string; hasDefault: boolean }[] = [];
  const text = value.replace(/\$\$/g, '');
  let i = text.indexOf('${');
  while (i !== -1) {
    const end = text.indexOf('}', i + 2);
    if (end === -1) return { bad: text.slice(i) };
    const inner = text.slice(i + 2, end);
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=+?])([\s\S]*))?$/.exec(inner);
    if (!m) return { bad: text.slice(i, end + 1) };
    const op = m[2] ?? '';
    out.push({ name: m[1]!, hasDefault: op !== '' && !op.endsWith('?') });
    i = text.indexOf('${', end + 1);
  }
  return out;
}

/**
 * Lints the text of one env file. Pure and total: any text gives a list (possibly empty), never a throw.
 */
export function lintEnvText(text: string): EnvIssue[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const issues: EnvIssue[] = [];
  const add = (line: number, severity: EnvIssue['severity'], code: EnvIssueCode, message: string): void => {
    issues.push({ line, severity, code, message });
  };
  const defs: Definition[] = [];
  const refs: Reference[] = [];

  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const raw = lines[i]!;
    const t = raw.trimStart();
    if (t === '' || t.startsWith('#')) continue;
    const body = /^export\s+\S/.test(t) ? t.replace(/^export\s+/, '') : t;
    const eq = body.indexOf('=');
    if (eq === -1) {
      const bare = body.trimEnd();
      // A bare NAME takes its value from the environment (compose, docker run): fine when it is a name.
      if (PORTABLE_KEY.test(bare)) defs.push({ key: bare, line: n });
      else add(n, 'error', 'not-an-assignment', `not a KEY=value line: python-dotenv skips it with a parse warning, docker compose rejects the file`);
      continue;
    }
    const rawKey = body.slice(0, eq);
    const key = rawKey.trimEnd();
    let value = body.slice(eq + 1);
    if (key === '') {
      add(n, 'error', 'invalid-key', 'no name before "=": every tool rejects or skips this line');
      continue;
    }
    if (key !== rawKey) {
      add(
        n,
        'error',
        'space-around-equals',
        `spaces around "=": docker run --env-file rejects "${key} " as a name and a shell runs ${key} as a command (python-dotenv alone accepts it); write ${key}=value`,
      );
    } else if (/^[ \t]/.test(value) && value.replace(/\s+#.*$/, '').trim() !== '') {
      add(
        n,
        'warning',
        'space-after-equals',
        `space after "=": docker run --env-file keeps it as part of the value, python-dotenv and compose drop it; write ${key}=value`,
      );
    }
    if (!PORTABLE_KEY.test(key)) {
      if (LENIENT_KEY.test(key) && !/^\d/.test(key))
        add(
          n,
          'warning',
          'nonportable-key',
          `${key} is not a portable variable name: a shell cannot export it and \${${key}} cannot reference it; use letters, digits and _ only`,
        );
      else add(n, 'error', 'invalid-key', `"${key}" is not a valid variable name: it must start with a letter or _ and use only letters, digits and _`);
    }
    value = value.trimStart();
    const quote = value[0] === '"' || value[0] === "'" ? value[0] : undefined;
    let interpolated: string | undefined;
    if (quote) {
      let close = closingQuote(value, quote, 1);
      let endLine = i;
      // Quoted values may span lines (python-dotenv and compose both allow it): go on from where the
      // line before ended (never from the value's start again, which made a long file quadratic).
      while (close === -1 && endLine + 1 < lines.length) {
        endLine++;
        close = closingQuote(lines[endLine]!, quote, 0);
      }
      // The value's text up to its closing quote, and what follows that quote on its line.
      const closingText = endLine === i ? value : lines[endLine]!;
      const kind = quote === '"' ? 'double' : 'single';
      if (close === -1) {
        add(
          n,
          'error',
          'unterminated-quote',
          `the ${kind} quote opened here is never closed: python-dotenv skips the line with a parse warning and docker compose rejects the file; close it (${key}=${quote}value${quote})`,
        );
        defs.push({ key, line: n });
        continue; // lint the following lines as lines of their own, to find their defects too
      }
      const rest = closingText.slice(close + 1);
      const garbage = rest.trim() !== '' && !rest.trim().startsWith('#');
      // A quote that closes only on a later line is a multi-line value, unless what it swallowed looks
      // like assignments of their own, or it closes mid-line: then the quote was meant to close here.
      const swallowed = endLine > i && (lines.slice(i + 1, endLine + 1).some((l) => /^\s*(export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*=/.test(l)) || garbage);
      if (swallowed) {
        add(
          n,
          'error',
          'unterminated-quote',
          `the ${kind} quote opened here is not closed on this line: python-dotenv reads on to the next ${quote} on line ${endLine + 1}, swallowing the lines between into ${key}; close it (${key}=${quote}value${quote})`,
        );
        defs.push({ key, line: n });
        continue;
      }
      if (garbage) {
        add(
          n,
          'error',
          'text-after-quote',
          `text after the closing quote: python-dotenv cannot parse the line and tools disagree on the value; put everything inside the quotes`,
        );
      }
      if (quote === '"')
        interpolated = endLine === i ? value.slice(1, close) : [value.slice(1), ...lines.slice(i + 1, endLine), closingText.slice(0, close)].join('\n');
      defs.push({ key, line: n });
      i = endLine;
    } else {
      // An unquoted value ends at " #" (a comment) in python-dotenv and compose; `KEY= # note` is empty.
      const after = body.slice(eq + 1);
      const v = (/^\s+#/.test(after) ? '' : after.replace(/\s+#.*$/, '')).trim();
      // docker run --env-file has no comments after a value: everything after "=" is the value.
      if (/\s#/.test(after)) {
        add(
          n,
          'warning',
          'inline-comment',
          `inline comment: docker run --env-file keeps ${JSON.stringify(excerpt(after, 60))} as the value (python-dotenv and compose drop the comment); put the comment on its own line above`,
        );
      }
      if (/\s/.test(v)) {
        add(
          n,
          'warning',
          'unquoted-space',
          `unquoted value with spaces: a shell that sources the file runs the second word as a command, and tools differ on where the value ends; quote it: ${key}="${v.length > 40 ? `${v.slice(0, 37)}...` : v}"`,
        );
      }
      interpolated = v;
      defs.push({ key, line: n });
    }
    if (interpolated !== undefined) {
      const found = references(interpolated);
      if ('bad' in found) {
        add(
          n,
          'warning',
          'bad-reference',
          `${excerpt(found.bad, 60)} is not a variable reference python-dotenv or compose can expand: write \${NAME} or \${NAME:-default}, or $$ for a literal $ (compose)`,
        );
      } else {
        for (const r of found) refs.push({ from: key, line: n, name: r.name, hasDefault: r.hasDefault });
      }
    }
  }

  // Duplicate keys: the last one wins in python-dotenv and compose, which is rarely what was meant.
  const first = new Map<string, number>();
  /** Every line defining a key, in file order (so a reference is looked up once, not in every definition). */
  const linesOf = new Map<string, number[]>();
  for (const d of defs) {
    const list = linesOf.get(d.key);
    if (list) list.push(d.line);
    else linesOf.set(d.key, [d.line]);
    const at = first.get(d.key);
    if (at === undefined) first.set(d.key, d.line);
    else add(d.line, 'warning', 'duplicate-key', `${d.key} is defined again (first on line ${at}): the last definition wins, line ${at} is ignored`);
  }

  // Circular references among the file's own keys (references with a default do not count).
  const graph = new Map<string, Set<string>>();
  for (const r of refs) {
    if (r.hasDefault || r.name === r.from || !first.has(r.name)) continue;
    graph.set(r.from, (graph.get(r.from) ?? new Set()).add(r.name));
  }
  const cycles = stronglyConnected(graph).filter((c) => c.length > 1);
  const inCycle = new Map<string, string[]>();
  for (const c of cycles) for (const k of c) inCycle.set(k, c);

  const reported = new Set<string>();
  for (const r of refs) {
    if (r.hasDefault) continue;
    const cycle = inCycle.get(r.from);
    if (cycle?.includes(r.name) && r.name !== r.from) {
      const id = `${r.line}\0circular`;
      if (reported.has(id)) continue;
      reported.add(id);
      const path = [...cycle, cycle[0]!].map((k) => `\${${k}}`).join(' → ');
      add(
        r.line,
        'warning',
        'circular-reference',
        `circular reference ${path}: none of them can be expanded, so they end up empty or literal; give one of them a plain value`,
      );
      continue;
    }
    const at = linesOf.get(r.name) ?? [];
    if (at[0] !== undefined && at[0] < r.line) continue;
    const later = at.find((l) => l > r.line);
    if (later !== undefined && r.name !== r.from) {
      add(
        r.line,
        'warning',
        'later-reference',
        `\${${r.name}} is defined only below (line ${later}): python-dotenv expands a reference with what is defined above it, so here it is empty unless the process environment has ${r.name}; move ${r.name} up`,
      );
    } else {
      add(
        r.line,
        'warning',
        'undefined-reference',
        `\${${r.name}} is not defined above in this file: it expands to an empty string unless the process environment that loads the file has ${r.name} (this check sees only the file); define it above, or write \${${r.name}:-default}`,
      );
    }
  }
  return issues.sort((a, b) => a.line - b.line);
}

/** ✓/✗ examples for the kinds of problem found, for the remedy. */
const EXAMPLES: Record<EnvIssueCode, string> = {
  'space-around-equals': '✗ `DEBUG = False`  ✓ `DEBUG=False`',
  'space-after-equals': '✗ `DEBUG= False`  ✓ `DEBUG=False`',
  'unquoted-space': '✗ `GREETING=hello world`  ✓ `GREETING="hello world"`',
  'inline-comment': '✗ `PORT=8000 # web port`  ✓ `# web port` on the line above, then `PORT=8000`',
  // Examples use names no redaction rule treats as secret (a SECRET_KEY example would be redacted).
  'unterminated-quote': '✗ `GREETING="hello`  ✓ `GREETING="hello"` (a value may span lines, but its quote must close)',
  'text-after-quote': '✗ `NAME="a"b`  ✓ `NAME="ab"`',
  'invalid-key': '✗ `1ST_HOST=db` or `MY KEY=x`  ✓ `FIRST_HOST=db`',
  'nonportable-key': '✗ `app.port=8000` or `MY-KEY=x`  ✓ `APP_PORT=8000`',
  'not-an-assignment': '✗ `just some text`  ✓ `# just some text` (a comment) or `KEY=value`',
  'undefined-reference': '✗ `URL=http://${HOST}/` with no HOST above  ✓ `HOST=db` on a line above, or `URL=http://${HOST:-localhost}/`',
  'later-reference': '✗ `URL=http://${HOST}/` then `HOST=db`  ✓ `HOST=db` then `URL=http://${HOST}/`',
  'circular-reference': '✗ `A=${B}` and `B=${A}`  ✓ `B=value` and `A=${B}`',
  'bad-reference': '✗ `URL=${HOST:localhost}` or `PRICE=${5}`  ✓ `URL=${HOST:-localhost}`, `PRICE=$$5` (compose) or single quotes',
  'duplicate-key': '✗ `PORT=8000` … `PORT=9000`  ✓ one `PORT=` line',
};

/** The env-file finding for one file's issues (undefined when there are none). */
export function envFileFinding(path: string, text: string, issues: readonly EnvIssue[]): Finding | undefined {
  if (!issues.length) return undefined;
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const errors = issues.filter((i) => i.severity === 'error');
  const warnings = issues.length - errors.length;
  const byLine = new Map<number, EnvIssue[]>();
  for (const i of issues) byLine.set(i.line, [...(byLine.get(i.line) ?? []), i]);
  const codes = [...new Set(issues.map((i) => i.code))];
  const shown = issues.slice(0, 30);
  return finding({
    id: 'env-file-invalid',
    severity: errors.length ? 'error' : 'warning',
    subject: path,
    title: `${path}: ${[errors.length ? `${errors.length} invalid line${errors.length === 1 ? '' : 's'}` : '', warnings ? `${warnings} suspicious line${warnings === 1 ? '' : 's'}` : ''].filter(Boolean).join(' and ')}`,
    summary: `${shown.map((i) => `line ${i.line} (${i.severity}): ${i.message}`).join('\n')}${issues.length > shown.length ? `\n… and ${issues.length - shown.length} more` : ''}`,
    evidence: [...byLine.keys()].map((line) => ({ file: path, line, excerpt: excerpt(lines[line - 1] ?? '') })),
    remedy: [
      'Fix each line named above; the syntax python-dotenv, docker compose and `docker run --env-file` all read the same way is `NAME=value` with no spaces around `=`, and quotes around values with spaces:',
      ...codes.map((c) => `- ${EXAMPLES[c]}`),
      'Note: `docker run --env-file` never strips quotes (it passes `"x"` with the quotes); python-dotenv and compose do.',
    ].join('\n'),
  });
}

/** The env files to lint: the ones the caller passed, else those stored in the bundle under env-files/. */
async function envFiles(view: BundleView, options: AnalyzeOptions): Promise<{ path: string; text: string }[]> {
  if (options.envFiles) return [...options.envFiles];
  const out: { path: string; text: string }[] = [];
  for (const p of view.paths().filter((p) => p.startsWith(ENV_FILES.dir))) {
    const text = await view.text(p).catch(() => undefined);
    if (text !== undefined) out.push({ path: p, text });
  }
  return out;
}

export const envFileAnalyzer: Analyzer = {
  name: 'env-file',
  description: 'Lint of .env-style files given with --env-file (python-dotenv / docker compose syntax)',
  findingIds: ['env-file-invalid'],
  async analyze(view, options) {
    const findings: Finding[] = [];
    for (const f of await envFiles(view, options)) {
      const found = envFileFinding(f.path, f.text, lintEnvText(f.text));
      if (found) findings.push(found);
    }
    return findings;
  },
};
