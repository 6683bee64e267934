import { describe, expect, it } from 'vitest';
import { oneLine } from '../../src/core/text.js';
import { formatBytes } from '../../src/core/units.js';
import { globToRegExp } from '../../collectors/docker-containers.js';
import { segmentRegExp } from '../../src/core/glob.js';

describe('the one oneLine, formatBytes and glob', () => {
  it('oneLine folds whitespace and newlines into single spaces, and cuts at maxChars with an ellipsis', () => {
    expect(oneLine('  Traceback:\n\tFile "x.py"\r\n  line 3  ')).toBe('Traceback: File "x.py" line 3');
    expect(oneLine('abcdef', 4)).toBe('abc…');
    expect(oneLine('abcd', 4)).toBe('abcd');
  });

  it('formatBytes prints whole sizes without a trailing .0 (as findings say "limit 8 MiB")', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(8 * 1024 * 1024)).toBe('8 MiB');
    expect(formatBytes(2662)).toBe('2.6 KiB');
    expect(formatBytes(3 * 1024 ** 4)).toBe('3 TiB');
  });

  it('--containers name patterns use the same glob engine as the file collector', () => {
    for (const [glob, name] of [
      ['web-*', 'web-1'],
      ['w[!0-9]', 'wx'],
      ['{api,web}-?', 'api-2'],
      ['db', 'db2'],
    ] as const) {
      expect(globToRegExp(glob).test(name), `${glob} ~ ${name}`).toBe(segmentRegExp(glob).test(name));
    }
    expect(globToRegExp('{api,web}-?').test('web-3')).toBe(true);
  });
});
