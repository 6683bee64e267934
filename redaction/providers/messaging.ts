/** Chat, social and e-mail/SMS services: Slack, Discord, Telegram, Teams, social networks and mail APIs. */
import type { Rule } from '../rule.js';
import { ALNUM, B64URL, END, HEX, START, UUID, custom, keyed, near, token } from './define.js';

const rx = (source: string, flags = 'g'): RegExp => new RegExp(source, flags);

export const messagingRules: readonly Rule[] = [
  custom({
    id: 'slack-token',
    description: 'Slack token (xoxb-, xoxp-, xoxa-, xoxr-, xoxs-, xapp-)',
    hint: /xoxb-|xoxp-|xoxa-|xoxr-|xoxs-|xapp-/,
    pattern: rx(String.raw`${START}(?:xox[baprs]-[0-9A-Za-z-]{10,250}|xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+)${END}`),
  }),
  token({
    id: 'slack-config-token',
    description: 'Slack configuration access/refresh token (xoxe.xoxp-, xoxe.xoxb-, xoxe-)',
    prefixes: ['xoxe.xoxp-', 'xoxe.xoxb-', 'xoxe-'],
    body: '[0-9]-[A-Za-z0-9]{140,170}',
    extra: '.',
  }),
  token({
    id: 'slack-legacy-token',
    description: 'Slack legacy token (xoxo-)',
    prefixes: ['xoxo-'],
    body: '[0-9]{6,14}-[0-9]{6,14}-[0-9]{6,14}-[a-fA-F0-9]{20,40}',
  }),
  custom({
    id: 'slack-webhook',
    description: 'secret part of a Slack incoming-webhook URL',
    hint: /hooks\.slack\.com/,
    pattern: rx(String.raw`(?<=hooks\.slack\.com/(?:services|workflows)/T[A-Z0-9]+/[A-Z0-9]+/)[A-Za-z0-9]{20,}`),
  }),
  custom({
    id: 'discord-webhook',
    description: 'secret part of a Discord webhook URL (discord.com/api/webhooks/<id>/<token>)',
    hint: /discord\.com\/api|discordapp\.com\/api/,
    pattern: rx(String.raw`(?<=discord(?:app)?\.com/api/(?:v[0-9]{1,2}/)?webhooks/[0-9]{15,20}/)(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{60,72}(?![A-Za-z0-9_-])`),
  }),
  near({
    id: 'discord-bot-token',
    description: 'Discord bot token (base64 id . 6 . 27-38, next to a discord name)',
    context: ['discord'],
    value: `[MNO][A-Za-z0-9_-]{23,27}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,40}`,
    extra: '.',
  }),
  keyed({
    id: 'discord-client-secret',
    description: 'Discord OAuth client secret (32 characters next to a discord name)',
    context: ['discord'],
    value: B64URL(32),
  }),
  near({
    id: 'telegram-bot-token',
    description: 'Telegram bot token (bot id : AA + 33, next to a telegram or bot name)',
    context: ['telegram', 'bot'],
    value: '[0-9]{8,10}:AA[A-Za-z0-9_-]{33}',
    // `api.telegram.org/bot123…:AA…`: the id is glued to `bot`.
    start: '(?<![0-9:])',
    valueHint: /:AA/,
  }),
  custom({
    id: 'teams-webhook',
    description: 'Microsoft Teams incoming webhook URL (…webhook.office.com/webhookb2/…/IncomingWebhook/…)',
    hint: /webhookb2/i,
    pattern: rx(
      String.raw`(?<=/webhookb2/)(?<secret>[0-9a-f-]{36}@[0-9a-f-]{36}/IncomingWebhook/[0-9a-f]{32}/[0-9a-f-]{36}(?:/[A-Za-z0-9_-]{20,64})?)(?![A-Za-z0-9_/-])`,
    ),
  }),
  keyed({ id: 'twitch-token', description: 'Twitch API / OAuth token (30 characters next to a twitch name)', context: ['twitch'], value: '[a-z0-9]{30}' }),
  token({
    id: 'twitter-bearer-token',
    description: 'Twitter / X app bearer token (AAAAAAAAAAAAAAAAAAAAA… 100+)',
    prefixes: ['AAAAAAAAAAAAAAAAAAAAA'],
    body: '[A-Za-z0-9%]{60,140}',
    extra: '%',
  }),
  keyed({
    id: 'twitter-access-token',
    description: 'Twitter / X access token (user id - 20-40, next to a twitter name)',
    context: ['twitter'],
    value: `[0-9]{15,25}-${ALNUM('20,40')}`,
  }),
  keyed({
    id: 'twitter-api-secret',
    description: 'Twitter / X API key or secret (25, 45 or 50 characters next to a twitter name)',
    context: ['twitter'],
    value: '(?:[A-Za-z0-9]{50}|[A-Za-z0-9]{45}|[A-Za-z0-9]{25})',
  }),
  // Listed 4-letter prefixes, not `EAA`: lower-cased by a case-insensitive pre-filter, `eaa` is in one hex id of 16.
  token({
    id: 'facebook-access-token',
    description: 'Facebook / Meta Graph access token (EAAB…, EAAC…, EAAG…, EAAI…, EAAJ…, EAAM…, EAAU…)',
    prefixes: ['EAAB', 'EAAC', 'EAAG', 'EAAI', 'EAAJ', 'EAAM', 'EAAU'],
    body: '[A-Za-z0-9]{90,400}',
  }),
  keyed({
    id: 'facebook-app-secret',
    description: 'Facebook / Meta app secret (32 hex next to a facebook/fb_app name)',
    context: ['facebook', 'fb_app', 'FB_APP', 'meta_app'],
    value: HEX(32),
  }),
  custom({
    id: 'facebook-app-token',
    description: 'Facebook app access token (app id|app secret)',
    hint: /facebook|graph\.facebook|access_token=/i,
    pattern: rx(String.raw`(?<![0-9])[0-9]{15,16}(?:\||%7[Cc])(?<secret>[0-9A-Za-z_-]{27,40})(?![A-Za-z0-9_-])`),
  }),
  keyed({
    id: 'linkedin-client-secret',
    description: 'LinkedIn OAuth client secret (16 characters next to a linkedin name)',
    context: ['linkedin', 'linked_in', 'linked-in'],
    value: ALNUM(16),
  }),
  keyed({ id: 'pusher-secret', description: 'Pusher Channels app secret (20 hex next to a pusher name)', context: ['pusher'], value: HEX(20) }),
  custom({
    id: 'sendgrid-api-key',
    description: 'SendGrid API key (SG.x.y)',
    hint: /SG\./,
    pattern: rx(String.raw`${START}SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}${END}`),
  }),
  custom({
    id: 'twilio-api-key',
    description: 'Twilio API key SID (SK + 32 hex)',
    hint: /SK[0-9a-fA-F]/,
    pattern: rx(String.raw`${START}SK[0-9a-fA-F]{32}${END}`),
  }),
  keyed({ id: 'twilio-auth-token', description: 'Twilio account auth token (32 hex next to a twilio name)', context: ['twilio'], value: HEX(32) }),
  custom({
    id: 'mailgun-api-key',
    description: 'Mailgun API key (key-…, or the private key format next to a mailgun name)',
    hint: /key-|mailgun/i,
    // The mailgun name is looked for behind the token once the token matched, not at every position of
    // the line (a lookbehind first cost a 47-character look back per position).
    pattern: rx(
      String.raw`${START}key-[0-9a-f]{32}${END}|${START}[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8}${END}(?<=mailgun[^\n]{0,40}[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8})`,
      'gi',
    ),
  }),
  keyed({
    id: 'mailgun-signing-key',
    description: 'Mailgun webhook signing key / public validation key (pubkey- or 32 hex next to a mailgun name)',
    context: ['mailgun'],
    value: `(?:pubkey-${HEX(32)}|${HEX(32)})`,
  }),
  token({ id: 'mailchimp-api-key', description: 'Mailchimp API key (32 hex + -us<n>)', prefixes: [], hint: /-us/, body: `${HEX(32)}-us[0-9]{1,2}` }),
  token({
    id: 'brevo-api-key',
    description: 'Brevo (Sendinblue) API / SMTP key (xkeysib-, xsmtpsib-)',
    prefixes: ['xkeysib-', 'xsmtpsib-'],
    body: `${HEX(64)}-${ALNUM(16)}`,
  }),
  keyed({ id: 'postmark-token', description: 'Postmark server/account token (UUID next to a postmark name)', context: ['postmark'], value: UUID }),
  keyed({
    id: 'mandrill-api-key',
    description: 'Mandrill (Mailchimp Transactional) API key (22 characters next to a mandrill name)',
    context: ['mandrill'],
    value: B64URL(22),
  }),
  keyed({
    id: 'messagebird-api-key',
    description: 'MessageBird / Bird access key (25 characters next to a messagebird name)',
    context: ['messagebird', 'message_bird', 'message-bird'],
    value: ALNUM(25),
  }),
  keyed({
    id: 'vonage-api-secret',
    description: 'Vonage / Nexmo API secret (16 characters next to a vonage or nexmo name)',
    context: ['vonage', 'nexmo'],
    value: ALNUM(16),
  }),
];
