/**
 * The docker collector's pure parts: secrets in command lines and environments (through the real
 * redactor), container selection and patterns, stats figures, and the option parsers.
 */
import { describe, expect, it } from 'vitest';
import { decide, globToRegExp, markSecret, matchesPatterns, parsePatterns, statsSummary } from '../../collectors/docker-containers.js';
import { Redactor } from '../../redaction/redactor.js';
import { RedactionReport } from '../../redaction/report.js';
import { redactArgv, redactCommandLine, redactInspectStructure, shellWords } from '../../redaction/structure.js';
import type { ContainerInspect, ContainerSummary } from '../../src/core/types.js';
import { parseDuration, parseSince, parseSize } from '../../src/core/units.js';

/** What the bundle would hold for an inspect document: structure pass, pretty JSON, line redactor. */
function stored(doc: object): string {
  const redactor = new Redactor({ key: Buffer.alloc(32, 7), report: new RedactionReport() });
  return redactor.text(JSON.stringify(redactInspectStructure(doc, markSecret), null, 2), 'inspect.json');
}

describe('secrets in docker inspect never reach the bundle', () => {
  const SECRETS = ['s3cr3t-Pw1', 'K3y-abc123', 'my secret pw', 'Hunter2-x', 'tok en"q', 'q9-glued', 'Zz81;x&y', 'heal7h-pw'];
  const doc = {
    Path: 'mysqld',
    Args: ['--user', 'me', '--password', 's3cr3t-Pw1', '--api-key=K3y-abc123', '--port', '3306'],
    Config: {
      Env: ['DB_PASSWORD=my secret pw', 'PATH=/usr/bin', 'TOKEN_EXPIRY=3600', 'API_TOKEN=Zz81;x&y'],
      Entrypoint: ['/entry.sh', '--secret'],
      Cmd: ['q9-glued', 'sh', '-c', 'mysql -uroot -pHunter2-x db; run --token "tok en\\"q"'],
      Healthcheck: { Test: ['CMD', 'mysqladmin', 'ping', '--password=heal7h-pw'] },
      Labels: { api_token: 'not-in-argv', team: 'core' },
    },
  };

  it('replaces each one, in argv, env, shell strings and health checks', () => {
    const text = stored(doc);
    for (const s of SECRETS) expect(text, s).not.toContain(s);
    for (const s of ['not-in-argv']) expect(text).not.toContain(s);
    const parsed = JSON.parse(text);
    // What is not secret is left exactly as it was.
    expect(parsed.Args.slice(0, 3)).toEqual(['--user', 'me', '--password']);
    expect(parsed.Args.slice(-2)).toEqual(['--port', '3306']);
    expect(parsed.Config.Env).toContain('PATH=/usr/bin');
    expect(parsed.Config.Env).toContain('TOKEN_EXPIRY=3600');
    expect(parsed.Config.Labels.team).toBe('core');
    expect(parsed.Config.Cmd.slice(1, 3)).toEqual(['sh', '-c']);
    expect(parsed.Config.Cmd[3]).toMatch(/^mysql -uroot -p.*REDACTED.* db; run --token .*REDACTED/);
    expect(parsed.Config.Healthcheck.Test.slice(0, 3)).toEqual(['CMD', 'mysqladmin', 'ping']);
    // Every token is a real one (the redactor's), so the same secret has the same tag across files.
    expect(text).toMatch(/\[REDACTED:[a-z-]+:[0-9a-f]{8}\]/);
  });

  it('does not touch the input document', () => {
    const before = JSON.stringify(doc);
    stored(doc);
    expect(JSON.stringify(doc)).toBe(before);
  });
});

