// Room: bundle (src/bundle/) — may import core, redaction (the rule: tests/architecture.test.ts).
/**
 * What tells an encrypted bundle apart, without the age library: its suffix and its first bytes. Kept
 * apart from age.ts so that a run or a retention pass that encrypts nothing does not load the library
 * (about 55 modules; issue #14: start-up).
 */
import { openInput } from '../core/open-input.js';

/** The first bytes of every (binary) age file. */
export const AGE_MAGIC = 'age-encryption.org/v1\n';
/** The file name suffix of an encrypted bundle. */
export const AGE_SUFFIX = '.age';

/** Whether `file` starts like an age file (binary form). */
export async function isAgeFile(file: string): Promise<boolean> {
  const handle = await openInput(file);
  try {
    const buf = Buffer.alloc(AGE_MAGIC.length);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return bytesRead === buf.length && buf.toString('latin1') === AGE_MAGIC;
  } finally {
    await handle.close();
  }
}
