/**
 * Stream framing, tested from outside the engine: `Redactor.stream` gives the same output bytes and the
 * same (rule, line) events whatever the chunking (1-byte chunks, a CRLF or a UTF-8 character cut in two,
 * lines longer than the window), and agrees with `Redactor.text` on the same input; each event's line is
 * the input line where the secret was planted. Failures it found are kept as named cases; the known
 * limits on lines longer than a window as `it.fails`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LiteralSet } from '../../redaction/literals.js';
import type { Redactor, RedactorOptions } from '../../redaction/redactor.js';
import { makeRedactor, redactBytes, smallWindows } from '../redaction/support.js';

/** Known secrets a collector declares before the run (a LiteralSet filled before the first byte). */
const DECLARED = ['Hq84-mZ2vXcR7tLp', 'cache+Key/9wQ==', 'sk_live_Vb71Gh2Ux9Pq'];

type Event = readonly [rule: string, line: number];
interface Result {
  readonly out: string;
  readonly events: Event[];
}

/** How a pass is set up: the 256/64 windows of smallWindows unless `small` is false, DECLARED known unless given. */
interface Setup {
  readonly small?: boolean;
  readonly declared?: readonly string[];
}

/** A fresh redactor per pass: learned literals must not carry from one pass into the next. */
function fresh({ small = true, declared = DECLARED }: Setup): { redactor: Redactor; events: Event[] } {
  const events: Event[] = [];
  const literals = new LiteralSet();
  for (const v of declared) literals.add(v);
  const options: Partial<RedactorOptions> = { literals, onRedaction: (e) => events.push([e.rule, e.line]) };
  return { redactor: small ? smallWindows(options) : makeRedactor(options), events };
}

function viaText(input: string, setup: Setup = {}): Result {
  const { redactor, events } = fresh(setup);
  return { out: redactor.text(input, 'test.log'), events };
}

async function viaStream(input: string, sizes: readonly number[], setup: Setup = {}): Promise<Result> {
  const { redactor, events } = fresh(setup);
  return { out: (await redactBytes(redactor, input, sizes)).toString('utf8'), events };
}

/** Chunk sizes that cut `bytes` exactly at `cuts` (byte offsets), then one chunk for the rest. */
function cutAt(bytes: Buffer, cuts: readonly number[]): number[] {
  const sorted = [...new Set(cuts)].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b);
  const sizes = sorted.map((c, i) => c - (sorted[i - 1] ?? 0));
  return [...sizes, bytes.length];
}

/** Named chunkings for one input: the uniform ones plus a cut inside every CRLF and every UTF-8 character. */
function chunkings(input: string): [string, number[]][] {
  const bytes = Buffer.from(input, 'utf8');
  const crlf: number[] = [];
  const mid: number[] = [];
  for (let i = 1; i < bytes.length; i++) {
    if (bytes[i - 1] === 0x0d && bytes[i] === 0x0a) crlf.push(i);
    if (((bytes[i] ?? 0) & 0xc0) === 0x80) mid.push(i);
  }
  const out: [string, number[]][] = [
    ['one chunk', [bytes.length]],
    ['1-byte', [1]],
    ['2-byte', [2]],
    ['3-byte', [3]],
    ['7-byte', [7]],
    ['64-byte', [64]],
    ['255+1', [255, 1]],
    ['fibonacci', [1, 2, 3, 5, 8, 13, 21, 34]],
  ];
  if (crlf.length > 0) out.push(['cut inside every CRLF', cutAt(bytes, crlf)]);
  if (mid.length > 0) out.push(['cut inside every UTF-8 character', cutAt(bytes, mid)]);
  return out;
}

/** Asserts the promise for one input: every chunking gives text()'s output and events. */
async function expectFramingFree(input: string, setup: Setup = {}): Promise<Result> {
  const want = viaText(input, setup);
  for (const [name, sizes] of chunkings(input)) {
    const got = await viaStream(input, sizes, setup);
    expect({ chunking: name, ...got }).toEqual({ chunking: name, ...want });
  }
  return want;
}

