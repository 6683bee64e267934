/**
 * Provider token formats (redaction/providers.ts), rule by rule: realistic positives in several syntaxes
 * with the exact output, near misses that must come out byte-for-byte, and the "survivors" — ordinary
 * diagnostics that the whole default rule set must leave alone.
 *
 * Every positive is checked twice: with the provider rule alone (so the rule itself is proven), and with
 * the default rule set (what a bundle really gets). When a structure-aware rule claims the same secret
 * first (`GITHUB_TOKEN=ghp_…` is a secret key's value), the case says which rule the default set uses.
 * Secrets are generated from a fixed seed with each format's alphabet and length; expected tokens come
 * from tags.ts (support.ts `tok`), never from running the redactor.
 */
import { describe, expect, it } from 'vitest';
import { defaultRules } from '../../redaction/redactor.js';
import { providerRules } from '../../redaction/providers.js';
import type { Rule } from '../../redaction/rule.js';
import { AUTHORIZATION, KEY_VALUE, URL_PASSWORD, makeRedactor, redactString, tok } from './support.js';
import { prng } from './support.js';
import { providerSpecs, type ProviderSpec } from './provider-specs.js';

// ---------------------------------------------------------------------------------------------------
// Token-shaped secrets from a fixed seed.

const next = prng(20240501);
/** `n` characters drawn from `alphabet`. */
const gen = (alphabet: string, n: number): string => Array.from({ length: n }, () => alphabet[Math.floor(next() * alphabet.length)]!).join('');

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const ALNUM = UPPER + LOWER + DIGITS;
const BASE64 = `${ALNUM}+/`;
const BASE64URL = `${ALNUM}_-`;
const HEX = '0123456789abcdef';
const AWS_ID = `${UPPER}234567`;

/** Alphanumeric with at least one digit, one upper- and one lower-case letter (like real tokens). */
function mixed(alphabet: string, n: number): string {
  for (;;) {
    const s = gen(alphabet, n);
    if (/[0-9]/.test(s) && /[A-Z]/.test(s) && /[a-z]/.test(s)) return s;
  }
}

const S = {
  awsKeyId: `AKIA${gen(AWS_ID, 14)}7Q`,
  awsStsKeyId: `ASIA${gen(AWS_ID, 14)}3Z`,
  awsSecret: mixed(BASE64, 40),
  gcp: `AIza${mixed(BASE64URL, 35)}`,
  ghp: `ghp_${mixed(ALNUM, 36)}`,
  gho: `gho_${mixed(ALNUM, 36)}`,
  ghPat: `github_pat_${mixed(`${ALNUM}_`, 82)}`,
  glpat: `glpat-${mixed(BASE64URL, 20)}`,
  slackBot: `xoxb-${gen(DIGITS, 12)}-${gen(DIGITS, 13)}-${mixed(ALNUM, 24)}`,
  slackApp: `xapp-1-A${gen(`${UPPER}${DIGITS}`, 10)}-${gen(DIGITS, 13)}-${gen(HEX, 64)}`,
  slackHook: mixed(ALNUM, 24),
  stripe: `sk_live_${mixed(ALNUM, 24)}`,
  stripeRestricted: `rk_test_${mixed(ALNUM, 32)}`,
  stripeWebhook: `whsec_${mixed(ALNUM, 32)}`,
  sendgrid: `SG.${mixed(BASE64URL, 22)}.${mixed(BASE64URL, 43)}`,
  twilio: `SK${gen(HEX, 32)}`,
  twilioUpper: `SK${gen(HEX, 32).toUpperCase()}`,
  npm: `npm_${mixed(ALNUM, 36)}`,
  pypi: `pypi-AgEIcHlwaS5vcmc${mixed(BASE64URL, 60)}`,
  dockerhub: `dckr_pat_${mixed(BASE64URL, 27)}`,
  openai: `sk-proj-${mixed(BASE64URL, 48)}`,
  anthropic: `sk-ant-api03-${mixed(BASE64URL, 93)}AA`,
  sentry: gen(HEX, 32),
  sentrySecret: gen(HEX, 32),
  heroku: `HRKU-${mixed(BASE64URL, 60)}`,
  mailgun: `key-${gen(HEX, 32)}`,
  mailgunPrivate: `${gen(HEX, 32)}-${gen(HEX, 8)}-${gen(HEX, 8)}`,
  azureAccountKey: `${mixed(BASE64, 86)}==`,
  azureSharedKey: `${mixed(BASE64, 43)}=`,
  /** A SAS signature as it appears in a URL: base64, percent-encoded. */
  azureSig: `${mixed(ALNUM, 20)}%2B${mixed(ALNUM, 18)}%2F${mixed(ALNUM, 4)}%3D`,
  jwt: `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjoxNzE0NTY3ODkwLCJ1c2VyX2lkIjo0Mn0.${mixed(BASE64URL, 43)}`,
};

/** Base64 body lines of a PEM key (64 characters, the last one shorter with padding). */
const pemBody = (lines: number): string[] => [...Array.from({ length: lines - 1 }, () => mixed(BASE64, 64)), `${mixed(BASE64, 40)}==`];
const PKCS8 = pemBody(4);
/** An escaped PEM body inside a JSON string, from the `\n` after BEGIN up to (not including) the `\n` before END. */
const escapedBody = (lines: readonly string[], nl = String.raw`\n`): string => lines.map((l) => nl + l).join('');

const HEX64 = gen(HEX, 64);
const HEX40 = gen(HEX, 40);
const UUID = '8c1b2f3e-4d5a-4b6c-9d8e-7f6a5b4c3d2e';

// ---------------------------------------------------------------------------------------------------
// The table.

interface Positive {
  readonly what: string;
  readonly input: string;
  /** Output with the provider rule alone. */
  readonly alone: string;
  /** Output with the default rule set. */
  readonly full: string;
  /** Text that must be gone from both outputs. */
  readonly secret: string;
}

interface Negative {
  readonly what: string;
  readonly line: string;
  /**
   * Checked against the provider rule only: the near miss is not this format, but a structure-aware rule
   * rightly redacts it as a secret key's value (`aws_secret_access_key = <41 chars>`).
   */
  readonly ruleOnly?: true;
}

interface ProviderCases {
  readonly rule: string;
  readonly positives: readonly Positive[];
  readonly negatives: readonly Negative[];
}

const SLOT = '§';

