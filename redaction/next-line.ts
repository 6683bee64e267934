// Room: redaction (redaction/) — may import core only (the rule: tests/architecture.test.ts).
/**
 * Most next-line shapes end their first line in `:`, `=` or `",` (engine.ts). These two name the secret
 * and stop: a Kubernetes env entry (`- name: DB_PASSWORD`, then `value: v`), and `aws configure get
 * aws_secret_access_key` in a session log, whose output line is the bare value.
 */
const K8S_ENV_NAME = /^[ \t]*-[ \t]+name:[ \t]*(["']?)(?<key>[A-Za-z_][A-Za-z0-9_.-]{0,100})\1[ \t\r]*$/;
const AWS_GET = /\baws[ \t]+configure[ \t]+get[ \t]+(?:[^\s]+[ \t]+){0,6}?(?<key>[A-Za-z_][A-Za-z0-9_.-]{0,100})[ \t\r]*$/;
const K8S_VALUE = /^([ \t]*value:[ \t]*)(?:"((?:[^"\\\n]|\\.)+)"|'([^'\n]+)'|([^\s"'#][^\n]*?))[ \t\r]*$/;
const AWS_VALUE = /^([ \t]*)()([^\s]+)()[ \t\r]*$/;
/** The quoted value that a flag or key on the line before is waiting for: indent+quote, value, quote. */
const NEXT_VALUE = /^([ \t]*(["']))((?:(?!\2)[^\\\n]|\\.)+)(\2)/;
/**
 * A bare value alone on its line, after a key that ends the line before (`password =`, YAML's
 * `password:` with the value indented below): one word, and nothing that starts a section, a comment,
 * a list item or a structure.
 */
const BARE_LINE = /^([ \t]*)()([^\s"'\\#;[\]{}()<>,=:-][^\s"'\\]*)()(?<!:)[ \t\r]*$/;
/** A bare value alone on its line; below a `key:`, only an indented one (YAML's value, not the next key). */
function bareLine(piece: string, indented: boolean): RegExpExecArray | null {
  const m = BARE_LINE.exec(piece);
  return m && (!indented || m[1]!.length > 0) ? m : null;
}
/** The first word of a shell line continued from the line before (`--password \`, `DB_PASSWORD=\`). */
const FIRST_WORD = /^([ \t]*)()([^\s"'\\]+)()/;

/** Markers kept in LineState.valueNext for these shapes (the rule recorded is secret-key-value). */
export const K8S_ENV = 'k8s-env';
export const AWS_GET_OUTPUT = 'aws-configure-get';
/** The rule a secret key's value is recorded under; as a marker, a key that ended the line before. */
export const KEY_VALUE_RULE = 'secret-key-value';
/** A key that ended the line before with `:` (YAML): a bare value must be indented below it. */
export const KEY_COLON = 'key-colon';
/** A shell flag or assignment continued on the next line: the value is that line's first word. */
export const SHELL_FLAG_WORD = 'shell-flag-word';
export const SHELL_KEY_WORD = 'shell-key-word';

/** The key a line names for the next line's value, and which shape that value has. */
export function keyForNextLine(piece: string): { key: string; kind: string } | undefined {
  if (piece.includes('name:')) {
    const m = K8S_ENV_NAME.exec(piece);
    if (m) return { key: m.groups!['key']!, kind: K8S_ENV };
  }
  if (piece.includes('configure')) {
    const m = AWS_GET.exec(piece);
    if (m) return { key: m.groups!['key']!, kind: AWS_GET_OUTPUT };
  }
  return undefined;
}

/** The awaited value on this line: text before it, the value, its closing quote, and where that ends. */
export function nextValue(kind: string, piece: string): { head: string; value: string; close: string; end: number } | undefined {
  if (kind === K8S_ENV) {
    const k = K8S_VALUE.exec(piece);
    if (!k) return undefined;
    const q = k[2] !== undefined ? '"' : k[3] !== undefined ? "'" : '';
    const value = k[2] ?? k[3] ?? k[4]!;
    return { head: k[1]! + q, value, close: q, end: k[1]!.length + value.length + 2 * q.length };
  }
  const m =
    kind === AWS_GET_OUTPUT
      ? AWS_VALUE.exec(piece)
      : kind === SHELL_FLAG_WORD || kind === SHELL_KEY_WORD
        ? (NEXT_VALUE.exec(piece) ?? FIRST_WORD.exec(piece))
        : kind === KEY_VALUE_RULE || kind === KEY_COLON
          ? (NEXT_VALUE.exec(piece) ?? bareLine(piece, kind === KEY_COLON))
          : NEXT_VALUE.exec(piece);
  if (!m) return undefined;
  return { head: m[1]!, value: m[3]!, close: m[4]!, end: m[1]!.length + m[3]!.length + m[4]!.length };
}