/** A document with planted secrets: its lines, and for each secret the 1-based line that holds it. */
interface Doc {
  readonly text: string;
  readonly planted: readonly { readonly value: string; readonly line: number; readonly event: boolean }[];
}

/**
 * Builds a Doc from lines where `{{value}}` marks a secret whose event belongs on that line and
 * `[[value]]` one that must go but is reported on an earlier line (a private key's later body lines).
 */
function doc(lines: readonly string[], eol: string | readonly string[] = '\n', finalEol = true): Doc {
  const planted: { value: string; line: number; event: boolean }[] = [];
  const clean = lines.map((l, i) =>
    l.replace(/\{\{(.+?)\}\}|\[\[(.+?)\]\]/g, (_m, a: string | undefined, b: string | undefined) => {
      planted.push({ value: a ?? b ?? '', line: i + 1, event: a !== undefined });
      return a ?? b ?? '';
    }),
  );
  const eols = typeof eol === 'string' ? [eol] : eol;
  const end = (i: number): string => (i < clean.length - 1 || finalEol ? (eols[i % eols.length] ?? '\n') : '');
  return { text: clean.map((l, i) => l + end(i)).join(''), planted };
}

/** Every secret gone, and the events sit exactly on the planted lines (none on a harmless line). */
function expectPlanted(d: Doc, r: Result): void {
  for (const p of d.planted) expect(r.out, `secret of line ${p.line} left`).not.toContain(p.value);
  const lines = new Set(d.planted.filter((p) => p.event).map((p) => p.line));
  expect(new Set(r.events.map(([, line]) => line))).toEqual(lines);
}

const LOG = [
  '2026-12-07T09:14:02.118Z INFO  web.1 GET https://api.example.com/v2/tasks?page=3 200 41ms',
  '2026-12-07T09:14:02.301Z DEBUG web.1 refreshing the token cache for tenant acme (3 tasks queued)',
  '2026-12-07T09:14:03.004Z ERROR web.1 could not connect: postgres://app:{{Zq8vR2mK7pL4xN9w}}@db.internal:5432/app',
  '2026-12-07T09:14:03.005Z INFO  web.1 | worker | state | tasks |',
  '2026-12-07T09:14:03.006Z INFO  web.1 | w1     | idle  | 0     |',
  '',
  '2026-12-07T09:14:04.000Z WARN  web.1 login retried with password={{Pw9xT4qL2zR8mV}} for user app',
  '2026-12-07T09:14:04.100Z INFO  web.1 cache warmed with key {{Hq84-mZ2vXcR7tLp}} in 3 ms',
  '2026-12-07T09:14:05.000Z INFO  web.1 see https://docs.example.com/tokens#rotation for how a token is rotated',
];

const SETTINGS = [
  '# manage.py diffsettings',
  'DEBUG = False',
  "ALLOWED_HOSTS = ['app.example.com', 'localhost']",
  "SECRET_KEY = '{{django-insecure-7fk2x9qv0m3zQ8}}'",
  'DATABASE_URL=postgres://app:{{Rt5uWq8zK1xM}}@db:5432/app',
  "CELERY_BROKER_URL = 'redis://redis:6379/0'",
  "DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql',",
  "             'NAME': 'app',",
  "             'PASSWORD':",
  "                 '{{Yc6nT1wQ8zLr4Vk}}',",
  "             'HOST': 'db'}}",
  "STRIPE_KEY = '{{sk_live_Vb71Gh2Ux9Pq}}'",
];

const INSPECT = [
  '[',
  '    {',
  '        "Id": "4f0c2a9be13d7c55a1f0e2d3c4b5a6978899aabbccddeeff0011223344556677",',
  '        "Config": {',
  '            "Env": [',
  '                "PATH=/usr/local/bin:/usr/bin",',
  '                "DJANGO_SETTINGS_MODULE=app.settings",',
  '                "POSTGRES_PASSWORD={{Vn3qL8xR2wK7tZ5p}}",',
  '                "TASKS_URL=https://tasks.example.com/queue"',
  '            ],',
  '            "Cmd": [',
  '                "gunicorn",',
  '                "--password",',
  '                "{{Jk2mW9xQ4vR7tL}}",',
  '                "--workers",',
  '                "3"',
  '            ],',
  '            "Labels": { "com.example.tasks": "nightly" }',
  '        }',
  '    }',
  ']',
];

