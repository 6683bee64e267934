/** The django collector names its settings' secrets before anything is collected, so they vanish from every other collector's output too. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import django from '../../collectors/django.js';
import { defineCollector, text } from '../../src/core/artifacts.js';
import { collectBundle } from '../../src/run/collect.js';
import { fileText, readBundle } from '../helpers/bundle.js';
import { copyFixture, leakedSecrets, runEnv, setupDatabase, systemDjango } from '../helpers/django.js';

let tmp: string;
let project: string;

describe.skipIf(!systemDjango && !process.env['CI'])('django secrets, learned up front', () => {
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'cb-djsecrets-'));
    project = await copyFixture(join(tmp, 'project'));
    await setupDatabase(project);
  }, 120_000);
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  it('removes the SECRET_KEY and database/email passwords from a log another collector wrote first', async () => {
    // This collector runs first and knows nothing about Django: a log that echoes the settings' secrets bare.
    const echo = defineCollector({
      name: 'app-log',
      description: 'an application log that echoes secrets without keys',
      defaultEnabled: true,
      defaults: {},
      async *collect() {
        yield text(
          'app.log',
          'boot\nsigning with django-insecure-fx7q2cb-fixture-secret-key-9d4e1a7b3c\nretry db login fx-db-password-4a8c2e failed\nsmtp auth fx-email-password-3e9f\n',
        );
      },
    });
    const result = await collectBundle({
      outputDir: join(tmp, 'out'),
      collectors: [echo, django],
      concurrency: 1,
      collectorOptions: { django: { djangoDir: project, python: '/usr/bin/python3' } },
      env: runEnv(),
      redaction: { ephemeralKey: true },
    });
    const entries = await readBundle(result.bundle);
    expect(leakedSecrets(entries)).toEqual([]);
    const log = fileText(entries, 'app-log/app.log');
    expect(log).toMatch(/^boot\nsigning with \[REDACTED:known-secret:[0-9a-f]{8}\]\nretry db login \[REDACTED:known-secret:[0-9a-f]{8}\] failed\n/);
    // The one Django process that learned them (and then ran the probe and the commands) is in the audit
    // trail like every other command; no second process imported Django for the secrets.
    const record = result.manifest.collectors.find((c) => c.name === 'django')!;
    const own = record.commands.filter((c) => !c.ranIn && c.argv.join(' ').includes('COLLECT_BUNDLE_CODE'));
    expect(own).toHaveLength(1);
    expect(own[0]!.argv.at(-1)).toContain('collect-bundle django probe (read-only)');
  }, 120_000);
});
