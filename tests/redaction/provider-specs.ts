/**
 * Example secrets for every provider rule added with the rule table (redaction/providers/): one realistic
 * secret per rule, generated from a fixed seed with the format's own alphabet and length, and how it is
 * anchored (a literal prefix, or the provider's name as context). providers.test.ts turns each spec into
 * positives (a log line, a JSON member, an env or flag line) and near misses (truncated, glued into a
 * word, without its context); rule-conformance.test.ts builds its adversarial lines from the same data.
 * The secrets are random: none of them is a real credential.
 */
import { prng } from './support.js';

const next = prng(20250601);
const pick = (alphabet: string, n: number): string => Array.from({ length: n }, () => alphabet[Math.floor(next() * alphabet.length)]!).join('');
const UP = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LO = 'abcdefghijklmnopqrstuvwxyz';
const DIG = '0123456789';
/** Every kind of character the alphabet has (digits, upper, lower) is present, like real tokens. */
function mix(alphabet: string, n: number): string {
  const kinds = [/[0-9]/, /[A-Z]/, /[a-z]/].filter((k) => k.test(alphabet));
  for (;;) {
    const s = pick(alphabet, n);
    if (n < 6 || kinds.every((k) => k.test(s))) return s;
  }
}
export const a = (n: number): string => mix(UP + LO + DIG, n);
export const u = (n: number): string => mix(`${UP}${LO}${DIG}_-`, n);
export const b64 = (n: number): string => mix(`${UP}${LO}${DIG}+/`, n);
export const h = (n: number): string => pick('0123456789abcdef', n);
export const lo = (n: number): string => pick(LO + DIG, n);
export const up = (n: number): string => pick(UP + DIG, n);
export const letters = (n: number): string => mix(UP + LO, n);
export const uuid = (): string => `${h(8)}-${h(4)}-4${h(3)}-a${h(3)}-${h(12)}`;

export interface ProviderSpec {
  readonly rule: string;
  readonly secret: string;
  /** Token rules: the literal prefix the secret starts with ('' for a token without one). */
  readonly prefix?: string;
  /** Keyed/near rules: a provider name as it appears before the value (neutral, not a secret key name). */
  readonly ctx?: string;
  /** The context itself is a secret key name: in the JSON member the secret-key-value rule names the value. */
  readonly kv?: true;
  /** Custom positives (templates with §) instead of the generated ones; `full` overrides the default output. */
  readonly lines?: readonly (string | { readonly t: string; readonly byDefault?: string; readonly full?: string })[];
  /** Custom near misses (kept by the rule alone and by the default set). */
  readonly near?: readonly string[];
  /** Skip the generated "glued after a letter" near miss (the format has no prefix to glue to). */
  readonly noGlue?: true;
}

const T = (rule: string, prefix: string, rest: string, extra: Partial<ProviderSpec> = {}): ProviderSpec => ({ rule, prefix, secret: prefix + rest, ...extra });
const K = (rule: string, ctx: string, secret: string, extra: Partial<ProviderSpec> = {}): ProviderSpec => ({ rule, ctx, secret, ...extra });

const CRYPT = `./${UP}${LO}${DIG}`;
const BECH32 = 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L';
const DJANGO = 'abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)';