const HISTORY = [
  '  501  docker compose ps',
  '  502  export AWS_SECRET_ACCESS_KEY={{wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY}}',
  '  503  git log --oneline | head',
  '  504  psql "postgresql://app@db/app" -c "select count(*) from tasks"',
  '  505  echo "the token expires in 3600 s"',
  '  506  export DB_PASSWORD={{Tz8kW3qR6vLm}}',
];

const PEM = [
  '==> /etc/ssl/private/app.key <==',
  '-----BEGIN PRIVATE KEY-----',
  '{{MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7}}',
  '[[Vb4rP8mZ2xQk7tLw9nJc3yHd6gFs1aRe0uTo5iYp+qWlEzXvBbNm]]',
  '[[q2Lm8Rt0Zx==]]',
  '-----END PRIVATE KEY-----',
  '==> /etc/ssl/certs/app.crt <==',
  'issuer: CN=Example CA, tasks: none',
];

const UTF8 = [
  'Benutzer „Jörg“ hat das Passwort geändert ✓ 🚀',
  'jörg@host:~$ export API_TOKEN={{Lm3Q8xR2wK7nJv}}  # größer 日本語 🔑',
  '日本語のログ: token の有効期限は 3600 秒です',
  'naïve café password={{Gh5Tk2Lp9Zq4}} ñ',
];

/** A JSON log line far longer than the 256-character window, secrets at several offsets. */
const LONG = [
  'start',
  `{"level":"info","msg":"${'x'.repeat(230)}","password":"{{Ab3dEf6hIj9kLm2n}}","pad":"${'y'.repeat(180)}","api_key":"{{Qr5sTu8vWx1yZa4b}}","tail":"${'z'.repeat(400)}"}`,
  'end',
];

const DOCS: Record<string, Doc> = {
  'app log': doc(LOG),
  'app log, CRLF': doc(LOG, '\r\n'),
  'app log, last line without newline': doc(LOG, '\n', false),
  'app log, CRLF, last line without newline': doc(LOG, '\r\n', false),
  'settings with a Python dict over lines': doc(SETTINGS),
  'docker inspect JSON with a --password argv': doc(INSPECT),
  'shell history': doc(HISTORY),
  'private key block': doc(PEM),
  'private key block, CRLF': doc(PEM, '\r\n'),
  'UTF-8 text around secrets': doc(UTF8),
  'UTF-8 text, CRLF, no final newline': doc(UTF8, '\r\n', false),
  'line longer than the window': doc(LONG),
  'empty lines only around one secret': doc(['', '', 'token={{Kk7Lm2Np9Qr4}}', '', ''], '\r\n'),
  'everything at once': doc([...LOG, ...SETTINGS, ...INSPECT, ...HISTORY, ...PEM, ...UTF8, ...LONG]),
};

describe('stream framing: same output and events for any chunking, equal to text()', () => {
  for (const [name, d] of Object.entries(DOCS)) {
    it(name, async () => {
      const r = await expectFramingFree(d.text);
      expectPlanted(d, r);
    });
  }
});

/** Harmless lines full of keywords that are not secrets, mixed between the secret lines. */
const HARMLESS = [
  'GET https://api.example.com/v2/tasks?page=3 200 41ms',
  'the token refresh ran; 3 tasks left, next token check in 60 s',
  '| key | value | tasks |',
  '|-----|-------|-------|',
  '',
  'Passwort geändert für „Jörg“ ✓ 日本語 🚀',
  `INFO ${'lorem ipsum dolor tasks token '.repeat(12)}`,
  'see https://docs.example.com/secrets#rotation',
];

