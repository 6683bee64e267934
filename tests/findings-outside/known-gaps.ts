/**
 * The findings scenarios (tests/findings-outside) that today's product gets wrong, id → what it does instead,
 * as observed in findings.json / ISSUE.md. Each listed scenario runs as `it.fails`: the suite passes while
 * the gap is real and fails once it is fixed, so the entry must then be deleted (issue #13 stays open until
 * this is empty). known-gaps.test.ts fails on an entry no scenario uses.
 */
export const KNOWN_GAPS: Readonly<Record<string, string>> = {
  'stop-healthy-no-alarm':
    'error container-exit-nonzero "exited with code 137 (killed by SIGKILL)" despite the recorded stop, plus warning container-unhealthy "health check failed 0 (or 1) times in a row"',
  'compose-stop-no-alarm': 'error container-exit-nonzero "exited with code 137 (killed by SIGKILL)" for a service stopped on request',
  'traceback-whole-in-issue': 'ISSUE.md quotes only the last two lines of the traceback; "Traceback (most recent call last):" and the outer frames are missing',
  'sigkill-not-oom':
    'the summary says "killed by SIGKILL: the OOM killer, `docker kill`, or `docker stop` …" although OOMKilled is false (the remedy then says "Not marked OOM-killed")',
  'long-traceback-capped': 'ISSUE.md quotes none of the 150 frames of a RecursionError traceback and no "… N lines" marker, only lines near the exception',
  'issue-finding-once': 'the title of one exit-1 finding appears 4 times in ISSUE.md (Actual Behavior, Error Messages, Logs, Findings)',
  'issue-links-absolute': 'links are relative: "[how to fix](TROUBLESHOOTING.md#container-exit-nonzero)"',
  'console-real-bundle-path': 'the console summary says "details: collect-bundle analyze BUNDLE"',
  'issue-plain-words': 'ISSUE.md\'s Configuration says "Redaction: tag key installation"',
  'sigkill-hints': 'the SIGKILL finding names docker stop/kill and grace periods but no kernel log (dmesg) or cgroup to check',
  'unhealthy-error': 'a really failing probe is a warning (container-unhealthy), not an error',
  'job-named-by-labels': 'the title names only the container ("Container …-epic_carver on local exited with code 1"), not job bulk-loader / 42',
  'startproject-no-errors':
    'two errors: django-debug-enabled "DEBUG = True in settings mysite.settings, which look like production" and django-deploy "check --deploy: 6 issues" (production decided on the module name)',
  'startproject-debug-info': 'django-debug-enabled is an error, not info',
  'startproject-deploy-not-alarm': 'django-deploy is an error for a project with no production signal',
  'environment-flag-production': 'there is no --environment flag yet ("Unknown argument: environment", no bundle)',
  'production-deploy-ids-listed':
    'ISSUE.md gives the ids as one run-on line "check --deploy: 4 issues in settings shop.settings (security.W009, security.W004, …)" and a remedy "- security.W009: … - security.W004: …" on one line',
};