describe('redaction/structure', () => {
  const mark = (s: string, site: { key: string; form: string }) => `{${site.form}:${site.key}:${s}}`;

  it('finds flags with separate and joined values, and leaves references and flags without values', () => {
    expect(redactArgv(['app', '--db-password', 'x1', '--token=t2', '-secret', 's3', '--password', '--verbose', '--password', '$DB_PASSWORD'], mark)).toEqual([
      'app',
      '--db-password',
      '{flag-separate:db-password:x1}',
      '--token={flag-joined:token:t2}',
      '-secret',
      '{flag-separate:secret:s3}',
      '--password',
      '--verbose',
      '--password',
      '$DB_PASSWORD',
    ]);
  });

  it('treats -pVALUE as a password only for mysql-family programs', () => {
    expect(redactArgv(['mysql', '-pS3cr3t', '-p', 'dbname'], mark)).toEqual(['mysql', '-p{attached:password:S3cr3t}', '-p', 'dbname']);
    expect(redactArgv(['nc', '-p8080'], mark)).toEqual(['nc', '-p8080']);
    expect(redactArgv(['-pS3cr3t'], mark, { program: '/usr/bin/mysqldump' })).toEqual(['-p{attached:password:S3cr3t}']);
  });

  it('scans a whole shell command in one element, quotes and all, keeping the rest byte for byte', () => {
    const line = `export X=1; PASSWORD='a b' run --api-key "k 'y" && mysqldump -p"pw x" db | gzip`;
    expect(redactCommandLine(line, mark)).toBe(
      `export X=1; PASSWORD={assignment:PASSWORD:a b} run --api-key {flag-separate:api-key:k 'y} && mysqldump -p{attached:password:pw x} db | gzip`,
    );
    expect(shellWords(`a "b c" 'd'e\\ f`).map((w) => w.value)).toEqual(['a', 'b c', 'de f']);
  });
});

describe('markSecret: shapes the line rules replace whole', () => {
  it('keeps KEY=value as it is, wraps flag values, encodes values a bare-value rule would cut', () => {
    expect(markSecret('s3cr3t', { key: 'DB_PASSWORD', form: 'assignment' })).toBe('s3cr3t');
    expect(markSecret('s3cr3t', { key: 'db-password', form: 'flag-separate' })).toBe('<db_password=s3cr3t>');
    expect(markSecret('a b', { key: 'DB_PASSWORD', form: 'assignment' })).toBe(`b64:${Buffer.from('a b').toString('base64url')}`);
  });
});

const summary = (over: Partial<ContainerSummary> = {}): ContainerSummary => ({
  Id: `abc123def456${'0'.repeat(52)}`,
  Names: ['/web-1'],
  Image: 'img',
  Created: 0,
  State: 'exited',
  Status: 'Exited (0)',
  Labels: { tier: 'front', 'com.x/role': 'api' },
  ...over,
});

describe('--containers patterns', () => {
  it('matches name globs, id prefixes and labels; any pattern may match', () => {
    const s = summary();
    const m = (...p: string[]) => matchesPatterns(s, parsePatterns(p));
    expect(m('web-*')).toBe(true);
    expect(m('web-?')).toBe(true);
    expect(m('/web-1')).toBe(true);
    expect(m('db-*')).toBe(false);
    expect(m('abc123')).toBe(true);
    expect(m('label=tier')).toBe(true);
    expect(m('label=tier=front')).toBe(true);
    expect(m('label=tier=back')).toBe(false);
    expect(m('label=com.x/role=api')).toBe(true);
    expect(m('db-*', 'label=tier=front')).toBe(true);
    expect(matchesPatterns(s, [])).toBe(true);
  });

  it('treats glob metacharacters only as globs', () => {
    expect(globToRegExp('a.b*').test('a.bcd')).toBe(true);
    expect(globToRegExp('a.b*').test('axbcd')).toBe(false);
    expect(globToRegExp('w[0-9]').test('w7')).toBe(true);
    expect(globToRegExp('w[!0-9]').test('w7')).toBe(false);
  });

  it('refuses an empty label pattern', () => {
    expect(() => parsePatterns(['label='])).toThrow(/label=KEY/);
  });
});