/** Line kinds that hold one secret `s` (marked as for doc()); `seen` holds the values learned on earlier lines. */
const KINDS: readonly ((s: string, n: number, seen: readonly string[]) => string[])[] = [
  (s) => [`2026-12-07T09:14:04Z WARN login retried with password={{${s}}} for user app`],
  (s) => [`DATABASE_URL=postgres://app:{{${s}}}@db.internal:5432/app`],
  (s) => [`                "POSTGRES_PASSWORD={{${s}}}",`],
  (s) => ['                "--password",', `                "{{${s}}}",`],
  (s) => ["             'PASSWORD':", `                 '{{${s}}}',`],
  (s) => [`export API_TOKEN={{${s}}}  # größer 🔑`],
  (s) => ['-----BEGIN RSA PRIVATE KEY-----', `{{MIIEow${s}AKCAQEAvbX0}}`, `[[${s}Qk7tLw9nJc3yHd6gFs1aRe0uTo5iYp]]`, '-----END RSA PRIVATE KEY-----'],
  (_s, n) => [`cache warmed with key {{${DECLARED[n % DECLARED.length]}}} in 3 ms`],
  (s, n) => [`{"level":"info","msg":"${'m'.repeat(n * 7)}","password":"{{${s}}}","tail":"${'t'.repeat(300)}"}`],
  (_s, n, seen) => (seen.length > 0 ? [`psql: retrying with {{${seen[n % seen.length]}}} as the password`] : ['psql: no retry']),
  (_s, n) => [`${'v'.repeat(n * 6)} key {{${DECLARED[n % DECLARED.length]}}} ${'u'.repeat(n * 2)}`],
  (s) => ['a\rb\r', `token: {{${s}}}\r`],
  (s) => ['', '', `"--token", "{{${s}}}"`, ''],
  (s) => [`mysql://root:{{${s}}}@db:3306/app?charset=utf8mb4 — größe 🚀`],
];
/** The kinds whose value the redactor learns, so that a later `seen` line must be redacted too. */
const LEARNED_KINDS = new Set([0, 1, 2, 3, 4, 5]);

const ALNUM = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
const secretArb = fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 8, maxLength: 20 });

/** A document of random line kinds with distinct random secrets, some seen again on later lines. */
const docArb = fc
  .record({
    lines: fc.array(
      fc.oneof(
        fc.record({ harmless: fc.constantFrom(...HARMLESS) }),
        fc.record({ kind: fc.integer({ min: 0, max: KINDS.length - 1 }), secret: secretArb, n: fc.nat(60) }),
      ),
      { minLength: 1, maxLength: 14 },
    ),
    eols: fc.array(fc.constantFrom('\n', '\r\n'), { minLength: 1, maxLength: 3 }),
    finalEol: fc.boolean(),
  })
  .map(({ lines, eols, finalEol }) => {
    const seen: string[] = [];
    const out = lines.flatMap((l, i) => {
      if ('harmless' in l) return [l.harmless];
      const s = `K9${l.secret}x${i}`;
      const kind = KINDS[l.kind]?.(s, l.n, seen) ?? [];
      if (LEARNED_KINDS.has(l.kind)) seen.push(s);
      return kind;
    });
    return doc(out, eols, finalEol);
  });

