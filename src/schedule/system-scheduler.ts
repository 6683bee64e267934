// Room: schedule (src/schedule/) — may import core, config, run, bundle, collectors (the rule: tests/architecture.test.ts).
/**
 * `schedule --print-systemd` and `--print-cron`: the same schedule and the same collect options as a
 * systemd service + timer pair or a crontab line, for users who prefer the system scheduler. Each run is
 * then a plain `collect-bundle collect ...`; retention follows as a second command
 * (`collect-bundle schedule --prune-only ...`) when a policy was given. Only text is produced here.
 */
import { CronPattern } from 'croner';
import { isAbsolute, resolve } from 'node:path';
import { timetable, type Trigger } from './schedule.js';
import type { PrintedArg } from './secret-env.js';
import { formatDuration } from '../core/units.js';

/** What the printers need; every path in it is absolute. */
export interface SystemSchedulerOptions {
  readonly trigger: Trigger;
  /** The zone of the cron expression (stated in the output). */
  readonly timezone: string;
  /** The system's own zone, which cron daemons use. */
  readonly localZone: string;
  /** The program: `[node, --, /abs/bin/collect-bundle.js]` or `[/usr/local/bin/collect-bundle]`. */
  readonly program: readonly string[];
  /** Arguments of one plain collection, starting with `collect`; a secret one refers to a variable of `envFile`. */
  readonly collectArgs: readonly PrintedArg[];
  /** Arguments of the pruning command (`schedule --prune-only ...`), when a retention policy was given. */
  readonly pruneArgs?: readonly PrintedArg[];
  /** Environment the collection depends on (DOCKER_HOST, COLLECT_BUNDLE_*, ...), passed on to the service; no secret. */
  readonly env?: Readonly<Record<string, string>>;
  /** The environment file (0600) that holds the secret variables and arguments (secret-env.ts), if there are any. */
  readonly envFile?: string;
  /** Names of the variables in `envFile`, for a comment (never their values). */
  readonly secretNames?: readonly string[];
  /** The directory the command was given in: the service's WorkingDirectory=, the cron line's `cd`. */
  readonly cwd?: string;
}

/** Options of `schedule` that are not collect options, and whether each takes a value. */
export const SCHEDULE_ONLY_OPTIONS: Readonly<Record<string, boolean>> = {
  every: true,
  cron: true,
  timezone: true,
  keep: true,
  'max-age': true,
  'max-total-size': true,
  'max-runs': true,
  'min-free': true,
  'run-now': false,
  'print-systemd': false,
  'print-cron': false,
  'prune-only': false,
};

const kebab = (s: string): string => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Options whose values are paths, made absolute so the printed command works from any directory; `true`: repeatable (one value per occurrence). */
export const PATH_OPTIONS: Readonly<Record<string, boolean>> = {
  'django-dir': false,
  'env-file': true,
  'redaction-key-file': false,
  'redact-literals-file': true,
  'encrypt-to-file': false,
  'upload-token-file': false,
  'upload-known-hosts': false,
  tlscacert: false,
  tlscert: false,
  tlskey: false,
};

export interface CollectArgsOptions {
  /** Base of the relative paths; default: the current directory. */
  readonly cwd?: string;
  /**
   * The config file the command line loaded (absolute), passed as `--config`; `null` when none was
   * (`--no-config` then, so the service does not pick up a file found later). Undefined: keep as typed.
   */
  readonly config?: string | null;
}

/**
 * The arguments of one plain collection from the `schedule` command line as typed: the `schedule`
 * word and schedule-only options are dropped, `-o/--output-dir` becomes `outputDir` (absolute), path
 * options are made absolute, `--config`/`--no-config` become what was actually loaded, and everything
 * else is kept exactly as the user wrote it.
 */
