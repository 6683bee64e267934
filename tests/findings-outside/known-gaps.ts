/**
 * The findings scenarios (tests/findings-outside) that today's product gets wrong, id → what it does instead,
 * as observed in findings.json / ISSUE.md. Each listed scenario runs as `it.fails`: the suite passes while
 * the gap is real and fails once it is fixed, so the entry must then be deleted (issue #13 stays open until
 * this is empty). known-gaps.test.ts fails on an entry no scenario uses.
 */
export const KNOWN_GAPS: Readonly<Record<string, string>> = {
  'issue-links-absolute': 'links are relative: "[how to fix](TROUBLESHOOTING.md#container-exit-nonzero)"',
};