export const providerSpecs: readonly ProviderSpec[] = [
  // cloud
  K('aws-session-token', 'aws_session_token', `IQoJb3JpZ2luX2VjE${b64(180)}==`, { kv: true }),
  T('aws-mws-auth-token', 'amzn.mws.', uuid()),
  T('gcp-oauth-client-secret', 'GOCSPX-', u(28)),
  T('gcp-oauth-access-token', 'ya29.', `a0A${u(150)}`),
  T('gcp-oauth-refresh-token', '1//0', `g${u(100)}`),
  {
    rule: 'gcp-service-account-key-id',
    secret: h(40),
    lines: [
      '{"type": "service_account", "project_id": "acme-prod", "private_key_id": "§", "client_email": "ci@acme-prod.iam.gserviceaccount.com"}',
      String.raw`{"log":"loaded {\"type\":\"service_account\",\"project_id\":\"acme\",\"private_key_id\":\"§\"}\n","stream":"stdout"}`,
    ],
    near: [`{"type": "authorized_user", "private_key_id": "${h(40)}"}`, `{"type": "service_account", "private_key_id": "${h(39)}"}`],
  },
  {
    rule: 'azure-ad-client-secret',
    prefix: '',
    secret: `${a(3)}8Q~${u(20)}.${a(13)}`,
    noGlue: true,
    near: [`client ${a(3)}8Q~${a(10)}`, 'version 1.8Q~ is not a secret'],
  },
  { rule: 'azure-devops-pat', prefix: '', secret: `${a(76)}AZDO${a(4)}`, noGlue: true, near: [`ref ${a(70)}AZDO${a(4)}`, 'AZDO pipelines run 42'] },
  T('alibaba-access-key-id', 'LTAI', a(20)),
  K('alibaba-access-key-secret', 'alibaba', a(30)),
  T('digitalocean-pat', 'dop_v1_', h(64)),
  T('digitalocean-oauth-token', 'doo_v1_', h(64)),
  T('digitalocean-refresh-token', 'dor_v1_', h(64)),
  T('tencent-secret-id', 'AKID', a(32)),
  K('ibm-cloud-api-key', 'ibmcloud', u(44)),
  K('linode-api-token', 'linode', h(64)),
  K('vultr-api-key', 'vultr', `${up(34)}7Q`),
  T('scaleway-access-key', 'SCW', up(17)),
  K('scaleway-secret-key', 'scaleway', uuid()),
  K('hetzner-cloud-token', 'hcloud', a(64)),
  T('yandex-api-key', 'AQVN', u(36)),
  T('yandex-iam-token', 't1.', `${u(60)}.${u(86)}`),
  K('cloudflare-api-token', 'cloudflare', u(40)),
  K('cloudflare-global-api-key', 'cloudflare', h(37)),
  T('cloudflare-origin-ca-key', 'v1.0-', `${h(24)}-${h(146)}`),
  K('fastly-api-token', 'fastly', u(32)),
  T('akamai-edgegrid-token', 'akab-', `${lo(16)}-${lo(16)}`),
  K('akamai-client-secret', 'akamai', `${b64(43)}=`),
  // vcs
  T('gitlab-routable-token', 'glpat-', `${u(36)}.01${lo(7)}`),
  T('gitlab-ci-job-token', 'glcbt-', `64_${u(20)}`),
  T('gitlab-feature-flag-token', 'glffct-', u(20)),
  T('gitlab-feed-token', 'glft-', u(20)),
  T('gitlab-incoming-mail-token', 'glimt-', u(25)),
  T('gitlab-agent-token', 'glagent-', u(50)),
  T('gitlab-oauth-app-secret', 'gloas-', h(64)),
  T('gitlab-scim-token', 'glsoat-', u(20)),
  T('gitlab-session-cookie', '_gitlab_session=', h(32), {
    lines: ['GET /api/v4/user 200 cookie_header="§; preferred_language=en"', 'curl -b "§" https://gitlab.example.com/api/v4/user'],
  }),
  T('bitbucket-app-password', 'ATBB', `${a(28)}A1B2`),
  K('bitbucket-client-secret', 'bitbucket', a(32)),
  T('atlassian-api-token', 'ATATT3', `xFfGF0${u(180)}=0A1B2C3D`),
  K('atlassian-legacy-token', 'jira', a(24)),
  K('gitea-token', 'gitea', h(40)),
  T('sourcegraph-token', 'sgp_', `${h(16)}_${h(40)}`),
  K('codecov-token', 'codecov', uuid()),
  T('circleci-pat', 'CCIPAT_', `${a(22)}_${h(40)}`),
  K('circleci-token', 'circleci', h(40)),
  K('travis-ci-token', 'travis', u(22)),
  K('drone-ci-token', 'droneci', a(32)),
  T('buildkite-token', 'bkua_', h(40)),
  T('sonarqube-token', 'squ_', h(40)),
  K('sonar-token', 'sonar', h(40)),
  K('snyk-token', 'snyk', uuid()),
  T('artifactory-api-key', 'AKCp', a(69)),
  T('artifactory-reference-token', 'cmVmdGtu', `OjAxOj${a(50)}`),
  K('jfrog-access-token', 'jfrog', a(64)),
  {
    rule: 'terraform-cloud-token',
    prefix: '',
    secret: `${a(14)}.atlasv1.${u(67)}`,
    noGlue: true,
    near: [`id ${a(13)}.atlasv1.${u(67)}`, 'provider registry.terraform.io uses atlasv1 tokens'],
  },
  T('octopus-deploy-api-key', 'API-', up(26)),
  T('harness-token', 'pat.', `${u(22)}.${a(24)}.${a(20)}`),
  // packages
  T('dockerhub-oat', 'dckr_oat_', u(32)),
  T('rubygems-api-key', 'rubygems_', h(48)),
  T('nuget-api-key', 'oy2', lo(43)),
  T('crates-io-token', 'cio', a(32)),
  T('clojars-token', 'CLOJARS_', lo(60)),
  T('readme-api-key', 'rdme_', lo(70)),
  T('prefect-api-key', 'pnu_', a(36)),
  T('infracost-api-key', 'ico-', a(32)),
  // infra
  T('vault-service-token', 'hvs.', `CAESI${u(90)}`),
  T('vault-batch-token', 'hvb.', `AAAAAQ${u(130)}`),
  T('vault-recovery-token', 'hvr.', `AAAAAQ${u(90)}`),
  K('vault-legacy-token', 'vault', `s.${a(24)}`),
  T('doppler-personal-token', 'dp.pt.', a(43)),
  T('doppler-service-token', 'dp.st.', `dev.${a(40)}`),
  T('doppler-cli-token', 'dp.ct.', a(43)),
  T('doppler-service-account-token', 'dp.sa.', a(43)),
  T('doppler-scim-token', 'dp.scim.', a(43)),
  T('doppler-audit-token', 'dp.audit.', a(43)),
  T('pulumi-access-token', 'pul-', h(40)),
  T('flyio-token', 'fo1_', u(43)),
  T('flyio-macaroon', 'fm2_', `lJPECAAAAAAAA${b64(120)}==`),
  {
    rule: 'flyio-auth-header',
    secret: `fm2_lJPECAAAAAAAA${b64(120)},fm2_lJPE${b64(60)}`,
    lines: ['curl -H "Authorization: FlyV1 §" https://api.machines.dev/v1/apps', 'fly_auth = "FlyV1 §"'],
    near: ['Authorization: FlyV1 fm2_short', 'FlyV1 is the scheme of Fly.io macaroon tokens'],
  },
  T('netlify-pat', 'nfp_', a(36)),
  K('netlify-token', 'netlify', u(43)),
  K('vercel-token', 'vercel', a(24)),
  T('render-api-key', 'rnd_', a(32)),
  K('railway-token', 'railway', uuid()),
  K('heroku-legacy-api-key', 'heroku', uuid()),
  T('scalingo-api-token', 'tk-us-', u(48)),
  T('grafana-cloud-token', 'glc_', `eyJvIjoiMTIzNDU2IiwibiI6I${b64(60)}==`),
  T('grafana-service-account-token', 'glsa_', `${a(32)}_${h(8)}`),
  T('grafana-api-key', 'eyJrIjoi', `${a(80)}==`),
  T('new-relic-user-api-key', 'NRAK-', up(27)),
  T('new-relic-browser-key', 'NRJS-', h(19)),
  T('new-relic-insert-key', 'NRII-', u(32)),
  T('new-relic-admin-key', 'NRAA-', h(27)),
  {
    rule: 'new-relic-license-key',
    prefix: '',
    secret: `${h(36)}NRAL`,
    noGlue: true,
    near: [`license ${h(35)}NRAL`, 'NRAL is the suffix of New Relic license keys'],
  },
  K('datadog-api-key', 'datadog', h(32)),
  K('datadog-app-key', 'datadog', h(40)),
  K('pagerduty-api-key', 'pagerduty', `u+${a(18)}`),
  K('pagerduty-integration-key', 'pagerduty', h(32)),
  T('sentry-org-token', 'sntrys_', `eyJpYXQiOjE3MTQ1Njc4OTAuMCwidXJsIjoi${b64(60)}_${b64(43)}`),
  T('sentry-user-token', 'sntryu_', h(64)),
  K('sentry-legacy-token', 'sentry', h(64)),
  T('dynatrace-token', 'dt0c01.', `${up(24)}.${up(64)}`),
  T('databricks-token', 'dapi', h(32)),
  K('okta-api-token', 'okta', `00${u(40)}`),
  T('onepassword-service-account-token', 'ops_eyJ', `zaWduSW5BZGRyZXNzIjoi${b64(300)}`),
  K('onepassword-connect-token', 'op_connect', `eyJhbGciOiJFUzI1NiIsImtpZCI6${u(40)}.eyJ${u(60)}.${u(86)}`, {
    near: ['OP_CONNECT_HOST=http://op-connect:8080', '1password connect: token eyJhbGc is too short'],
  }),
  K('onepassword-secret-key', 'onepassword', `A3-${up(6)}-${up(6)}-${up(5)}-${up(5)}-${up(5)}-${up(5)}`, { kv: true }),
  T('tailscale-key', 'tskey-', `auth-${a(17)}-${a(33)}`),
  T('openshift-user-token', 'sha256~', u(43)),
  T('planetscale-password', 'pscale_pw_', u(43)),
  T('planetscale-token', 'pscale_tkn_', u(43)),
  T('planetscale-oauth-token', 'pscale_oauth_', u(43)),
  T('supabase-token', 'sbp_', h(40)),
  K('splunk-hec-token', 'splunk', uuid()),
  K('sumologic-access-key', 'sumologic', a(64)),
  K('launchdarkly-token', 'launchdarkly', `api-${uuid()}`),
  T('launchdarkly-sdk-key', 'sdk-', uuid()),
  K('ngrok-authtoken', 'ngrok', `2${a(26)}_${a(21)}`),
  T('settlemint-token', 'sm_pat_', a(16)),
  T('defined-networking-token', 'dnkey-', `${u(26)}-${u(52)}`),
  K('clickhouse-cloud-secret', 'clickhouse', `4b1d${a(38)}`),
  T('authress-access-key', 'sc_', `${a(12)}.${lo(5)}.acc_${lo(16)}.${b64(60)}`),
  { rule: 'maxmind-license-key', prefix: '', secret: `${a(6)}_${a(29)}_mmk`, noGlue: true, near: [`license ${a(6)}_${a(28)}_mmk`, 'keys end in _mmk'] },
  {
    rule: 'sidekiq-credentials',
    secret: `${h(8)}:${h(8)}`,
    lines: ['BUNDLE_ENTERPRISE__CONTRIBSYS__COM=§', 'source "https://§@enterprise.contribsys.com/" do'],
    near: ['source "https://enterprise.contribsys.com/" do', 'BUNDLE_GEMS__CONTRIBSYS__COM=abc123'],
  },
  // ai
  T('openrouter-api-key', 'sk-or-v1-', h(64)),
  T('huggingface-token', 'hf_', letters(34)),
  T('huggingface-org-token', 'api_org_', letters(34)),
  T('groq-api-key', 'gsk_', a(52)),
  T('replicate-api-token', 'r8_', a(37)),
  T('perplexity-api-key', 'pplx-', a(48)),
  T('xai-api-key', 'xai-', a(80)),
  T('pinecone-api-key', 'pcsk_', `${a(5)}_${a(64)}`),
  T('langsmith-api-key', 'lsv2_pt_', `${h(32)}_${h(10)}`),
  T('elevenlabs-api-key', 'sk_', h(48)),
  K('cohere-api-key', 'cohere', a(40)),
  K('mistral-api-key', 'mistral', a(32)),
  K('deepseek-api-key', 'deepseek', `sk-${h(32)}`),
  K('wandb-api-key', 'wandb', h(40)),
  K('privateai-api-key', 'privateai', a(32)),
  // saas
  T('linear-api-key', 'lin_api_', a(40)),
  T('linear-oauth-token', 'lin_oauth_', h(64)),
  T('postman-api-key', 'PMAK-', `${h(24)}-${h(34)}`),
  T('notion-token', 'ntn_', a(46)),
  T('airtable-pat', 'pat', `${a(14)}.${h(64)}`),
  K('airtable-api-key', 'airtable', `key${a(14)}`),
  K('asana-token', 'asana', `2/${DIG.slice(1)}${pick(DIG, 7)}/${pick(DIG, 16)}:${h(32)}`),
  T('contentful-pat', 'CFPAT-', u(43)),
  K('contentful-delivery-token', 'contentful', u(43)),
  K('algolia-api-key', 'algolia', h(32)),
  T('mapbox-secret-token', 'sk.eyJ', `1IjoiYWNtZSIsImEiOiJ${a(30)}.${u(22)}`),
  T('intercom-access-token', 'dG9rO', `jE${b64(56)}=`),
  K('zendesk-api-token', 'zendesk', a(40)),
  T('hubspot-private-app-token', 'pat-', `na1-${uuid()}`),
  K('hubspot-api-key', 'hubspot', uuid()),
  T('typeform-token', 'tfp_', `${a(44)}_${a(14)}`),
  T('figma-pat', 'figd_', u(40)),
  T('frameio-token', 'fio-u-', u(64)),
  T('dropbox-token', 'sl.', `u.${u(140)}`),
  K('dropbox-long-lived-token', 'dropbox', `${a(11)}AAAAAAAAAA${u(43)}`),
  T('shopify-access-token', 'shpat_', h(32)),
  T('shopify-custom-app-token', 'shpca_', h(32)),
  T('shopify-private-app-token', 'shppa_', h(32)),
  T('shopify-shared-secret', 'shpss_', h(32)),
  K('squarespace-api-key', 'squarespace', uuid()),
  K('etsy-api-key', 'etsy', lo(24)),
  T('adobe-client-secret', 'p8e-', a(32)),
  K('adobe-client-id', 'adobe', h(32)),
  K('adafruit-io-key', 'adafruit', `aio_${a(28)}`),
  K('beamer-api-key', 'beamer', `b_${u(44)}`),
  K('rapidapi-key', 'rapidapi', u(50)),
  K('nytimes-api-key', 'nytimes', u(32)),
  K('flickr-api-key', 'flickr', h(32)),
  K('finnhub-api-key', 'finnhub', lo(20)),
  K('gitter-token', 'gitter', u(40)),
  K('freshbooks-token', 'freshbooks', u(64)),
  K('mattermost-token', 'mattermost', lo(26)),
  K('sendbird-token', 'sendbird', h(40)),
  T('easypost-api-key', 'EZAK', a(54)),
  // payments
  T('square-access-token', 'EAAA', u(60)),
  T('square-oauth-secret', 'sq0csp-', u(43)),
  T('braintree-access-token', 'access_token$production$', `${lo(16)}$${h(32)}`),
  K('paypal-client-secret', 'paypal', u(80)),
  T('shippo-api-token', 'shippo_live_', h(40)),
  T('duffel-api-token', 'duffel_live_', u(43)),
  T('flutterwave-secret-key', 'FLWSECK_TEST-', `${h(32)}-X`),
  T('plaid-access-token', 'access-sandbox-', uuid()),
  K('plaid-secret', 'plaid', lo(30)),
  K('gocardless-token', 'gocardless', `live_${u(40)}`),
  T('razorpay-key-id', 'rzp_live_', a(14)),
  K('razorpay-key-secret', 'razorpay', a(24)),
  K('coinbase-token', 'coinbase', u(64)),
  K('kraken-api-key', 'kraken', `${b64(86)}==`),
  K('kucoin-api-key', 'kucoin', h(24)),
  K('bittrex-api-key', 'bittrex', lo(32)),
  K('finicity-secret', 'finicity', a(20)),
  K('lob-api-key', 'lob_api', `live_${h(35)}`),
  // messaging
  T('slack-config-token', 'xoxe.xoxp-', `1-${a(160)}`, { noGlue: true, near: [`slack rotation xoxe-1-${a(40)} (short)`] }),
  T('slack-legacy-token', 'xoxo-', `${pick(DIG, 10)}-${pick(DIG, 10)}-${pick(DIG, 12)}-${h(32)}`),
  {
    rule: 'discord-webhook',
    secret: u(68),
    lines: [
      'DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/123456789012345678/§',
      'POST https://discordapp.com/api/webhooks/123456789012345678/§ -> 204',
    ],
    near: ['POST https://discord.com/api/webhooks/123456789012345678/short -> 401', 'see https://discord.com/developers/docs/resources/webhook'],
  },
  K('discord-bot-token', 'discord', `MT${a(24)}.${u(6)}.${u(38)}`),
  K('discord-client-secret', 'discord', u(32)),
  {
    rule: 'telegram-bot-token',
    secret: `${pick(DIG, 10)}:AA${u(33)}`,
    lines: ['POST https://api.telegram.org/bot§/sendMessage 200', 'telegram: starting bot with §', '{"telegram": {"bot": "§"}}'],
    near: [`telegram chat_id=-100${pick(DIG, 10)} sent`, `telegram bot ${pick(DIG, 10)}:AA${u(20)}`],
  },
  {
    rule: 'teams-webhook',
    secret: `${uuid()}@${uuid()}/IncomingWebhook/${h(32)}/${uuid()}`,
    lines: ['TEAMS_HOOK=https://acme.webhook.office.com/webhookb2/§', '{"url": "https://acme.webhook.office.com/webhookb2/§"}'],
    near: ['see https://acme.webhook.office.com/webhookb2/ for the format', `https://acme.webhook.office.com/webhookb2/${uuid()}@${uuid()}/IncomingWebhook/`],
  },
  K('twitch-token', 'twitch', lo(30)),
  T('twitter-bearer-token', 'AAAAAAAAAAAAAAAAAAAAA', `MLheAAAAAAAA${a(40)}%3D${a(40)}`),
  K('twitter-access-token', 'twitter', `${pick(DIG, 19)}-${a(31)}`),
  K('twitter-api-secret', 'twitter', a(50)),
  T('facebook-access-token', 'EAA', `G${a(150)}`),
  K('facebook-app-secret', 'facebook', h(32)),
  {
    rule: 'facebook-app-token',
    secret: u(32),
    lines: ['facebook app token 1234567890123456|§', 'graph.facebook.com/debug_token?input_token=x&app=1234567890123456%7C§'],
    near: [`facebook ids 1234567890123456|abc`, `facebook 12345|${u(30)}`],
  },
  K('linkedin-client-secret', 'linkedin', a(16)),
  K('pusher-secret', 'pusher', h(20)),
  K('twilio-auth-token', 'twilio', h(32)),
  K('mailgun-signing-key', 'mailgun', `pubkey-${h(32)}`),
  { rule: 'mailchimp-api-key', prefix: '', secret: `${h(32)}-us21`, noGlue: true, near: [`ref ${h(31)}-us21`, 'locale en-us1 ok'] },
  T('brevo-api-key', 'xkeysib-', `${h(64)}-${a(16)}`),
  K('postmark-token', 'postmark', uuid()),
  K('mandrill-api-key', 'mandrill', u(22)),
  K('messagebird-api-key', 'messagebird', a(25)),
  K('vonage-api-secret', 'vonage', a(16)),
  // keys
  T('age-secret-key', 'AGE-SECRET-KEY-1', pick(BECH32, 58)),
  T('django-insecure-secret-key', 'django-insecure-', `${lo(10)}${pick(DJANGO, 38)}x2`),
  T('password-hash-bcrypt', '$2b$', `12$${pick(CRYPT, 53)}`),
  T('password-hash-crypt', '$6$', `${a(16)}$${pick(CRYPT, 86)}`),
  T('password-hash-django', 'pbkdf2_sha256$', `600000$${a(22)}$${b64(43)}=`),
  T('jwt-base64', 'ZXlK', `aGJHY2lPaUpJVXpJMU5pSXNJblI1Y0NJNklrcFhWQ0o5${b64(80)}`),
];