describe('stream framing: big lines, bytes that are not UTF-8, empty chunks', () => {
  it("a 190 KB JSON line under the default 64 Ki window gives text()'s output in 1000, 7919, 64 Ki and 64 Ki-1 byte chunks", async () => {
    const fields = Array.from({ length: 40 }, (_, i) => `"k${i}":"${'z'.repeat(4000 + i * 37)}","password":"{{K9sec${i}abcDEF}}"`);
    const d = doc(['start', `{${fields.join(',')}}`, 'end password={{K9lastOne77}}']);
    const want = viaText(d.text, { small: false });
    for (const sizes of [[1000], [7919], [65536], [65535, 2]]) expect(await viaStream(d.text, sizes, { small: false })).toEqual(want);
    expectPlanted(d, want);
  });

  const raw = Buffer.concat([
    Buffer.from('caf\xe9 password=K9abcDEF234x na\xefve\r\n\xff\xfe token=Zz9yxwvuQ8 \xe2\x82\n\xf0\x9f\x9a\n', 'latin1'),
    Buffer.from(`${'x'.repeat(250)}\u20ac`, 'utf8'),
    Buffer.from(' \xe2\x82 api_key=Qq7wErTy12 \xc3', 'latin1'),
  ]);
  const rawRun = async (sizes: readonly number[]): Promise<{ out: string; events: Event[] }> => {
    const { redactor, events } = fresh({});
    return { out: (await redactBytes(redactor, raw, sizes)).toString('latin1'), events };
  };

  it('bytes that are not UTF-8 (latin1, cut sequences) come out the same in every chunking, kept byte for byte', async () => {
    const want = await rawRun([raw.length]);
    expect(want.events).toEqual([
      ['secret-key-value', 1],
      ['secret-key-value', 2],
      ['secret-key-value', 4],
    ]);
    expect(want.out).toContain('caf\xe9 password=[REDACTED:');
    expect(want.out).toContain('\xff\xfe token=[REDACTED:');
    expect(want.out.endsWith(' \xc3')).toBe(true);
    for (const sizes of [[1], [2], [3], [5], [7], [64], [255, 1]]) expect(await rawRun(sizes)).toEqual(want);
  });

  it('empty chunks between the bytes change nothing', async () => {
    const d = DOCS['everything at once'];
    if (!d) throw new Error('no such doc');
    const bytes = Buffer.from(d.text, 'utf8');
    async function* source(): AsyncGenerator<Buffer> {
      for (let at = 0; at < bytes.length; at += 13) {
        yield Buffer.alloc(0);
        yield bytes.subarray(at, at + 13);
      }
      yield Buffer.alloc(0);
    }
    const { redactor, events } = fresh({});
    const out: Buffer[] = [];
    for await (const b of redactor.stream('test.log')(source())) out.push(b);
    expect({ out: Buffer.concat(out).toString('utf8'), events }).toEqual(viaText(d.text));
  });
});

describe('stream framing, property: random mixes of line kinds in random chunkings', () => {
  it('stream equals text() for random chunk sizes and 1-byte chunks, events on the planted lines', async () => {
    await fc.assert(
      fc.asyncProperty(docArb, fc.array(fc.integer({ min: 1, max: 48 }), { minLength: 1, maxLength: 6 }), async (d, sizes) => {
        const want = viaText(d.text);
        expect(await viaStream(d.text, sizes)).toEqual(want);
        expect(await viaStream(d.text, [1])).toEqual(want);
        expectPlanted(d, want);
      }),
      { seed: 20261207, numRuns: 150 },
    );
  });
});

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

type Case = { readonly name: string; readonly doc: Doc; readonly setup?: Setup };

/**
 * Failures this file found, each as its smallest input, fixed since: a value learned on a line missed on
 * the next line of the same chunk when the run began with no known secret, and values on the line after
 * their key (text() and the stream alike).
 */
const FOUND_AND_FIXED: readonly Case[] = [
  {
    // One chunk (and text()): line 2 left in clear. 1-byte chunks: line 2 redacted as known-secret.
    name: 'a value learned on line 1 is found on line 2 only when line 2 comes in a later chunk (run with no declared secrets)',
    doc: doc(['password={{Ab1cdefg}}', '{{Ab1cdefg}}']),
    setup: { declared: [] },
  },
  {
    name: 'settings: `password =` with the value on the next line',
    doc: doc(['password =', '{{K9abcDEF234x}}']),
  },
  {
    name: 'YAML: `password:` with the value indented on the next line',
    doc: doc(['db:', '  password:', '    {{K9abcDEF234x}}']),
  },
  {
    name: 'shell: `export DB_PASSWORD=\\` continued on the next line',
    doc: doc(['export DB_PASSWORD=\\', '  {{K9abcDEF234x}}']),
  },
  {
    name: "Python: `'PASSWORD': (` with the value on the next line",
    doc: doc(["DATABASES = {'default': {'PASSWORD': (", "    '{{K9abcDEF234x}}'", ')}}']),
  },
  { name: 'docker inspect, compact: `"Args": ["--password",` with the value on the next line', doc: doc(['"Args": ["--password",', '  "{{K9abcDEF234x}}"]']) },
  { name: "Python list over lines: `'--password',` then the value", doc: doc(["['gunicorn',", " '--password',", " '{{K9abcDEF234x}}']"]) },
  { name: 'shell: `--password \\` continued on the next line', doc: doc(['mysqldump --password \\', '  {{K9abcDEF234x}} app']) },
];