/**
 * A positive: `template` with the secret at `§`. By default the provider rule redacts it in both rule
 * sets; `byDefault` names the rule that claims the same span first in the default set, and `full` gives
 * the whole default output when another rule claims a different span (e.g. a whole JSON value).
 */
function pos(rule: string, secret: string, what: string, template: string, opts: { byDefault?: string; full?: string } = {}): Positive {
  if (template.split(SLOT).length !== 2) throw new Error(`template needs exactly one ${SLOT}: ${template}`);
  const alone = template.replace(SLOT, () => tok(rule, secret));
  return {
    what,
    input: template.replace(SLOT, () => secret),
    alone,
    full: opts.full ?? template.replace(SLOT, () => tok(opts.byDefault ?? rule, secret)),
    secret,
  };
}

const handWritten: readonly ProviderCases[] = [
  {
    rule: 'aws-access-key-id',
    positives: [
      pos(
        'aws-access-key-id',
        S.awsKeyId,
        'an access key id bare in a log line',
        `2024-05-01 12:00:00,123 INFO s3: PutObject s3://backups/db.dump by ${SLOT} (deploy)`,
      ),
      pos(
        'aws-access-key-id',
        S.awsStsKeyId,
        'an STS key id in a JSON credentials document',
        `{"Credentials": {"AccessKeyId": "${SLOT}", "Expiration": "2024-05-01T13:00:00Z"}}`,
      ),
      pos('aws-access-key-id', S.awsKeyId, 'an access key id in an env line', `AWS_ACCESS_KEY_ID=${SLOT}`),
      pos('aws-access-key-id', S.awsKeyId, 'an access key id in ~/.aws/credentials', `aws_access_key_id = ${SLOT}`),
    ],
    negatives: [
      { what: 'AKIA with too few characters', line: `aws_access_key_id = ${S.awsKeyId.slice(0, 18)}` },
      { what: 'AKIA with one character too many', line: `id ${S.awsKeyId}Q in a longer word` },
      { what: 'AKIA embedded after an upper-case letter', line: `ref X${S.awsKeyId}` },
      { what: 'AKIA followed by characters outside [A-Z2-7]', line: 'AWS_ACCESS_KEY_ID=AKIA0123456789018901' },
    ],
  },
  {
    rule: 'aws-secret-access-key',
    positives: [
      pos('aws-secret-access-key', S.awsSecret, 'a secret access key in ~/.aws/credentials', `aws_secret_access_key = ${SLOT}`, { byDefault: KEY_VALUE }),
      pos('aws-secret-access-key', S.awsSecret, 'a secret access key in a JSON env map', `{"AWS_SECRET_ACCESS_KEY": "${SLOT}", "AWS_REGION": "eu-west-1"}`, {
        byDefault: KEY_VALUE,
      }),
      pos('aws-secret-access-key', S.awsSecret, 'a quoted secret access key after export', `export AWS_SECRET_ACCESS_KEY="${SLOT}"`, { byDefault: KEY_VALUE }),
    ],
    negatives: [
      { what: 'a placeholder for the secret', line: 'aws_secret_access_key = ${AWS_SECRET_ACCESS_KEY}' },
      { what: 'a 40-hex object name in an aws s3 command', line: `aws s3 cp s3://backups/${HEX40}.tar.gz /tmp/restore/` },
      { what: 'a 40-hex git SHA next to an aws region setting', line: `aws_region: eu-west-1 commit: ${HEX40}` },
      { what: 'a 41-character value (not the 40-character format)', line: `aws_secret_access_key = ${S.awsSecret}x`, ruleOnly: true },
    ],
  },
  {
    rule: 'gcp-api-key',
    positives: [
      pos('gcp-api-key', S.gcp, 'an API key bare in a log line', `W0501 12:00:00.123 geocode.py:42] geocoding "Berlin" with ${SLOT} failed: REQUEST_DENIED`),
      pos('gcp-api-key', S.gcp, 'an API key in an API Keys JSON response', `{"keyString": "${SLOT}"}`),
      pos('gcp-api-key', S.gcp, 'an API key in an x-goog-api-key header', `x-goog-api-key: ${SLOT}`, { byDefault: KEY_VALUE }),
    ],
    negatives: [
      { what: 'AIza with 34 characters', line: `maps ${S.gcp.slice(0, -1)} ok` },
      { what: 'AIza with 36 characters', line: `maps ${S.gcp}x ok` },
      { what: 'AIza embedded in a longer identifier', line: `maps m${S.gcp} ok` },
    ],
  },
  {
    rule: 'private-key-escaped',
    positives: [
      pos(
        'private-key-escaped',
        escapedBody(PKCS8),
        'the body of a key in a GCP service-account JSON line',
        `  "private_key": "-----BEGIN PRIVATE KEY-----${SLOT}\\n-----END PRIVATE KEY-----\\n",`,
        {
          // The key name is secret, so the whole JSON value goes under secret-key-value.
          full: `  "private_key": "${tok(KEY_VALUE, `-----BEGIN PRIVATE KEY-----${escapedBody(PKCS8)}\\n-----END PRIVATE KEY-----\\n`)}",`,
        },
      ),
      pos(
        'private-key-escaped',
        escapedBody(PKCS8),
        'an escaped RSA key under a neutral JSON key',
        `{"kind": "tls", "pem": "-----BEGIN RSA PRIVATE KEY-----${SLOT}\\n-----END RSA PRIVATE KEY-----\\n"}`,
      ),
      pos(
        'private-key-escaped',
        escapedBody(['Proc-Type: 4,ENCRYPTED', 'DEK-Info: AES-256-CBC,8A3F1C2B9D0E7F6A5B4C3D2E1F0A9B8C', '', ...PKCS8]),
        'a legacy encrypted RSA key with Proc-Type/DEK-Info headers',
        `{"pem": "-----BEGIN RSA PRIVATE KEY-----${SLOT}\\n-----END RSA PRIVATE KEY-----"}`,
      ),
      pos(
        'private-key-escaped',
        escapedBody(['Version: GnuPG v2', '', ...PKCS8, '=Zm9v']),
        'an escaped PGP private key block',
        `{"armored": "-----BEGIN PGP PRIVATE KEY BLOCK-----${SLOT}\\n-----END PGP PRIVATE KEY BLOCK-----\\n"}`,
      ),
      pos(
        'private-key-escaped',
        escapedBody(PKCS8, String.raw`\r\n`),
        'an escaped key with \\r\\n line ends',
        `{"pem": "-----BEGIN EC PRIVATE KEY-----${SLOT}\\r\\n-----END EC PRIVATE KEY-----\\r\\n"}`,
      ),
      pos(
        'private-key-escaped',
        escapedBody(PKCS8, String.raw`\\n`),
        'a doubly escaped key in a docker json-file log line',
        String.raw`{"log":"loaded {\"pem\": \"-----BEGIN PRIVATE KEY-----` +
          SLOT +
          String.raw`\\n-----END PRIVATE KEY-----\\n\"}\n","stream":"stdout","time":"2024-05-01T12:00:00.000000000Z"}`,
      ),
    ],
    negatives: [
      { what: 'an escaped certificate', line: `{"cert": "-----BEGIN CERTIFICATE-----${escapedBody(PKCS8)}\\n-----END CERTIFICATE-----\\n"}` },
      { what: 'an escaped public key', line: `{"public_key": "-----BEGIN PUBLIC KEY-----${escapedBody(PKCS8.slice(0, 2))}\\n-----END PUBLIC KEY-----\\n"}` },
      { what: 'the private_key_id of a service account (40 hex)', line: `  "private_key_id": "${HEX40}",` },
      { what: 'a message naming the PEM markers', line: 'ValueError: expected "-----BEGIN PRIVATE KEY-----" and "-----END PRIVATE KEY-----" markers' },
    ],
  },
  {
    rule: 'azure-storage-key',
    positives: [
      pos(
        'azure-storage-key',
        S.azureAccountKey,
        'AccountKey= in a storage connection string',
        `DefaultEndpointsProtocol=https;AccountName=acmeprod;AccountKey=${SLOT};EndpointSuffix=core.windows.net`,
        { byDefault: KEY_VALUE },
      ),
      pos(
        'azure-storage-key',
        S.azureSharedKey,
        'SharedAccessKey= in a Service Bus connection string',
        `Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${SLOT}`,
        { byDefault: KEY_VALUE },
      ),
      pos(
        'azure-storage-key',
        S.azureAccountKey,
        'a connection string as a JSON value',
        `{"AzureWebJobsStorage": "DefaultEndpointsProtocol=https;AccountName=acmeprod;AccountKey=${SLOT};EndpointSuffix=core.windows.net"}`,
        { byDefault: KEY_VALUE },
      ),
    ],
    negatives: [
      { what: 'a connection string without a key', line: 'DefaultEndpointsProtocol=https;AccountName=acmeprod;EndpointSuffix=core.windows.net' },
      {
        what: 'the name of a shared access key',
        line: 'Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;EntityPath=jobs',
      },
      { what: 'a base64 MD5 header that is not a key', line: 'x-ms-blob-content-md5: 1B2M2Y8AsgTpgAmY7PhCfg==' },
      { what: 'an AccountKey shorter than a key', line: 'AccountKey=c2hvcnRrZXk=', ruleOnly: true },
    ],
  },
  {
    rule: 'azure-sas-signature',
    positives: [
      pos(
        'azure-sas-signature',
        S.azureSig,
        'sig= in a blob SAS URL',
        `GET https://acme.blob.core.windows.net/backups/db.dump?sv=2022-11-02&ss=b&srt=o&sp=r&se=2024-05-02T00:00:00Z&spr=https&sig=${SLOT} 403`,
        { byDefault: KEY_VALUE },
      ),
      pos(
        'azure-sas-signature',
        S.azureSig,
        'sig= in the middle of a query string',
        `"GET /backups/db.dump?sp=r&sig=${SLOT}&se=2024-05-02T00%3A00%3A00Z HTTP/1.1" 403 215`,
        { byDefault: KEY_VALUE },
      ),
      pos('azure-sas-signature', S.azureSig, 'sig= in a SAS token after a semicolon', `sas: sv=2022-11-02;sig=${SLOT};se=2024-05-02`, { byDefault: KEY_VALUE }),
    ],
    negatives: [
      { what: 'a parameter that merely contains sig', line: '?design=compact&sigma=0123456789abcdefghij' },
      { what: 'signature_valid=true', line: 'signature_valid=true' },
      { what: 'a SAS URL without a signature', line: 'https://acme.blob.core.windows.net/backups/db.dump?sv=2022-11-02&sp=r&se=2024-05-02T00:00:00Z' },
      { what: 'a sig= value too short for a signature', line: 'https://acme.blob.core.windows.net/x?sig=abc123', ruleOnly: true },
    ],
  },
  {
    rule: 'github-token',
    positives: [
      pos('github-token', S.ghp, 'a classic PAT bare in a log line', `remote: Permission to acme/app.git denied to deploy-bot using ${SLOT}.`),
      pos('github-token', S.ghp, 'a PAT in a docker inspect Env entry', `                "GH_AUTH=${SLOT}",`),
      pos('github-token', S.gho, 'an OAuth token in an Authorization header', `Authorization: token ${SLOT}`, { byDefault: AUTHORIZATION }),
      pos('github-token', S.ghp, 'a PAT as the password of a clone URL', `git clone https://x-access-token:${SLOT}@github.com/acme/app.git`, {
        byDefault: URL_PASSWORD,
      }),
      pos('github-token', S.ghp, 'a PAT under a secret-named env key', `GITHUB_TOKEN=${SLOT}`, { byDefault: KEY_VALUE }),
    ],
    negatives: [
      { what: 'ghp_ with 35 characters', line: `remote ${S.ghp.slice(0, -1)} ok` },
      { what: 'an unknown gh?_ prefix', line: `remote ghx_${S.ghp.slice(4)} ok` },
      { what: 'ghp_ embedded in a longer identifier', line: `remote myghp_${S.ghp.slice(4)}_v2 ok` },
    ],
  },
  {
    rule: 'github-fine-grained-token',
    positives: [
      pos('github-fine-grained-token', S.ghPat, 'a fine-grained PAT as the user of a clone URL', `git ls-remote https://${SLOT}@github.com/acme/app.git`),
      pos('github-fine-grained-token', S.ghPat, 'a fine-grained PAT in a JSON document', `{"github": {"auth": "${SLOT}"}}`),
      pos('github-fine-grained-token', S.ghPat, 'a fine-grained PAT in an env line', `GITHUB_AUTH=${SLOT}`),
    ],
    negatives: [
      { what: 'github_pat_ with 81 characters', line: `GITHUB_AUTH=${S.ghPat.slice(0, -1)}` },
      { what: 'github_pat_ with 83 characters', line: `GITHUB_AUTH=${S.ghPat}x` },
      { what: 'github_pat_ embedded in a longer identifier', line: `see my_${S.ghPat}` },
      { what: 'a sentence naming the prefix', line: 'fine-grained tokens start with github_pat_ (see the docs)' },
    ],
  },
  {
    rule: 'gitlab-token',
    positives: [
      pos('gitlab-token', S.glpat, 'a glpat- token bare in a log line', `DEBUG gitlab: authenticated as deploy-bot via ${SLOT}`),
      pos('gitlab-token', S.glpat, 'a glpat- token in a PRIVATE-TOKEN header', `PRIVATE-TOKEN: ${SLOT}`, { byDefault: KEY_VALUE }),
      pos('gitlab-token', S.glpat, 'a glpat- token as the password of a clone URL', `https://oauth2:${SLOT}@gitlab.example.com/acme/app.git`, {
        byDefault: URL_PASSWORD,
      }),
      pos('gitlab-token', S.glpat, 'a glpat- token in a JSON value', `{"gitlab": "${SLOT}"}`),
    ],
    negatives: [
      { what: 'glpat- with 19 characters', line: `via ${S.glpat.slice(0, -1)}` },
      { what: 'glpat- embedded in a longer identifier', line: `via xglpat-${S.glpat.slice(6)}` },
      { what: 'glpat_ with the wrong separator', line: `via glpat_${S.glpat.slice(6)}` },
    ],
  },
  {
    rule: 'slack-token',
    positives: [
      pos('slack-token', S.slackBot, 'a bot token bare in a log line', `slack_bolt.App INFO connected with ${SLOT}`),
      pos('slack-token', S.slackBot, 'a bot token in a JSON value', `{"ok": true, "bot": "${SLOT}"}`),
      pos('slack-token', S.slackApp, 'an app-level token in an env line', `SLACK_APP_LEVEL=${SLOT}`),
      pos('slack-token', S.slackBot, 'a bot token under a secret-named key', `SLACK_BOT_TOKEN=${SLOT}`, { byDefault: KEY_VALUE }),
    ],
    negatives: [
      { what: 'xoxb- with too few characters', line: 'token kind xoxb-12345 is not enough' },
      { what: 'an unknown xox?- prefix', line: `slack ${S.slackBot.replace('xoxb-', 'xoxz-')}` },
      { what: 'xoxb- embedded in a longer identifier', line: `slack my${S.slackBot}` },
    ],
  },
  {
    rule: 'slack-webhook',
    positives: [
      pos(
        'slack-webhook',
        S.slackHook,
        'the secret of a webhook URL in an env line',
        `SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T0123ABCD/B0456EFGH/${SLOT}`,
      ),
      pos(
        'slack-webhook',
        S.slackHook,
        'the secret of a webhook URL in JSON',
        `{"channel": "#ops", "webhook": "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/${SLOT}"}`,
      ),
      pos(
        'slack-webhook',
        S.slackHook,
        'the secret of a workflow webhook in a log line',
        `POST https://hooks.slack.com/workflows/T0123ABCD/A0456EFGH/${SLOT} -> 200`,
      ),
    ],
    negatives: [
      { what: 'a webhook path with a short last part', line: 'POST https://hooks.slack.com/services/T0123ABCD/B0456EFGH/short -> 404' },
      { what: 'Slack documentation URLs', line: 'see https://api.slack.com/messaging/webhooks and https://hooks.slack.com/' },
    ],
  },
  {
    rule: 'stripe-key',
    positives: [
      pos('stripe-key', S.stripe, 'a live secret key in a curl command', `curl https://api.stripe.com/v1/charges -u ${SLOT}: -d amount=2000`),
      pos('stripe-key', S.stripeRestricted, 'a restricted key in a JSON value', `{"stripe": {"mode": "test", "restricted": "${SLOT}"}}`),
      pos('stripe-key', S.stripeWebhook, 'a webhook secret in an env line', `STRIPE_WEBHOOK=${SLOT}`),
      pos('stripe-key', S.stripe, 'a live key under a secret-named key', `STRIPE_SECRET_KEY=${SLOT}`, { byDefault: KEY_VALUE }),
    ],
    negatives: [
      { what: 'a publishable key (public by design)', line: `STRIPE_PUBLISHABLE=pk_live_${S.stripe.slice(8)}` },
      { what: 'sk_live_ with 15 characters', line: `stripe sk_live_${S.stripe.slice(8, 23)} ok` },
      { what: 'sk_test_ embedded in a longer identifier', line: `pytest -k task_test_${S.stripe.slice(8)}` },
    ],
  },
  {
    rule: 'sendgrid-api-key',
    positives: [
      pos('sendgrid-api-key', S.sendgrid, 'an API key bare in a log line', `python_http_client DEBUG sending mail with ${SLOT}`),
      pos('sendgrid-api-key', S.sendgrid, 'an API key in a JSON value', `{"sendgrid": "${SLOT}"}`),
      pos('sendgrid-api-key', S.sendgrid, 'an API key under a secret-named env key', `SENDGRID_API_KEY=${SLOT}`, { byDefault: KEY_VALUE }),
    ],
    negatives: [
      { what: 'SG. with a short first part', line: `mail ${S.sendgrid.slice(0, 3)}${S.sendgrid.slice(4)}` },
      { what: 'SG. embedded after a letter', line: `mail M${S.sendgrid}` },
      { what: 'an SG.<version> string', line: 'firewall SG.v2.default allows 443' },
    ],
  },
  {
    rule: 'twilio-api-key',
    positives: [
      pos('twilio-api-key', S.twilio, 'an API key SID bare in a log line', `twilio.http_client INFO authenticated with API key ${SLOT}`),
      pos('twilio-api-key', S.twilio, 'an API key SID in JSON', `{"sid": "${SLOT}", "friendly_name": "deploy"}`),
      pos('twilio-api-key', S.twilioUpper, 'an API key SID in upper-case hex in an env line', `TWILIO_API_SID=${SLOT}`),
    ],
    negatives: [
      { what: 'SK with 31 hex digits', line: `sid ${S.twilio.slice(0, -1)}` },
      { what: 'SK with 33 hex digits', line: `sid ${S.twilio}a` },
      { what: 'SK embedded after a letter', line: `sid A${S.twilio}` },
    ],
  },
  {
    rule: 'npm-token',
    positives: [
      pos('npm-token', S.npm, 'a token in a log line', `npm notice Publishing to https://registry.npmjs.org/ with ${SLOT}`),
      pos('npm-token', S.npm, 'a token in a JSON value', `{"registry": "https://registry.npmjs.org/", "npm": "${SLOT}"}`),
      pos('npm-token', S.npm, 'a token in .npmrc', `//registry.npmjs.org/:_authToken=${SLOT}`, { byDefault: KEY_VALUE }),
    ],
    negatives: [
      { what: "npm's own env variables", line: 'npm_config_cache=/root/.npm npm_package_version=1.4.2 npm_lifecycle_event=build' },
      { what: 'npm_ with 35 characters', line: `token ${S.npm.slice(0, -1)}` },
      { what: 'npm_ embedded in a longer identifier', line: `pnpm_${S.npm.slice(4)}` },
    ],
  },
  {
    rule: 'pypi-token',
    positives: [
      pos('pypi-token', S.pypi, 'a token on a twine command line', `twine upload -u __token__ -p ${SLOT} dist/*`),
      pos('pypi-token', S.pypi, 'a token in a JSON value', `{"pypi": "${SLOT}"}`),
      pos('pypi-token', S.pypi, 'a token in .pypirc', `password = ${SLOT}`, { byDefault: KEY_VALUE }),
    ],
    negatives: [
      { what: 'pypi-AgE with 49 characters', line: `upload ${S.pypi.slice(0, 8 + 49)}` },
      { what: 'a package name starting with pypi-', line: 'Successfully installed pypi-simple-1.5.0 pypi-attestations-0.0.9' },
      { what: 'pypi-AgE embedded in a longer identifier', line: `upload my${S.pypi}` },
    ],
  },
  {
    rule: 'dockerhub-pat',
    positives: [
      pos('dockerhub-pat', S.dockerhub, 'a PAT piped to docker login', `echo ${SLOT} | docker login -u acme --password-stdin`),
      pos('dockerhub-pat', S.dockerhub, 'a PAT after docker login -p', `docker login -u acme -p ${SLOT} registry-1.docker.io`),
      pos('dockerhub-pat', S.dockerhub, 'a PAT as a password in CI YAML', `          password: ${SLOT}`, { byDefault: KEY_VALUE }),
    ],
    negatives: [
      { what: 'dckr_pat_ with 26 characters', line: `login ${S.dockerhub.slice(0, -1)}` },
      { what: 'dckr_pat_ embedded in a longer identifier', line: `login xdckr_pat_${S.dockerhub.slice(9)}` },
    ],
  },
  {
    rule: 'openai-api-key',
    positives: [
      pos(
        'openai-api-key',
        S.openai,
        'a project key in an error message',
        `openai.AuthenticationError: Error code: 401 - Incorrect API key provided: ${SLOT}.`,
      ),
      pos('openai-api-key', S.openai, 'a project key in a JSON value', `{"openai": "${SLOT}"}`),
      pos('openai-api-key', S.openai, 'a project key under a secret-named env key', `OPENAI_API_KEY=${SLOT}`, { byDefault: KEY_VALUE }),
    ],
    negatives: [
      { what: 'sk-proj- with 39 characters', line: `key ${S.openai.slice(0, 8 + 39)}` },
      { what: 'sk- without a project prefix or the legacy marker', line: `key sk-${mixed(ALNUM, 48)}` },
      { what: 'sk- embedded in a longer identifier (task-proj-…)', line: `job task-proj-${S.openai.slice(8)}` },
    ],
  },
  {
    rule: 'anthropic-api-key',
    positives: [
      pos('anthropic-api-key', S.anthropic, 'an API key bare in a log line', `anthropic._base_client DEBUG request with ${SLOT}`),
      pos('anthropic-api-key', S.anthropic, 'an API key in a JSON value', `{"anthropic": "${SLOT}"}`),
      pos('anthropic-api-key', S.anthropic, 'an API key in an x-api-key header', `x-api-key: ${SLOT}`, { byDefault: KEY_VALUE }),
    ],
    negatives: [
      { what: 'sk-ant-api03- with 79 characters', line: `key ${S.anthropic.slice(0, 13 + 79)}` },
      { what: 'a wrong version part', line: `key sk-ant-api3-${S.anthropic.slice(13)}` },
      { what: 'sk-ant- embedded in a longer identifier', line: `key task-ant-api03-${S.anthropic.slice(13)}` },
    ],
  },
  {
    rule: 'sentry-dsn-key',
    positives: [
      pos('sentry-dsn-key', S.sentry, 'the key of a DSN in sentry_sdk.init', `sentry_sdk.init("https://${SLOT}@o1.ingest.sentry.io/1")`),
      pos(
        'sentry-dsn-key',
        S.sentry,
        'the key of a DSN in a transport log line',
        `DEBUG sentry_sdk.transport: Sending envelope to https://${SLOT}@o1.ingest.us.sentry.io/api/1/envelope/`,
      ),
      pos('sentry-dsn-key', S.sentry, 'the key of a self-hosted DSN in an env line', `SENTRY_URL=https://${SLOT}@sentry.example.com/3`),
      pos('sentry-dsn-key', S.sentry, 'a DSN under the dsn key (the whole value goes)', `{"dsn": "https://${SLOT}@o1.ingest.sentry.io/1"}`, {
        full: `{"dsn": "${tok(KEY_VALUE, `https://${S.sentry}@o1.ingest.sentry.io/1`)}"}`,
      }),
    ],
    negatives: [
      { what: 'a key of 31 hex digits', line: `sentry_sdk.init("https://${S.sentry.slice(1)}@o1.ingest.sentry.io/1")` },
      { what: 'a 32-hex user in a URL that is not Sentry', line: `https://${S.sentry}@example.com/1` },
      { what: 'the Sentry ingest URL without a key', line: 'POST https://o1.ingest.sentry.io/api/1/envelope/ 200' },
    ],
  },
  {
    rule: 'heroku-api-key',
    positives: [
      pos('heroku-api-key', S.heroku, 'an API key bare in a log line', `heroku-cli: authenticated with ${SLOT}`),
      pos('heroku-api-key', S.heroku, 'an API key in a .netrc line', `machine api.heroku.com login me@example.com password ${SLOT}`),
      pos('heroku-api-key', S.heroku, 'an API key under a secret-named env key', `HEROKU_API_KEY=${SLOT}`, { byDefault: KEY_VALUE }),
    ],
    negatives: [
      { what: 'HRKU- with 59 characters', line: `auth ${S.heroku.slice(0, -1)}` },
      { what: 'HRKU- with 61 characters', line: `auth ${S.heroku}x` },
      { what: 'HRKU- embedded in a longer identifier', line: `auth XHRKU-${S.heroku.slice(5)}` },
    ],
  },
  {
    rule: 'mailgun-api-key',
    positives: [
      pos('mailgun-api-key', S.mailgun, 'a key- API key in a curl --user', `curl -s --user 'api:${SLOT}' https://api.mailgun.net/v3/mg.example.com/messages`),
      pos('mailgun-api-key', S.mailgun, 'a key- API key in a JSON value', `{"mailgun": "${SLOT}"}`),
      pos('mailgun-api-key', S.mailgunPrivate, 'a private API key next to a mailgun name', `anymail.backends.mailgun DEBUG using ${SLOT}`),
    ],
    negatives: [
      { what: 'key- with 31 hex digits', line: `cache key-${S.mailgun.slice(5)}` },
      { what: 'key- embedded in a longer identifier', line: `monkey-${S.mailgun.slice(4)} cache-key-${S.mailgun.slice(4)}` },
      { what: 'a UUID next to mailgun', line: `mailgun webhook event id=${UUID} delivered` },
    ],
  },
  {
    rule: 'jwt',
    positives: [
      pos('jwt', S.jwt, 'a JWT bare in a log line', `WARNING rest_framework_simplejwt: token ${SLOT} is expired`),
      pos('jwt', S.jwt, 'a JWT in a SimpleJWT JSON response', `{"access": "${SLOT}"}`),
      pos('jwt', S.jwt, 'a JWT in a URL query', `"GET /verify?t=${SLOT} HTTP/1.1" 200 17`),
      pos('jwt', S.jwt, 'a JWT under a secret-named JSON key', `{"refresh_token": "${SLOT}"}`, { byDefault: KEY_VALUE }),
    ],
    negatives: [
      { what: 'a JWT header on its own', line: 'header eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9 ok' },
      { what: 'base64 JSON that is not a token', line: '"data": "eyJmb28iOiJiYXIiLCJjb3VudCI6NDJ9"' },
      { what: 'two parts without a payload starting eyJ', line: 'eyJhbGciOiJIUzI1NiJ9.bm90IGEgcGF5bG9hZA.c2ln' },
    ],
  },
];

