/**
 * The findings scenarios (tests/findings-outside) that today's product gets wrong, id → what it does instead,
 * as observed in findings.json / ISSUE.md. Each listed scenario runs as `it.fails`: the suite passes while
 * the gap is real and fails once it is fixed, so the entry must then be deleted (issue #13 stays open until
 * this is empty). known-gaps.test.ts fails on an entry no scenario uses.
 */
export const KNOWN_GAPS: Readonly<Record<string, string>> = {
  'issue-links-absolute': 'links are relative: "[how to fix](TROUBLESHOOTING.md#container-exit-nonzero)"',
  'unhealthy-error': 'a really failing probe is a warning (container-unhealthy), not an error',
  'startproject-no-errors':
    'two errors: django-debug-enabled "DEBUG = True in settings mysite.settings, which look like production" and django-deploy "check --deploy: 6 issues" (production decided on the module name)',
  'startproject-debug-info': 'django-debug-enabled is an error, not info',
  'startproject-deploy-not-alarm': 'django-deploy is an error for a project with no production signal',
  'environment-flag-production': 'there is no --environment flag yet ("Unknown argument: environment", no bundle)',
  'production-deploy-ids-listed':
    'ISSUE.md gives the ids as one run-on line "check --deploy: 4 issues in settings shop.settings (security.W009, security.W004, …)" and a remedy "- security.W009: … - security.W004: …" on one line',
};