/**
 * Known limits of the stream on lines longer than windowChars + overlapChars (64 Ki + 8 Ki by default;
 * 256 + 64 here): the stream has passed a window when a later part of the line changes what the earlier
 * part means, which text() (the whole line at once) does not. In a bundle the writer's late pass catches
 * a value learned late; the rest is documented in docs/redaction.md. `it.fails`: when one is fixed, the
 * case starts to fail and moves up to the passing table.
 */
const KNOWN_LIMITS: readonly Case[] = [
  {
    // text() redacts the first copy as known-secret; the stream (any chunking) has passed that window already.
    name: 'on a line longer than the window, a value learned late on the line is left earlier on it by the stream',
    doc: doc([`${'x'.repeat(244)}{{Ab1cdefg}} ${'y'.repeat(50)} password={{Ab1cdefg}}`]),
  },
  {
    // text() takes the whole token; the stream (any chunking) a part of it, and leaves "adQssw5c" in clear.
    name: 'a bearer token longer than overlapChars across a window cut is redacted only in part by the stream',
    doc: doc([`${'x'.repeat(150)} Authorization: Bearer {{${JWT}}} ${'y'.repeat(300)}`]),
  },
  {
    // text(): private-key-escaped over the whole body; stream: high-entropy-secret on the first body line only.
    name: 'a JSON-escaped private key across a window cut keeps its second body line in the stream',
    doc: doc([
      `{"k":"${'x'.repeat(150)}","pem":"-----BEGIN RSA PRIVATE KEY-----\\n{{MIIEowIBAAKCAQEAvbX0abcdefABCDEF0123456789abcdefABCDEF0123456789abcdef}}\\n[[qwertyuiopASDFGHJKL0987654321zxcvbnm]]\\n-----END RSA PRIVATE KEY-----\\n","t":"${'y'.repeat(300)}"}`,
    ]),
  },
  {
    // A line longer than windowChars + overlapChars (321 here) that ends in a BEGIN line: text() redacts the
    // key body, the stream (any chunking) passes the whole private key through. 320 characters: redacted.
    name: 'a private key whose BEGIN line is longer than window + overlap passes the stream unredacted',
    doc: doc([`${'x'.repeat(293)} -----BEGIN PRIVATE KEY-----`, '{{MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7}}', '-----END PRIVATE KEY-----']),
  },
  {
    // Same limit for a key whose value is on the next line: text() redacts it, the stream leaves it.
    name: "a `'PASSWORD':` key ending a line longer than window + overlap loses its next-line value in the stream",
    doc: doc([`${'x'.repeat(309)} 'PASSWORD':`, "'{{K9abcDEF234x}}'"]),
  },
];

describe('stream framing, failures found and fixed', () => {
  for (const { name, doc: d, setup } of FOUND_AND_FIXED) {
    it(name, async () => {
      const r = await expectFramingFree(d.text, setup);
      expectPlanted(d, r);
    });
  }
});

describe('stream framing, known limits on lines longer than a window (it.fails until fixed)', () => {
  for (const { name, doc: d, setup } of KNOWN_LIMITS) {
    it.fails(name, async () => {
      const r = await expectFramingFree(d.text, setup);
      expectPlanted(d, r);
    });
  }
});