// ---------------------------------------------------------------------------------------------------
// The rules added with the rule table (redaction/providers/): cases generated from one example secret per
// rule (provider-specs.ts). A token with a prefix is tried bare in a log line, as a JSON member and in an
// env line; a value anchored on the provider's name in a JSON member under that name, in a command-line
// flag and in an env line under NAME_API_KEY (which the secret-key-value rule names in the default set).
// Near misses: the token cut short, glued after a letter, and a context value without its context.

function generatedCases(spec: ProviderSpec): ProviderCases {
  const { rule, secret } = spec;
  const positives: Positive[] = [];
  const negatives: Negative[] = [];
  if (spec.lines) {
    for (const line of spec.lines) {
      const t = typeof line === 'string' ? { t: line } : line;
      positives.push(pos(rule, secret, `custom line ${t.t.slice(0, 40)}`, t.t, { byDefault: t.byDefault, full: t.full }));
    }
  } else if (spec.ctx !== undefined) {
    const ctx = spec.ctx;
    positives.push(pos(rule, secret, `a JSON member named ${ctx}`, `{"${ctx}": "${SLOT}", "region": "eu-west-1"}`, spec.kv ? { byDefault: KEY_VALUE } : {}));
    // `--<secret-looking name>=value` is a key and its value (secret-key-value claims the same span first).
    positives.push(pos(rule, secret, 'a command-line flag', `exec /usr/bin/agent --${ctx}-auth=${SLOT} --verbose`, spec.kv ? { byDefault: KEY_VALUE } : {}));
    positives.push(pos(rule, secret, 'an env line under NAME_API_KEY', `${ctx.toUpperCase().replace(/-/g, '_')}_API_KEY=${SLOT}`, { byDefault: KEY_VALUE }));
  } else {
    positives.push(pos(rule, secret, 'bare in a log line', `2024-05-01 12:00:00,123 WARNING app.client: request with ${SLOT} failed (401)`));
    positives.push(pos(rule, secret, 'a JSON member', `{"service": "acme", "value": "${SLOT}"}`));
    positives.push(pos(rule, secret, 'an env line', `ACME_VALUE=${SLOT}`));
  }
  if (spec.near) negatives.push(...spec.near.map((line) => ({ what: `near miss: ${line.slice(0, 50)}`, line })));
  else if (spec.ctx !== undefined) {
    negatives.push({ what: 'the value without its provider context', line: `2024-05-01 12:00:00 INFO build_ref=${secret} done` });
    negatives.push({
      what: 'the provider context with a value cut short',
      line: `{"${spec.ctx}": "${secret.slice(0, Math.min(secret.length - 3, 16))}"}`,
      ...(spec.kv ? { ruleOnly: true as const } : {}),
    });
    negatives.push({ what: 'the provider context with a placeholder', line: `${spec.ctx} = \${${spec.ctx.toUpperCase().replace(/-/g, '_')}}` });
  }
  if (spec.prefix) {
    negatives.push({ what: 'the prefix with a truncated body', line: `2024-05-01 12:00:00 INFO using ${secret.slice(0, spec.prefix.length + 6)} (truncated)` });
    if (!spec.noGlue) negatives.push({ what: 'the token glued after a letter', line: `2024-05-01 12:00:00 INFO ref x${secret} end` });
  }
  return { rule, positives, negatives };
}