export function collectArgsFrom(rawArgs: readonly string[], outputDir: string, options: CollectArgsOptions = {}): string[] {
  const out: string[] = ['collect', '--output-dir', outputDir];
  const cwd = options.cwd ?? process.cwd();
  const abs = (p: string): string => (p === '' || p === '-' || isAbsolute(p) ? p : resolve(cwd, p));
  let commandSeen = false;
  for (let i = 0; i < rawArgs.length; i++) {
    const a = rawArgs[i]!;
    if (!commandSeen && a === 'schedule') {
      commandSeen = true;
      continue;
    }
    const long = /^--(?:no-)?([^=]+)(=.*)?$/.exec(a);
    const short = /^-o(=?)(.*)$/.exec(a);
    if (long) {
      const name = kebab(long[1]!);
      const inline = long[2] !== undefined;
      if (name === 'output-dir') {
        if (!inline) i++;
        continue;
      }
      if (name === 'config' && options.config !== undefined) {
        if (!inline && !a.startsWith('--no-') && rawArgs[i + 1] !== undefined && !rawArgs[i + 1]!.startsWith('-')) i++;
        continue; // replaced by what was loaded, below
      }
      if (name in PATH_OPTIONS && !a.startsWith('--no-')) {
        if (inline) {
          out.push(`--${name}=${abs(long[2]!.slice(1))}`);
          continue;
        }
        // One value per occurrence, repeatable ones too, as the CLI reads them (greedy arrays are off).
        out.push(a, abs(rawArgs[++i] ?? ''));
        continue;
      }
      if (name in SCHEDULE_ONLY_OPTIONS) {
        const takesValue = SCHEDULE_ONLY_OPTIONS[name]!;
        if (!inline && (takesValue || rawArgs[i + 1] === 'true' || rawArgs[i + 1] === 'false')) i++;
        continue;
      }
    } else if (short) {
      if (short[1] === '' && short[2] === '') i++; // `-o DIR`; `-oDIR` and `-o=DIR` are one token
      continue;
    }
    out.push(a);
  }
  if (options.config !== undefined) out.push(...(options.config === null ? ['--no-config'] : ['--config', options.config]));
  return out;
}

/** One argument for a systemd Exec line: bare when safe, else double-quoted; `%` and `$` escaped. */
export function systemdQuote(arg: string): string {
  const escaped = arg.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t')}"`;
}

/** One argument for /bin/sh: bare when safe, else single-quoted. */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A systemd setting's value (not an Exec line): only `%` specifiers need escaping. */
const systemdValue = (v: string): string => v.replace(/%/g, '%%');

/** A crontab command: `%` means newline to cron unless escaped. */
const cronEscape = (command: string): string => command.replace(/%/g, '\\%');

// ---------------------------------------------------------------------------------------------
// Calendar expressions

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const pad2 = (n: number): string => String(n).padStart(2, '0');

/** The set indices of a croner field array. */
const setIndices = (field: readonly number[]): number[] => field.flatMap((v, i) => (v ? [i] : []));

/** `*`, `a/step` (reaching the end), or a comma list; values are shown by `show`. */
function compress(values: readonly number[], size: number, show: (n: number) => string): string {
  if (values.length === size) return '*';
  if (values.length >= 2) {
    const step = values[1]! - values[0]!;
    const regular = values.every((v, i) => v === values[0]! + i * step);
    if (regular && values[values.length - 1]! + step >= size) return `${show(values[0]!)}/${step}`;
  }
  return values.map(show).join(',');
}

/**
 * systemd OnCalendar= lines for a trigger (several lines are a union), or an OnUnitActiveSec= interval
 * in seconds when `every` is no calendar step. Throws for a cron feature systemd cannot express.
 */
export function systemdCalendar(trigger: Trigger, zone: string): { readonly calendar: readonly string[] } | { readonly intervalSec: number } {
  if ('every' in trigger) {
    const s = trigger.every / 1000;
    if (Number.isInteger(s)) {
      if (s < 60 && 60 % s === 0) return { calendar: [`*-*-* *:*:00/${s} ${zone}`] };
      if (s % 60 === 0 && s < 3600 && 60 % (s / 60) === 0) return { calendar: [`*-*-* *:00/${s / 60}:00 ${zone}`] };
      if (s % 3600 === 0 && s < 86_400 && 24 % (s / 3600) === 0) return { calendar: [`*-*-* 00/${s / 3600}:00:00 ${zone}`] };
      if (s === 86_400) return { calendar: [`*-*-* 00:00:00 ${zone}`] };
      if (s === 7 * 86_400) return { calendar: [`Mon *-*-* 00:00:00 ${zone}`] };
    }
    return { intervalSec: Math.round(s) };
  }
  const p = new CronPattern(trigger.cron, zone);
  const any = new CronPattern('* * * * *').dayOfWeek[0];
  if (p.lastDayOfMonth || p.lastWeekday || p.nearestWeekdays.some(Boolean) || p.dayOfWeek.some((v) => v !== 0 && v !== any)) {
    throw new Error(
      `--cron "${trigger.cron}" uses L, W or # which systemd's OnCalendar cannot express: write OnCalendar= by hand (man systemd.time) or use --print-cron`,
    );
  }
  const time = `${compress(setIndices(p.hour), 24, pad2)}:${compress(setIndices(p.minute), 60, pad2)}:${compress(setIndices(p.second), 60, pad2)}`;
  const years = p.starYear ? '*' : setIndices(p.year).join(',');
  const monthsField =
    setIndices(p.month).length === 12
      ? '*'
      : setIndices(p.month)
          .map((m) => pad2(m + 1))
          .join(',');
  const daysField =
    setIndices(p.day).length === 31
      ? '*'
      : setIndices(p.day)
          .map((d) => pad2(d + 1))
          .join(',');
  const weekdays = setIndices(p.dayOfWeek)
    .map((d) => DAY_NAMES[d]!)
    .join(',');
  // Whether a field is restricted is whether it was written as `*`, as croner and cron decide it: with
  // both given, `0 3 1 * 0-6` runs on the 1st OR any weekday, i.e. daily.
  const dowRestricted = !p.starDOW;
  const domRestricted = !p.starDOM;
  const date = (days: string): string => `${years}-${monthsField}-${days}`;
  // Cron runs when EITHER the day of month OR the weekday matches (when both are given); systemd ANDs them, so: two lines.
  if (domRestricted && dowRestricted) return { calendar: [`${weekdays} ${date('*')} ${time} ${zone}`, `${date(daysField)} ${time} ${zone}`] };
  if (dowRestricted) return { calendar: [`${weekdays} ${date('*')} ${time} ${zone}`] };
  return { calendar: [`${date(daysField)} ${time} ${zone}`] };
}

