// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * A small glob matcher for the file and env collectors: `*` (within a segment), `**` (any number of
 * segments), `?`, `[abc]`/`[!abc]` and `{a,b}`. The file collector walks the tree itself (so it sees
 * symlinks, FIFOs and sockets and can refuse them with a reason) and matches paths with this.
 */

/** Compiles one path segment (or a whole env-var name) to an anchored RegExp. */
export function segmentRegExp(glob: string): RegExp {
  let re = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '\\' && i + 1 < glob.length) re += escapeChar(glob[++i]!);
    else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end === -1) re += '\\[';
      else {
        let body = glob.slice(i + 1, end);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (c === '{') {
      braces++;
      re += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      re += ')';
    } else if (c === ',' && braces > 0) re += '|';
    else re += escapeChar(c);
  }
  return new RegExp(`^${re}${')'.repeat(braces)}$`);
}

function escapeChar(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

/** True when the text has glob syntax (so it is a pattern, not a literal name). */
export const isGlob = (text: string): boolean => /(?<!\\)[*?[{]/.test(text);

/** A path pattern split into segments: literal strings or compiled segments, `**` as GLOBSTAR. */
export const GLOBSTAR = Symbol('globstar');
export type Segment = string | RegExp | typeof GLOBSTAR;

export function compilePathPattern(relative: string): Segment[] {
  return relative
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .map((s) => (s === '**' ? GLOBSTAR : isGlob(s) ? segmentRegExp(s) : s.replace(/\\(.)/g, '$1')));
}

const segmentMatches = (seg: string | RegExp, name: string): boolean => (typeof seg === 'string' ? seg === name : seg.test(name));

/**
 * Matches path segments against a pattern. With `partial`, true when some path strictly *below*
 * `path` could still match (the walk descends into a folder only then).
 */
export function matchSegments(pattern: readonly Segment[], path: readonly string[], partial = false): boolean {
  const go = (pi: number, si: number): boolean => {
    if (si === path.length) {
      if (partial) return pi < pattern.length;
      for (let k = pi; k < pattern.length; k++) if (pattern[k] !== GLOBSTAR) return false;
      return true;
    }
    if (pi === pattern.length) return false;
    const seg = pattern[pi]!;
    if (seg === GLOBSTAR) return go(pi + 1, si) || go(pi, si + 1);
    return segmentMatches(seg, path[si]!) && go(pi + 1, si + 1);
  };
  return go(0, 0);
}