const cases: readonly ProviderCases[] = [...handWritten, ...providerSpecs.map(generatedCases)];

/** Near misses that no provider rule may touch (each rule is run alone over them). */
const commonNearMisses: readonly { readonly what: string; readonly line: string }[] = [
  { what: 'a 64-hex container ID', line: `"Id": "${HEX64}",` },
  { what: 'a sha256 digest', line: `"Image": "sha256:${HEX64}",` },
  { what: 'a 40-hex git SHA', line: `commit ${HEX40} (HEAD -> main)` },
  { what: 'a UUID', line: `request_id=${UUID}` },
  { what: 'base64 that is not a key', line: 'Content-MD5: 1B2M2Y8AsgTpgAmY7PhCfg== data=dGhpcyBpcyBub3QgYSBzZWNyZXQsIGp1c3QgdGV4dA==' },
  { what: 'a docker ps row', line: `${HEX64.slice(0, 12)}   postgres:16   "docker-entrypoint.s…"   Up 2 hours (healthy)   0.0.0.0:5432->5432/tcp   app-db-1` },
];

const ruleById = (id: string): Rule => {
  const rule = providerRules.find((r) => r.id === id);
  if (!rule) throw new Error(`no provider rule ${id}`);
  return rule;
};

const positives = cases.flatMap((c) => c.positives.map((p) => [`${c.rule}: ${p.what}`, c.rule, p] as const));
const negatives = cases.flatMap((c) => c.negatives.map((n) => [`${c.rule}: ${n.what}`, c.rule, n] as const));

