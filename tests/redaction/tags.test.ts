/** Redaction tokens: shape, and the HMAC tag that links equal secrets within a run and nothing else. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TOKEN_PREFIX, newRedactionKey, redactionToken } from '../../redaction/tags.js';
import { KEY, KEY_VALUE, URL_PASSWORD, makeRedactor, redactString } from './support.js';

describe('redactionToken', () => {
  it('has the shape [REDACTED:<rule-id>:<8 hex>]', () => {
    const t = redactionToken(KEY, KEY_VALUE, 'hunter2');
    expect(t).toMatch(/^\[REDACTED:secret-key-value:[0-9a-f]{8}\]$/);
    expect(t.startsWith(TOKEN_PREFIX)).toBe(true);
  });

  it('tags with the first 8 hex digits of HMAC-SHA256 of the secret under the run key', () => {
    const expected = createHmac('sha256', KEY).update(Buffer.from('pässwörd€', 'utf8')).digest('hex').slice(0, 8);
    expect(redactionToken(KEY, URL_PASSWORD, 'pässwörd€')).toBe(`[REDACTED:url-password:${expected}]`);
  });

  it('gives the same tag to the same secret under the same key', () => {
    expect(redactionToken(KEY, KEY_VALUE, 'hunter2')).toBe(redactionToken(Buffer.from(KEY), KEY_VALUE, 'hunter2'));
  });

  it('gives the same secret a different tag under a different key', () => {
    const other = Buffer.from('another run key, also 32 bytes long!', 'utf8');
    expect(redactionToken(other, KEY_VALUE, 'hunter2')).not.toBe(redactionToken(KEY, KEY_VALUE, 'hunter2'));
  });

  it('gives different secrets different tags', () => {
    const secrets = Array.from({ length: 2000 }, (_, i) => `secret-${i}`);
    const tags = new Set(secrets.map((s) => redactionToken(KEY, KEY_VALUE, s)));
    expect(tags.size).toBe(secrets.length);
  });

  it('does not contain the secret', () => {
    expect(redactionToken(KEY, KEY_VALUE, 'abcdef12')).not.toContain('abcdef12');
  });
});

describe('newRedactionKey', () => {
  it('makes a fresh 32-byte key each time', () => {
    const a = newRedactionKey();
    const b = newRedactionKey();
    expect(a.length).toBe(32);
    expect(a.equals(b)).toBe(false);
  });
});

describe('tags in redacted output', () => {
  it('replaces the same secret with the same token across lines, rules and files of a run', async () => {
    const r = makeRedactor();
    const t = r.text('DB_PASSWORD=s3cr3t\nother line\n  "password": "s3cr3t"', 'a.txt');
    const s = await redactString(r, 'postgres://app:s3cr3t@db/app\n', [4], 'b.txt');
    const kv = redactionToken(KEY, KEY_VALUE, 's3cr3t');
    expect(t).toBe(`DB_PASSWORD=${kv}\nother line\n  "password": "${kv}"`);
    // Same tag, different rule id: the tag links the value, the id says which rule found it.
    expect(s).toBe(`postgres://app:${redactionToken(KEY, URL_PASSWORD, 's3cr3t')}@db/app\n`);
    expect(s.match(/:([0-9a-f]{8})\]/)?.[1]).toBe(kv.match(/:([0-9a-f]{8})\]/)?.[1]);
  });

  it('gives different secrets different tokens in one file', () => {
    const out = makeRedactor().text('DB_PASSWORD=one1one1\nAPI_KEY=two2two2', 'f');
    const [a, b] = out.match(/\[REDACTED:[^\]]+\]/g) ?? [];
    expect(a).toBeDefined();
    expect(a).not.toBe(b);
  });

  it('gives the same input different tokens in runs with different keys', () => {
    const line = 'DB_PASSWORD=hunter2';
    const a = makeRedactor().text(line, 'f');
    const b = makeRedactor({ key: newRedactionKey() }).text(line, 'f');
    expect(a).not.toBe(b);
    expect(b).toMatch(/^DB_PASSWORD=\[REDACTED:secret-key-value:[0-9a-f]{8}\]$/);
  });
});
