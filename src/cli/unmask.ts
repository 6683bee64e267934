// Room: cli (src/cli/) — may import every room; the only place that prints errors and calls process.exit.
/** `collect-bundle unmask FILE|-`: pseudonyms of --pseudonymize turned back into real names, with the map kept next to the key. */
import { dirname } from 'node:path';
import { CliError, EXIT } from '../core/errors.js';
import { errorMessage } from '../core/artifacts.js';
import type { CliIo } from './io.js';

/** Prints FILE (or stdin) with every pseudonym of the local maps replaced by its real value. */
export async function runUnmask(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  const [{ defaultKeyPath }, { mapFilesIn, readMapEntries }, { unmaskText }, { readInput }] = await Promise.all([
    import('../../redaction/key-store.js'),
    import('../../redaction/pseudonym-map.js'),
    import('../../redaction/unmask.js'),
    import('../core/open-input.js'),
  ]);
  const given = ([] as unknown[]).concat(argv['map'] ?? []).map(String);
  const keyFile = argv['redaction-key-file'] ? String(argv['redaction-key-file']) : defaultKeyPath(io.env);
  const maps = given.length ? given : await mapFilesIn(dirname(keyFile));
  if (maps.length === 0)
    throw new CliError(
      `no pseudonym map next to ${keyFile}: unmask works on the machine (and user) that made the bundle with --pseudonymize; pass --map FILE or --redaction-key-file`,
      'E_USAGE',
    );
  const entries = [];
  for (const map of maps) {
    try {
      entries.push(...(await readMapEntries(map)));
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError(`cannot read pseudonym map ${map}: ${errorMessage(err)}`, 'E_USAGE');
    }
  }
  const file = argv['file'] === undefined ? '-' : String(argv['file']);
  let text: string;
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const c of (io.stdin ?? process.stdin) as AsyncIterable<Buffer | string>) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
    text = Buffer.concat(chunks).toString('utf8');
  } else {
    try {
      text = await readInput(file, { what: 'input', encoding: 'utf8' });
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError(`${file}: ${(err as { code?: string }).code === 'ENOENT' ? 'no such file' : errorMessage(err)}`, 'E_USAGE');
    }
  }
  const { text: out, count } = unmaskText(entries, text);
  io.stdout.write(out);
  if (!argv['quiet']) io.stderr.write(`collect-bundle: ${count} pseudonym${count === 1 ? '' : 's'} replaced\n`);
  return EXIT.complete;
}