describe('provider rules', () => {
  it('has cases for every provider rule: at least two positives in different syntaxes and two near misses', () => {
    const covered = new Set(cases.map((c) => c.rule));
    for (const rule of providerRules) expect(covered.has(rule.id), rule.id).toBe(true);
    for (const c of cases) {
      expect(
        providerRules.some((r) => r.id === c.rule),
        c.rule,
      ).toBe(true);
      expect(new Set(c.positives.map((p) => p.input)).size, c.rule).toBeGreaterThanOrEqual(2);
      expect(c.negatives.filter((n) => !n.ruleOnly).length, c.rule).toBeGreaterThanOrEqual(2);
    }
  });

  it.each(positives)('%s: redacted by the rule alone', (_name, id, { input, alone, secret }) => {
    const out = makeRedactor({ rules: [ruleById(id)] }).text(input, 'f');
    expect(out).toBe(alone);
    expect(out).not.toContain(secret);
  });

  it.each(positives)(
    '%s: redacted by the default rule set, in text and stream, and left alone when redacted again',
    async (_name, _id, { input, full, secret }) => {
      const out = makeRedactor().text(input, 'f');
      expect(out).toBe(full);
      expect(out).not.toContain(secret);
      expect(await redactString(makeRedactor(), `${input}\n`, [3])).toBe(`${full}\n`);
      // verify rescans bundles: the output must not read as holding a secret.
      const again = makeRedactor();
      expect(again.text(full, 'f')).toBe(full);
      expect(again.report.total).toBe(0);
    },
  );

  it.each(positives)('%s: the hint accepts it', (_name, id, { input }) => {
    const rule = ruleById(id);
    if (rule.hint) expect(rule.hint.test(input)).toBe(true);
  });

  it.each(negatives)('%s: left alone', (_name, id, { line, ruleOnly }) => {
    expect(makeRedactor({ rules: [ruleById(id)] }).text(line, 'f')).toBe(line);
    if (!ruleOnly) {
      const r = makeRedactor();
      expect(r.text(line, 'f')).toBe(line);
      expect(r.report.total).toBe(0);
    }
  });

  it.each(commonNearMisses.map((n) => [n.what, n.line] as const))('no provider rule touches %s', (_what, line) => {
    for (const rule of providerRules) expect(makeRedactor({ rules: [rule] }).text(line, 'f'), rule.id).toBe(line);
  });

  it('redacts both the key and the legacy secret of an old-style Sentry DSN', () => {
    const input = `SENTRY_URL=https://${S.sentry}:${S.sentrySecret}@o1.ingest.sentry.io/1`;
    expect(makeRedactor().text(input, 'f')).toBe(
      `SENTRY_URL=https://${tok('sentry-dsn-key', S.sentry)}:${tok(URL_PASSWORD, S.sentrySecret)}@o1.ingest.sentry.io/1`,
    );
  });

  it('redacts several provider tokens on one line, each under its own rule', () => {
    const input = `env GH_AUTH=${S.ghp} NPM=${S.npm} SLACK=${S.slackBot} AWS_ACCESS_KEY_ID=${S.awsKeyId}`;
    expect(makeRedactor().text(input, 'f')).toBe(
      `env GH_AUTH=${tok('github-token', S.ghp)} NPM=${tok('npm-token', S.npm)} SLACK=${tok('slack-token', S.slackBot)} AWS_ACCESS_KEY_ID=${tok('aws-access-key-id', S.awsKeyId)}`,
    );
  });

  it('are valid, frozen, and come after the structure-aware rules in the default set', () => {
    expect(Object.isFrozen(providerRules)).toBe(true);
    for (const r of providerRules) {
      expect(Object.isFrozen(r)).toBe(true);
      expect(r.pattern.global).toBe(true);
    }
    expect(defaultRules.slice(-providerRules.length)).toEqual(providerRules);
    expect(new Set(defaultRules.map((r) => r.id)).size).toBe(defaultRules.length);
  });
});