describe('which containers are collected by default', () => {
  const now = new Date('2026-11-28T12:00:00Z');
  const since = new Date('2026-11-27T12:00:00Z');
  const doc = (state: Record<string, unknown>, created = '2026-01-01T00:00:00Z'): ContainerInspect => ({ Id: 'x', Name: '/x', Created: created, State: state });
  const d = (i: ContainerInspect, all = false) => decide(i, { since, sinceText: '24h', all, now });

  it('takes running, paused and restarting ones, and those that ended or were created within --since', () => {
    expect(d(doc({ Status: 'running', Running: true }))).toEqual({ collect: true });
    expect(d(doc({ Status: 'paused', Running: true, Paused: true }))).toEqual({ collect: true });
    expect(d(doc({ Status: 'restarting', Restarting: true }))).toEqual({ collect: true });
    expect(d(doc({ Status: 'exited', StartedAt: '2026-11-28T10:00:00Z', FinishedAt: '2026-11-28T11:00:00Z' }))).toEqual({ collect: true });
    expect(d(doc({ Status: 'created', StartedAt: '0001-01-01T00:00:00Z', FinishedAt: '0001-01-01T00:00:00Z' }, '2026-11-28T11:00:00Z'))).toEqual({
      collect: true,
    });
  });

  it('leaves out the rest, saying when they ended and how to include them', () => {
    const old = d(doc({ Status: 'exited', StartedAt: '2026-11-20T10:00:00Z', FinishedAt: '2026-11-25T12:00:00Z' }));
    expect(old).toEqual({
      collect: false,
      reason: 'exited 3d ago (2026-11-25T12:00:00Z), before --since 24h; use --all-containers or a longer --since to include it',
    });
    expect(d(doc({ Status: 'exited', FinishedAt: '2026-11-25T12:00:00Z' }), true)).toEqual({ collect: true });
  });
});

describe('statsSummary', () => {
  it('computes memory without page cache and CPU % from the previous sample, like docker stats', () => {
    const s = statsSummary({
      read: '2026-11-28T12:00:01Z',
      memory_stats: { usage: 120 * 2 ** 20, limit: 256 * 2 ** 20, stats: { total_inactive_file: 20 * 2 ** 20 } },
      cpu_stats: { cpu_usage: { total_usage: 3_000_000_000 }, system_cpu_usage: 20_000_000_000, online_cpus: 2 },
      precpu_stats: { cpu_usage: { total_usage: 2_500_000_000 }, system_cpu_usage: 18_000_000_000 },
      pids_stats: { current: 7, limit: 100 },
    });
    expect(s).toEqual({
      read: '2026-11-28T12:00:01Z',
      memory: { usageBytes: 100 * 2 ** 20, limitBytes: 256 * 2 ** 20, percent: 39.06 },
      cpu: { percent: 50, totalSeconds: 3, onlineCpus: 2 },
      pids: { current: 7, limit: 100 },
    });
  });

  it('leaves CPU % empty without a previous sample', () => {
    expect(statsSummary({ cpu_stats: { cpu_usage: { total_usage: 1e9 }, system_cpu_usage: 5e9, online_cpus: 1 }, precpu_stats: {} }).cpu).toEqual({
      percent: null,
      totalSeconds: 1,
      onlineCpus: 1,
    });
  });
});

describe('option values', () => {
  it('parses durations, points in time and sizes', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(() => parseDuration('10')).toThrow(/unit/);
    const now = new Date('2026-11-28T12:00:00Z');
    expect(parseSince('24h', now).toISOString()).toBe('2026-11-27T12:00:00.000Z');
    expect(parseSince('2026-11-28T10:00:00Z', now).toISOString()).toBe('2026-11-28T10:00:00.000Z');
    expect(() => parseSince('2027-01-01', now)).toThrow(/future/);
    expect(() => parseSince('yesterday', now)).toThrow(/neither a duration/);
    expect(parseSize('10MiB')).toBe(10 * 2 ** 20);
    expect(parseSize('10M')).toBe(10 * 2 ** 20);
    expect(parseSize('10MB')).toBe(10_000_000);
    expect(parseSize('512k')).toBe(512 * 1024);
    expect(parseSize('0')).toBe(0);
    expect(() => parseSize('ten')).toThrow(/not a size/);
  });
});
