// Room: cli (src/cli/) — may import every room; the only place that prints errors and calls process.exit.
/**
 * docs/options.md's table of `collect`'s flags, generated from the same declarations yargs gets
 * (builders.ts: the collect, analysis, redaction and collector options): `npm run docs:options` writes
 * it between the collect-options markers, and tests/config/options.test.ts fails when it is stale.
 */
import type { Argv } from 'yargs';
import { BUILTIN_OPTION_SPECS, RUN_FLAGS } from '../config/collector-options.js';
import { envName } from '../config/layers.js';
import { analysisOptions, collectOptions, redactionOptions } from './builders.js';

/** One `.option()` call as yargs would get it. */
interface Declared {
  readonly name: string;
  readonly alias: readonly string[];
  readonly describe: string;
  readonly default?: unknown;
  readonly boolean: boolean;
}

/** The redaction flags' config keys (config-only shapes: patterns become `rules`, a list). */
const REDACTION_KEYS: Readonly<Record<string, string>> = {
  'redact-pattern': 'redaction.rules',
  'redact-literals-file': 'redaction.literalsFiles',
  'redact-key': 'redaction.secretKeys',
  allow: 'redaction.allow',
};

/** Runs the builders against a recorder instead of yargs: every flag, in declaration order. */
export function declaredCollectFlags(): Declared[] {
  const out: Declared[] = [];
  const recorder: Record<string, unknown> = new Proxy(
    {},
    {
      get: (_t, prop) =>
        prop === 'option'
          ? (name: string, o: { alias?: string | string[]; describe?: string; default?: unknown; type?: string }) => {
              out.push({
                name,
                alias: ([] as string[]).concat(o.alias ?? []),
                describe: o.describe ?? '',
                ...(o.default !== undefined ? { default: o.default } : {}),
                boolean: o.type === 'boolean',
              });
              return recorder;
            }
          : () => recorder,
    },
  );
  redactionOptions(analysisOptions(collectOptions(recorder as unknown as Argv)));
  return out;
}

const cell = (s: string): string => s.replace(/\|/g, '\\|');

/** The table: flag, config key, environment variable, default, meaning. */
export function collectOptionsMarkdown(): string {
  const configKey = new Map<string, string>([
    ...RUN_FLAGS.map(([path, flag]) => [flag, path.join('.')] as [string, string]),
    ...BUILTIN_OPTION_SPECS.map((s) => [s.flag, `collectors.${s.collector}.${s.key}`] as [string, string]),
    ...Object.entries(REDACTION_KEYS),
  ]);
  // --list-collectors is an action, not a setting (the layers never set it): named below the table.
  const rows = declaredCollectFlags()
    .filter((f) => f.name !== 'list-collectors')
    .map((f) => {
      const flags = [f.name, ...f.alias].map((n) => `\`${n.length === 1 ? '-' : '--'}${n}\``).join(', ');
      const key = configKey.get(f.name);
      const d = f.default === undefined || f.default === false ? '' : `\`${String(f.default)}\``;
      return `| ${flags} | ${key ? `\`${key}\`` : ''} | \`${envName(f.name)}\` | ${d} | ${cell(f.describe)} |`;
    });
  return ['| flag | config key | environment | default | what it does |', '|---|---|---|---|---|', ...rows, ''].join('\n');
}

/** The markers around the generated table in docs/options.md. */
export const COLLECT_OPTIONS_MARKERS = { start: '<!-- collect-options:start -->', end: '<!-- collect-options:end -->' } as const;

/** docs/options.md with its flag table replaced by the generated one (unchanged when it has no markers). */
export function withCollectOptionsTable(doc: string): string {
  const a = doc.indexOf(COLLECT_OPTIONS_MARKERS.start);
  const b = doc.indexOf(COLLECT_OPTIONS_MARKERS.end);
  if (a === -1 || b === -1 || b < a) return doc;
  const note = '<!-- Generated from the flag declarations (src/cli/builders.ts, the collectors) by `npm run docs:options`; edit those, not this table. -->';
  return `${doc.slice(0, a)}${COLLECT_OPTIONS_MARKERS.start}\n${note}\n${collectOptionsMarkdown()}${doc.slice(b)}`;
}