/** A 5-field crontab expression for a trigger; throws naming the fix when there is none. */
export function cronExpression(trigger: Trigger): string {
  if ('cron' in trigger) {
    timetable(trigger, 'UTC'); // croner's own check first: a bad expression is refused, never printed
    // Day and month names (MON, JUL) aside, a letter L or W, a # or a ? are croner extensions.
    if (/[LW#?]/i.test(trigger.cron.replace(/[A-Za-z]{3,}/g, 'N'))) {
      throw new Error(`--cron "${trigger.cron}" uses L, W, # or ? which cron daemons do not know: use --print-systemd, or write the crontab line by hand`);
    }
    const fields = trigger.cron.trim().split(/\s+/);
    if (fields.length === 5 || (fields.length === 1 && fields[0]!.startsWith('@'))) return fields.join(' ');
    if (fields.length === 6 && fields[0] === '0') return fields.slice(1).join(' ');
    throw new Error(
      `--cron "${trigger.cron}" has a seconds or year field, which cron does not have: use 5 fields (minute hour day-of-month month day-of-week) or --print-systemd`,
    );
  }
  const s = trigger.every / 1000;
  const m = s / 60;
  const h = s / 3600;
  if (Number.isInteger(m) && m >= 1 && m < 60 && 60 % m === 0) return m === 1 ? '* * * * *' : `*/${m} * * * *`;
  if (Number.isInteger(h) && h >= 1 && h < 24 && 24 % h === 0) return h === 1 ? '0 * * * *' : `0 */${h} * * *`;
  if (s === 86_400) return '0 0 * * *';
  if (s === 7 * 86_400) return '0 0 * * 1';
  throw new Error(
    `--every ${formatDuration(trigger.every)} cannot be written as a crontab line (cron has minute steps that divide an hour and hour steps that divide a day): use --cron "EXPR" (e.g. --cron "*/10 * * * *") or --print-systemd`,
  );
}

// ---------------------------------------------------------------------------------------------
// Printers

const describeTrigger = (t: Trigger, zone: string): string => ('every' in t ? `every ${formatDuration(t.every)}` : `cron "${t.cron}" in ${zone}`);

/** A `collect-bundle.service` + `collect-bundle.timer` pair with install instructions as comments. */
export function printSystemd(o: SystemSchedulerOptions): string {
  const cal = systemdCalendar(o.trigger, o.timezone);
  // `${NAME}` (braces) is one argument however many words the value has: systemd.service, "Command lines".
  const exec = (args: readonly PrintedArg[]): string =>
    [...o.program, ...args].map((a) => (typeof a === 'string' ? systemdQuote(a) : `\${${a.env}}`)).join(' ');
  const lines = [
    `# collect-bundle: a systemd service + timer for ${describeTrigger(o.trigger, o.timezone)} (times in ${o.timezone}).`,
    '# Install as root:',
    '#   1. save the [collect-bundle.service] part as /etc/systemd/system/collect-bundle.service',
    '#      and the [collect-bundle.timer] part as /etc/systemd/system/collect-bundle.timer',
    '#   2. systemctl daemon-reload && systemctl enable --now collect-bundle.timer',
    '#   3. systemctl list-timers collect-bundle.timer     (next run)',
    '#      journalctl -u collect-bundle.service           (what each run printed)',
    '# Each run is a plain `collect-bundle collect`: no lock and no disk check of `schedule`.',
    o.pruneArgs
      ? '# Retention: ExecStartPost= prunes with the same policy after each run (schedule --prune-only).'
      : '# Retention: none. A plain collect deletes nothing; add --keep/--max-age/--max-total-size to get an ExecStartPost= that prunes.',
    '# Redaction tags stay stable per user: the service uses the key in its own HOME (~/.config/collect-bundle/redaction.key);',
    '# set User= to the user whose key you want, or pass --redaction-key-file.',
    '',
    '# ----- collect-bundle.service -----',
    '[Unit]',
    'Description=collect-bundle diagnostics snapshot',
    'Wants=network-online.target',
    'After=network-online.target docker.service',
    '',
    '[Service]',
    'Type=oneshot',
    ...(o.cwd ? [`WorkingDirectory=${systemdValue(o.cwd)}`] : []),
    ...Object.entries(o.env ?? {}).map(([k, v]) => `Environment=${systemdQuote(`${k}=${v}`)}`),
    ...(o.envFile
      ? [
          `# Secrets are not written here: ${o.secretNames?.join(', ') ?? 'they'} come from this file (mode 0600, written by --print-systemd); keep it only root can read.`,
          `EnvironmentFile=${systemdValue(o.envFile)}`,
        ]
      : []),
    `ExecStart=${exec(o.collectArgs)}`,
    ...(o.pruneArgs ? [`ExecStartPost=${exec(o.pruneArgs)}`] : []),
    '# exit 3: bundle written but partial (a collector failed); still a run that happened',
    'SuccessExitStatus=3',
    'Nice=10',
    'IOSchedulingClass=idle',
    '',
    '# ----- collect-bundle.timer -----',
    '[Unit]',
    `Description=collect-bundle ${describeTrigger(o.trigger, o.timezone)}`,
    '',
    '[Timer]',
    ...('calendar' in cal
      ? [...cal.calendar.map((c) => `OnCalendar=${c}`), 'Persistent=true', 'AccuracySec=1s']
      : [
          `# ${cal.intervalSec}s is no calendar step, so the timer counts from the last run (Persistent= does not apply).`,
          'OnActiveSec=0',
          `OnUnitActiveSec=${cal.intervalSec}s`,
          'AccuracySec=1s',
        ]),
    'Unit=collect-bundle.service',
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ];
  return lines.join('\n');
}

/** A crontab line (with comments) for the same schedule and options. */
export function printCron(o: SystemSchedulerOptions): string {
  const expr = cronExpression(o.trigger);
  const command = (args: readonly PrintedArg[]): string =>
    [...o.program, ...args].map((a) => (typeof a === 'string' ? shellQuote(a) : `"$${a.env}"`)).join(' ');
  const env = Object.entries(o.env ?? {})
    .map(([k, v]) => `${k}=${shellQuote(v)} `)
    .join('');
  // The environment applies to each command of the line, so it is repeated for the prune.
  // `set -a` exports what the file assigns, so the commands (not only the shell) see the variables.
  const source = o.envFile ? `set -a && . ${shellQuote(o.envFile)} && set +a && ` : '';
  const body = `${o.cwd ? `cd ${shellQuote(o.cwd)} && ` : ''}${source}${env}${command(o.collectArgs)}${o.pruneArgs ? `; ${env}${command(o.pruneArgs)}` : ''}`;
  const zoneDiffers = 'cron' in o.trigger && o.timezone !== o.localZone;
  return [
    `# collect-bundle: ${describeTrigger(o.trigger, o.timezone)}. Add with \`crontab -e\` (or save in /etc/cron.d/collect-bundle with a user field after the 5 time fields).`,
    `# cron reads the times in ${zoneDiffers ? o.timezone : `the system's zone (${o.localZone})`}${zoneDiffers ? ` through CRON_TZ (cronie, systemd-cron); a cron without CRON_TZ (Debian's) reads them in ${o.localZone}: convert the times or use --print-systemd` : ''}.`,
    o.pruneArgs
      ? '# Retention: the second command prunes with the same policy after each run (schedule --prune-only).'
      : '# Retention: none. A plain collect deletes nothing; add --keep/--max-age/--max-total-size to get a second command that prunes.',
    '# cron mails what the command prints; add --quiet to the options to hear only about errors.',
    ...(o.envFile
      ? [
          `# Secrets are not written here: ${o.secretNames?.join(', ') ?? 'they'} come from ${o.envFile} (mode 0600, written by --print-cron), which the line sources.`,
        ]
      : []),
    ...(zoneDiffers ? [`CRON_TZ=${o.timezone}`] : []),
    `${expr} ${cronEscape(body)}`,
    '',
  ].join('\n');
}
