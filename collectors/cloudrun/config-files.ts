// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * gcloud's own configuration files, read without starting gcloud (a Python program that takes seconds to
 * start): the configuration directory (`CLOUDSDK_CONFIG`, else `~/.config/gcloud`), its active
 * configuration (`CLOUDSDK_ACTIVE_CONFIG_NAME`, else the `active_config` file, else `default`), that
 * configuration's properties (`configurations/config_<name>`, INI), and the installation's `properties`
 * file beside gcloud's `bin/`. The same layers and order gcloud itself applies, after options and
 * environment variables, which the caller checks first.
 */
import { readFile, realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** What the files say of one property, or why they cannot say (then gcloud is asked). */
export type FileAnswer = { readonly value: string; readonly from: string } | { readonly unset: true } | { readonly unknown: string };

/** A file's text; undefined when it does not exist; throws on any other failure (unreadable, a directory…). */
async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** `[section] key = value` of an INI text (gcloud writes its properties with Python's configparser). */
export function iniValue(text: string, section: string, key: string): string | undefined {
  let current = '';
  let found: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const head = /^\[([^\]]+)\]$/.exec(line);
    if (head) {
      current = head[1]!.trim();
      continue;
    }
    const eq = line.search(/[=:]/);
    if (eq === -1 || current !== section) continue;
    if (line.slice(0, eq).trim() === key) found = line.slice(eq + 1).trim();
  }
  return found;
}

/** gcloud's configuration directory for this environment (Linux and macOS layout). */
export function configDir(env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (env['CLOUDSDK_CONFIG']) return env['CLOUDSDK_CONFIG'];
  const home = env['HOME'];
  return home ? join(home, '.config', 'gcloud') : undefined;
}

/**
 * Reads `[section] key` (e.g. `core`/`project`, `run`/`region`) from gcloud's files. `unset` when the files
 * decide there is no value; `unknown` with the reason when they cannot be read (the caller asks gcloud).
 */
export async function fromGcloudFiles(
  env: Readonly<Record<string, string | undefined>>,
  gcloudPath: string,
  section: string,
  key: string,
): Promise<FileAnswer> {
  try {
    const dir = configDir(env);
    if (dir) {
      const active = env['CLOUDSDK_ACTIVE_CONFIG_NAME'] || (await readIfExists(join(dir, 'active_config')))?.trim() || 'default';
      if (!/^[A-Za-z0-9_.-]+$/.test(active)) return { unknown: `active configuration name ${JSON.stringify(active)} is unusual` };
      const file = join(dir, 'configurations', `config_${active}`);
      const text = await readIfExists(file);
      const value = text === undefined ? undefined : iniValue(text, section, key);
      if (value) return { value, from: `gcloud configuration ${active}` };
    }
    const install = join(dirname(dirname(await realpath(gcloudPath))), 'properties');
    const text = await readIfExists(install);
    const value = text === undefined ? undefined : iniValue(text, section, key);
    if (value) return { value, from: 'gcloud installation properties' };
    return { unset: true };
  } catch (err) {
    return { unknown: err instanceof Error ? err.message : String(err) };
  }
}
