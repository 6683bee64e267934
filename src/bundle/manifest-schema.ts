// Room: bundle (src/bundle/) — may import core, redaction (the rule: tests/architecture.test.ts).
/**
 * The shape a bundle's manifest.json and findings.json must have before any reader trusts them. A
 * bundle may come from a stranger: `collectors: "nope"`, `files: 5` or `collectors: [null]` is a
 * damaged or foreign bundle, said in one line, never an "internal error" deep in a reader. Unknown
 * fields are kept (a newer collect-bundle may add some); known fields must have their type; fields
 * older bundles may lack get the value that means "none".
 */
import { z } from 'zod';
import type { Finding, Manifest } from '../core/types.js';
import { printable } from '../core/printable.js';

const count = z.number().int().nonnegative();

const artifact = z.looseObject({
  path: z.string(),
  bytes: count,
  sha256: z.string(),
  truncated: z.boolean().default(false),
  originalBytes: count.optional(),
});

const collector = z.looseObject({
  name: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  startedAt: z.string().optional(),
  durationMs: z.number().default(0),
  artifacts: z.array(artifact).default([]),
  problems: z.array(z.looseObject({ item: z.string(), reason: z.string() })).default([]),
  excluded: z.array(z.looseObject({})).optional(),
  commands: z.array(z.looseObject({ argv: z.array(z.string()) })).default([]),
});

const manifestSchema = z.looseObject({
  tool: z.looseObject({ name: z.string(), version: z.string() }).default({ name: 'collect-bundle', version: 'unknown' }),
  bundle: z.string().min(1),
  commandLine: z.array(z.string()).default([]),
  host: z.looseObject({ hostname: z.string(), platform: z.string(), arch: z.string(), user: z.string().optional() }).optional(),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number(),
  status: z.string(),
  options: z.record(z.string(), z.unknown()).default({}),
  docker: z.looseObject({ endpoints: z.array(z.looseObject({})).default([]) }).default({ endpoints: [] }),
  plugins: z.array(z.looseObject({ plugin: z.string(), status: z.string() })).optional(),
  // A plugin's fact may be a number: shown as text, not a reason to refuse the bundle (or fail collect).
  environment: z
    .record(
      z.string(),
      z.unknown().transform((v) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))),
    )
    .default({}),
  collectors: z.array(collector),
  findings: z.looseObject({ error: count, warning: count, info: count }).optional(),
  files: z.array(artifact).default([]),
  redaction: z
    .looseObject({
      total: count,
      byRule: z.array(z.looseObject({ rule: z.string(), count })).default([]),
      tags: z.string().optional(),
    })
    .default({ total: 0, byRule: [] }),
});

const evidence = z.looseObject({ file: z.string(), line: z.number().optional(), excerpt: z.string().default('') });
const finding = z.looseObject({
  id: z.string(),
  severity: z.enum(['error', 'warning', 'info']),
  title: z.string(),
  summary: z.string().default(''),
  evidence: z.array(evidence).default([]),
  remedy: z.string().default(''),
  docs: z.string().default(''),
  subject: z.string().optional(),
});
const findingsSchema = z.looseObject({
  generatedAt: z.string().default(''),
  analyzers: z.array(z.looseObject({ name: z.string(), findings: count, error: z.string().optional() })).default([]),
  counts: z.looseObject({ error: count, warning: count, info: count }).optional(),
  findings: z.array(finding),
});

/** findings.json as the readers use it (analyzers/run.ts writes it; older ones may lack counts and analyzers). */
export interface FindingsFile {
  /** Empty when the file has none. */
  readonly generatedAt: string;
  readonly counts: { readonly error: number; readonly warning: number; readonly info: number };
  readonly analyzers: readonly { readonly name: string; readonly findings: number; readonly error?: string }[];
  readonly findings: readonly Finding[];
}

/** The outcome of checking a parsed JSON document: the value, or one line saying what is wrong. */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** One line for the first thing wrong: `collectors.0: expected an object, got null`. */
function reasonOf(error: z.ZodError): string {
  const first = error.issues[0];
  if (!first) return 'not valid';
  const where = first.path.length ? first.path.map((p) => printable(String(p))).join('.') : 'the document';
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
  return `${where}: ${describeIssue(first)}${more}`;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    const input = (issue as { input?: unknown }).input;
    return `expected ${article(issue.expected)}, got ${input === undefined ? 'nothing' : kindOf(input)}`;
  }
  return printable(issue.message);
}

const article = (t: string): string => (t === 'array' ? 'a list' : t === 'object' ? 'an object' : `a ${t}`);
const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `a ${typeof v}`);

/** Checks a parsed manifest.json. */
export function checkManifest(value: unknown): Checked<Manifest> {
  const r = manifestSchema.safeParse(value, { reportInput: true });
  return r.success ? { ok: true, value: r.data as unknown as Manifest } : { ok: false, reason: reasonOf(r.error) };
}

/** Checks a parsed findings.json. */
export function checkFindings(value: unknown): Checked<FindingsFile> {
  const r = findingsSchema.safeParse(value, { reportInput: true });
  if (!r.success) return { ok: false, reason: reasonOf(r.error) };
  const counts = r.data.counts ?? { error: 0, warning: 0, info: 0 };
  return { ok: true, value: { ...r.data, counts } as unknown as FindingsFile };
}
