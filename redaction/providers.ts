/**
 * Provider token formats, as data: the shapes that secret scanners of the gitleaks/secretlint class
 * know. Each pattern is anchored on a prefix or a context that diagnostics do not have, so container
 * IDs, digests, git SHAs and UUIDs pass untouched. The hint is a cheap literal pre-filter.
 */
import type { Rule } from './rule.js';
import { defineRule } from './rules.js';

/** Characters that may not continue a token: the end of a match is a real boundary. */
const END = String.raw`(?![A-Za-z0-9_-])`;
const START = String.raw`(?<![A-Za-z0-9_-])`;

const rx = (source: string, flags = 'g'): RegExp => new RegExp(source, flags);

export const providerRules: readonly Rule[] = Object.freeze([
  defineRule({
    id: 'aws-access-key-id',
    description: 'AWS access key id (AKIA…, ASIA…)',
    hint: /A3T|AKIA|ASIA|ABIA|ACCA/,
    pattern: rx(String.raw`(?<![A-Z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Z0-9])`),
  }),
  defineRule({
    id: 'aws-secret-access-key',
    description: 'AWS secret access key (40 base64 characters next to an aws…secret key name)',
    hint: /aws|amazon/i,
    pattern: rx(String.raw`(?<=(?:aws|amazon)[\w.-]{0,30}(?:secret|sk)[\w.-]{0,30}["']?[ \t]{0,3}[:=][ \t]{0,3}["']?)[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])`, 'gi'),
  }),
  defineRule({
    id: 'gcp-api-key',
    description: 'Google Cloud / Firebase API key (AIza…)',
    hint: /AIza/,
    pattern: rx(String.raw`${START}AIza[0-9A-Za-z_-]{35}${END}`),
  }),
  defineRule({
    id: 'private-key-escaped',
    description: 'PEM/PGP private key inside a JSON string with \\n escapes (e.g. a GCP service-account key)',
    hint: /PRIVATE KEY/,
    // The body is anything up to the END marker within the string: armor headers (Proc-Type: 4,ENCRYPTED,
    // DEK-Info, PGP Version:) are not base64, and a key in a JSON log message inside a docker json-file
    // line is escaped twice (\\n).
    pattern: rx(String.raw`(?<=-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----)(?:\\+r)?\\+n[^"\n]+?(?=(?:\\+r)?\\+n-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----)`),
  }),
  defineRule({
    id: 'azure-storage-key',
    description: 'Azure storage/service-bus account key in a connection string (AccountKey=, SharedAccessKey=)',
    hint: /AccountKey|SharedAccessKey/i,
    pattern: rx(String.raw`(?<=(?:AccountKey|SharedAccessKey)=)[A-Za-z0-9+/]{20,}={0,2}`, 'gi'),
  }),
  defineRule({
    id: 'azure-sas-signature',
    description: 'Azure SAS token signature (sig= in a URL or SAS string)',
    hint: /sig=/i,
    pattern: rx(String.raw`(?<=[?&;]sig=)[A-Za-z0-9%+/=]{16,}`, 'gi'),
  }),
  defineRule({
    id: 'github-token',
    description: 'GitHub token: classic (ghp_), OAuth (gho_), user/server-to-server app (ghu_/ghs_), refresh (ghr_)',
    hint: /ghp_|gho_|ghu_|ghs_|ghr_/,
    pattern: rx(String.raw`${START}gh[pousr]_[A-Za-z0-9]{36,255}${END}`),
  }),
  defineRule({
    id: 'github-fine-grained-token',
    description: 'GitHub fine-grained personal access token (github_pat_)',
    hint: /github_pat_/,
    pattern: rx(String.raw`${START}github_pat_[A-Za-z0-9_]{82}${END}`),
  }),
  defineRule({
    id: 'gitlab-token',
    description: 'GitLab token: personal/project/group (glpat-), deploy (gldt-), runner (glrt-, GR1348941), trigger (glptt-)',
    hint: /glpat-|gldt-|glrt-|glptt-|GR1348941/,
    pattern: rx(String.raw`${START}(?:glpat-|gldt-|glrt-|glptt-|GR1348941)[A-Za-z0-9_-]{20,}${END}`),
  }),
  defineRule({
    id: 'slack-token',
    description: 'Slack token (xoxb-, xoxp-, xoxa-, xoxr-, xoxs-, xapp-)',
    hint: /xoxb-|xoxp-|xoxa-|xoxr-|xoxs-|xapp-/,
    pattern: rx(String.raw`${START}(?:xox[baprs]-[0-9A-Za-z-]{10,250}|xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+)${END}`),
  }),
  defineRule({
    id: 'slack-webhook',
    description: 'secret part of a Slack incoming-webhook URL',
    hint: /hooks\.slack\.com/,
    pattern: rx(String.raw`(?<=hooks\.slack\.com/(?:services|workflows)/T[A-Z0-9]+/[A-Z0-9]+/)[A-Za-z0-9]{20,}`),
  }),
  defineRule({
    id: 'stripe-key',
    description: 'Stripe secret/restricted key (sk_live_, rk_test_, …) or webhook secret (whsec_)',
    hint: /sk_|rk_|whsec_/,
    pattern: rx(String.raw`${START}(?:(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,247}|whsec_[0-9A-Za-z]{24,})${END}`),
  }),
  defineRule({
    id: 'sendgrid-api-key',
    description: 'SendGrid API key (SG.x.y)',
    hint: /SG\./,
    pattern: rx(String.raw`${START}SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}${END}`),
  }),
  defineRule({
    id: 'twilio-api-key',
    description: 'Twilio API key SID (SK + 32 hex)',
    hint: /SK[0-9a-fA-F]/,
    pattern: rx(String.raw`${START}SK[0-9a-fA-F]{32}${END}`),
  }),
  defineRule({
    id: 'npm-token',
    description: 'npm access token (npm_)',
    hint: /npm_/,
    pattern: rx(String.raw`${START}npm_[A-Za-z0-9]{36}${END}`),
  }),
  defineRule({
    id: 'pypi-token',
    description: 'PyPI upload token (pypi-AgEIcHlwaS5vcmc…)',
    hint: /pypi-AgE/,
    pattern: rx(String.raw`${START}pypi-AgE[A-Za-z0-9_-]{50,}${END}`),
  }),
  defineRule({
    id: 'dockerhub-pat',
    description: 'Docker Hub personal access token (dckr_pat_)',
    hint: /dckr_pat_/,
    pattern: rx(String.raw`${START}dckr_pat_[A-Za-z0-9_-]{27,}${END}`),
  }),
  defineRule({
    id: 'openai-api-key',
    description: 'OpenAI API key (sk-…T3BlbkFJ…, sk-proj-, sk-svcacct-, sk-admin-)',
    hint: /sk-/,
    pattern: rx(String.raw`${START}sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})${END}`),
  }),
  defineRule({
    id: 'anthropic-api-key',
    description: 'Anthropic API key (sk-ant-api03-…, sk-ant-admin01-…)',
    hint: /sk-ant-/,
    pattern: rx(String.raw`${START}sk-ant-(?:api|admin|oat)\d{2}-[A-Za-z0-9_-]{80,}${END}`),
  }),
  defineRule({
    id: 'sentry-dsn-key',
    description: 'key in a Sentry DSN (https://<key>[:<secret>]@…sentry…)',
    hint: /sentry/i,
    pattern: rx(String.raw`(?<=https?://)[0-9a-f]{32}(?=(?::[0-9a-f]{32})?@[^\s/@]*sentry)`, 'gi'),
  }),
  defineRule({
    id: 'heroku-api-key',
    description: 'Heroku platform API key (HRKU-)',
    hint: /HRKU-/,
    pattern: rx(String.raw`${START}HRKU-[A-Za-z0-9_-]{60}${END}`),
  }),
  defineRule({
    id: 'mailgun-api-key',
    description: 'Mailgun API key (key-…, or the private key format next to a mailgun name)',
    hint: /key-|mailgun/i,
    pattern: rx(String.raw`${START}key-[0-9a-f]{32}${END}|(?<=mailgun[^\n]{0,40})${START}[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8}${END}`, 'gi'),
  }),
  defineRule({
    id: 'jwt',
    description: 'JSON Web Token (eyJ….eyJ….signature)',
    hint: /eyJ/,
    pattern: rx(String.raw`${START}eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*${END}`),
  }),
]);