// ---------------------------------------------------------------------------------------------------
// Survivors: ordinary diagnostics the whole default rule set must pass byte-for-byte.

const survivors: readonly { readonly what: string; readonly line: string }[] = [
  {
    what: 'a docker ps header',
    line: 'CONTAINER ID   IMAGE                COMMAND                  CREATED        STATUS                  PORTS                    NAMES',
  },
  {
    what: 'a docker ps row',
    line: `${HEX64.slice(0, 12)}   postgres:16-alpine   "docker-entrypoint.s…"   2 hours ago    Up 2 hours (healthy)    0.0.0.0:5432->5432/tcp   app-db-1`,
  },
  { what: 'a docker inspect Id', line: `        "Id": "${HEX64}",` },
  { what: 'a docker inspect Image digest', line: `        "Image": "sha256:${HEX64}",` },
  { what: 'a RepoDigests entry', line: `            "postgres@sha256:${HEX64}"` },
  { what: 'a docker pull digest line', line: `Digest: sha256:${HEX64}` },
  { what: 'a docker inspect Created timestamp', line: '        "Created": "2024-05-01T12:34:56.789012345Z",' },
  {
    what: 'a docker network address block',
    line: '"IPAddress": "172.18.0.2", "IPPrefixLen": 16, "GlobalIPv6Address": "2001:db8::242:ac12:2", "MacAddress": "02:42:ac:12:00:02"',
  },
  { what: 'a git log header', line: `commit ${HEX40} (HEAD -> main, origin/main)` },
  { what: 'a git log merge line', line: `Merge: ${HEX40.slice(0, 7)} ${HEX64.slice(0, 7)}` },
  { what: 'a git log author', line: 'Author: Jane Dev <jane@example.com>' },
  { what: 'a git log date', line: 'Date:   Wed May 1 12:34:56 2024 +0200' },
  { what: 'a git log subject with alarming words', line: '    Rotate secret key handling; bump tokenizer to 1.2.3 (#42)' },
  { what: 'a git oneline', line: `${HEX40.slice(0, 7)} fix: keyboard shortcuts for the passenger list` },
  { what: 'git show-ref output', line: `${HEX40} refs/heads/main` },
  { what: 'a UUID request id', line: `request_id=${UUID} status=200 duration_ms=12` },
  { what: 'a UUID in an X-Request-Id header', line: `X-Request-Id: ${UUID}` },
  {
    what: 'a celery task line with a UUID',
    line: `[2024-05-01 12:00:00,123: INFO/ForkPoolWorker-1] Task tasks.rotate_secret[${UUID}] succeeded in 0.01s: None`,
  },
  { what: 'ISO timestamps', line: '2024-05-01T12:34:56Z 2024-05-01T12:34:56.789+02:00 2024-05-01 12:34:56,789' },
  { what: 'IPv4 addresses with ports', line: 'Listening at: http://0.0.0.0:8000 (7); upstream 172.18.0.3:5432, 10.0.0.1:6379' },
  { what: 'IPv6 addresses with ports', line: 'listen [::]:80; listen [::1]:8000; peer [2001:db8::1]:443 fe80::42:acff:fe12:2%eth0' },
  { what: 'an http URL with a port and path', line: 'GET http://web:8000/api/v1/health/ -> 200 OK' },
  { what: 'an https URL with a port and query', line: 'Starting development server at http://127.0.0.1:8000/?next=/admin/' },
  { what: 'a Django migration name', line: '  Applying orders.0002_auto_20230101_1200... OK' },
  { what: 'a showmigrations line', line: ' [X] 0012_alter_user_first_name_max_length' },
  { what: 'an HTTP status line', line: 'HTTP/1.1 502 Bad Gateway' },
  { what: 'a 401 status with WWW-Authenticate', line: 'WWW-Authenticate: Bearer realm="api", error="invalid_token"' },
  { what: 'an access log line', line: '172.18.0.1 - - [01/May/2024:12:34:56 +0000] "POST /api/token/refresh/ HTTP/1.1" 401 58 "-" "python-requests/2.31.0"' },
  { what: 'a traceback header', line: 'Traceback (most recent call last):' },
  { what: 'a traceback frame in a token module', line: '  File "/app/accounts/tokens.py", line 12, in check_token' },
  { what: 'a traceback frame in django.core.signing', line: '  File "/usr/local/lib/python3.12/site-packages/django/core/signing.py", line 195, in unsign' },
  { what: 'a traceback source line that assigns a subscript to a secret-named variable', line: '    token = request.headers["Authorization"].split()[1]' },
  { what: 'a traceback KeyError naming a setting', line: "KeyError: 'SECRET_KEY'" },
  { what: 'an ImproperlyConfigured message', line: 'django.core.exceptions.ImproperlyConfigured: The SECRET_KEY setting must not be empty.' },
  {
    what: 'a password authentication failure',
    line: 'django.db.utils.OperationalError: connection to server at "db" (172.18.0.2), port 5432 failed: FATAL:  password authentication failed for user "app"',
  },
  { what: 'a TypeError naming check_password', line: "TypeError: check_password() missing 1 required positional argument: 'encoded'" },
  { what: 'semver strings', line: 'Django 4.2.11, psycopg 3.1.18, node v20.11.1, 2.0.0-rc.1+build.123, 1.0.0-alpha.beta' },
  { what: 'task-1 style names', line: 'task-1 task-2 worker-3 app-web-1 web_1 celery@worker-1' },
  { what: 'words containing secret words', line: 'keyboard passenger tokenizer secretary passthrough bypass monkey' },
  { what: 'signature_valid=true', line: 'signature_valid=true' },
  { what: 'words as keys', line: 'tokenizer=bert-base-uncased passenger_count=3 secretary=Jane keyboard_layout=us' },
  { what: 'empty secret collections', line: '    "Secrets": null, "secrets": [], "tokens": {}' },
  { what: 'a /proc/meminfo line', line: 'MemTotal:        8048576 kB' },
  { what: 'a gunicorn boot line', line: '[2024-05-01 12:00:00 +0000] [7] [INFO] Booting worker with pid: 7' },
];

describe('survivors of the default rule set', () => {
  it.each(survivors.map((s) => [s.what, s.line] as const))('keeps %s byte-for-byte', (_what, line) => {
    const r = makeRedactor();
    expect(r.text(line, 'f')).toBe(line);
    expect(r.report.total).toBe(0);
  });

  it('keeps all of them byte-for-byte as one stream, in any chunking', async () => {
    const text = `${survivors.map((s) => s.line).join('\r\n')}\n`;
    for (const sizes of [[1], [2, 7, 3], [64], [1 << 20]]) {
      const r = makeRedactor();
      expect(await redactString(r, text, sizes)).toBe(text);
      expect(r.report.total).toBe(0);
    }
  });

  // Found while writing these tests: the key-value rule read a Python exception line (`module.ClassName:
  // message`) as `key: value` when the class name holds a secret word; outcome words are metadata now.
  it.each([
    'django.core.signing.BadSignature: Signature "abc123def" does not match',
    'itsdangerous.exc.SignatureExpired: Signature age 3601 > 3600 seconds',
    'jwt.exceptions.InvalidSignatureError: Signature verification failed',
    'signature_valid=1 token_valid=yes',
    '    secret = settings.SECRET_KEY',
    '    token = self.token_cache',
  ])('keeps a diagnostic line that only looks like a secret key: %s', (line) => {
    const r = makeRedactor();
    expect(r.text(line, 'traceback.txt')).toBe(line);
    expect(r.report.total).toBe(0);
  });
});
