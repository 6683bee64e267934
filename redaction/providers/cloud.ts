/** Cloud platforms: AWS, Google Cloud, Azure, Alibaba, DigitalOcean, Cloudflare and other IaaS/CDN providers. */
import type { Rule } from '../rule.js';
import { ALNUM, B64URL, END, HEX, START, UUID, custom, keyed, near, token } from './define.js';

const rx = (source: string, flags = 'g'): RegExp => new RegExp(source, flags);

export const cloudRules: readonly Rule[] = [
  custom({
    id: 'aws-access-key-id',
    description: 'AWS access key id (AKIA…, ASIA…)',
    hint: /A3T|AKIA|ASIA|ABIA|ACCA/,
    pattern: rx(String.raw`(?<![A-Z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Z0-9])`),
  }),
  custom({
    id: 'aws-secret-access-key',
    description: 'AWS secret access key (40 base64 characters next to an aws…secret key name)',
    hint: /aws|amazon/i,
    pattern: rx(String.raw`(?<=(?:aws|amazon)[\w.-]{0,30}(?:secret|sk)[\w.-]{0,30}["']?[ \t]{0,3}[:=][ \t]{0,3}["']?)[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])`, 'gi'),
  }),
  keyed({
    id: 'aws-session-token',
    description: 'AWS STS session token (long base64 next to an aws_session_token / aws_security_token name)',
    context: ['aws_session_token', 'aws_security_token', 'AwsSessionToken', 'SessionToken'],
    value: '[A-Za-z0-9/+]{100,1500}={0,2}',
    extra: '+/=',
  }),
  token({ id: 'aws-mws-auth-token', description: 'Amazon MWS auth token (amzn.mws. + UUID)', prefixes: ['amzn.mws.'], body: UUID, extra: '.' }),
  custom({
    id: 'gcp-api-key',
    description: 'Google Cloud / Firebase API key (AIza…)',
    hint: /AIza/,
    pattern: rx(String.raw`${START}AIza[0-9A-Za-z_-]{35}${END}`),
  }),
  token({ id: 'gcp-oauth-client-secret', description: 'Google OAuth client secret (GOCSPX-)', prefixes: ['GOCSPX-'], body: B64URL(28) }),
  token({ id: 'gcp-oauth-access-token', description: 'Google OAuth access token (ya29.)', prefixes: ['ya29.'], body: '[A-Za-z0-9_-]{30,2048}', extra: '.' }),
  token({ id: 'gcp-oauth-refresh-token', description: 'Google OAuth refresh token (1//0…)', prefixes: ['1//0'], body: '[A-Za-z0-9_-]{40,512}', extra: '/' }),
  custom({
    id: 'gcp-service-account-key-id',
    description: 'GCP service-account key: the private_key_id member (40 hex) of a one-line service_account JSON',
    hint: /service_account/,
    pattern: rx(String.raw`service_account[^\n]{0,300}?\\?"private_key_id\\?"[ \t]{0,3}:[ \t]{0,3}\\?"(?<secret>[a-f0-9]{40})\\?"`),
  }),
  custom({
    id: 'azure-storage-key',
    description: 'Azure storage/service-bus account key in a connection string (AccountKey=, SharedAccessKey=)',
    hint: /AccountKey|SharedAccessKey/i,
    pattern: rx(String.raw`(?<=(?:AccountKey|SharedAccessKey)=)[A-Za-z0-9+/]{20,}={0,2}`, 'gi'),
  }),
  custom({
    id: 'azure-sas-signature',
    description: 'Azure SAS token signature (sig= in a URL or SAS string)',
    hint: /sig=/i,
    pattern: rx(String.raw`(?<=[?&;]sig=)[A-Za-z0-9%+/=]{16,}`, 'gi'),
  }),
  token({
    id: 'azure-ad-client-secret',
    description: 'Azure AD / Entra ID application client secret (3 characters, a digit, Q~, 31-34 more)',
    prefixes: [],
    hint: /Q~/,
    body: '[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}',
    extra: '~.',
  }),
  token({ id: 'azure-devops-pat', description: 'Azure DevOps personal access token (84 characters with AZDO at 77-80)', prefixes: [], hint: /AZDO/, body: `${ALNUM(76)}AZDO${ALNUM(4)}` }),
  token({ id: 'alibaba-access-key-id', description: 'Alibaba Cloud AccessKey ID (LTAI…)', prefixes: ['LTAI'], body: ALNUM('12,20') }),
  keyed({ id: 'alibaba-access-key-secret', description: 'Alibaba Cloud AccessKey secret (30 characters next to an alibaba/aliyun name)', context: ['alibaba', 'aliyun', 'alicloud'], value: ALNUM(30) }),
  token({ id: 'digitalocean-pat', description: 'DigitalOcean personal access token (dop_v1_)', prefixes: ['dop_v1_'], body: HEX(64) }),
  token({ id: 'digitalocean-oauth-token', description: 'DigitalOcean OAuth access token (doo_v1_)', prefixes: ['doo_v1_'], body: HEX(64) }),
  token({ id: 'digitalocean-refresh-token', description: 'DigitalOcean OAuth refresh token (dor_v1_)', prefixes: ['dor_v1_'], body: HEX(64) }),
  token({ id: 'tencent-secret-id', description: 'Tencent Cloud SecretId (AKID…)', prefixes: ['AKID'], body: ALNUM('32,36') }),
  keyed({ id: 'ibm-cloud-api-key', description: 'IBM Cloud API key (44 characters next to an ibm/bluemix name)', context: ['ibmcloud', 'ibm_cloud', 'ibm-cloud', 'bluemix'], value: B64URL(44) }),
  keyed({ id: 'linode-api-token', description: 'Linode / Akamai Cloud API token (64 hex next to a linode name)', context: ['linode'], value: HEX(64) }),
  keyed({ id: 'vultr-api-key', description: 'Vultr API key (36 upper-case characters next to a vultr name)', context: ['vultr'], value: '[A-Z0-9]{36}' }),
  token({ id: 'scaleway-access-key', description: 'Scaleway access key (SCW + 17)', prefixes: ['SCW'], body: '[A-Z0-9]{17}' }),
  keyed({ id: 'scaleway-secret-key', description: 'Scaleway secret key (UUID next to a scaleway/scw name)', context: ['scaleway', 'scw_secret', 'SCW_SECRET'], value: UUID }),
  keyed({ id: 'hetzner-cloud-token', description: 'Hetzner Cloud API token (64 characters next to a hetzner/hcloud name)', context: ['hetzner', 'hcloud'], value: ALNUM(64) }),
  token({ id: 'yandex-api-key', description: 'Yandex Cloud API key (AQVN…)', prefixes: ['AQVN'], body: B64URL('35,38') }),
  token({ id: 'yandex-iam-token', description: 'Yandex Cloud IAM token (t1.…)', prefixes: ['t1.'], body: '[A-Za-z0-9_-]{20,200}={0,2}\\.[A-Za-z0-9_-]{86}={0,2}', extra: '.=' }),
  near({ id: 'cloudflare-api-token', description: 'Cloudflare API token (40 characters next to a cloudflare name)', context: ['cloudflare', 'CF_API', 'cf-api'], value: B64URL(40) }),
  keyed({ id: 'cloudflare-global-api-key', description: 'Cloudflare global API key (37 hex next to a cloudflare / X-Auth-Key name)', context: ['cloudflare', 'CF_API', 'X-Auth-Key'], value: HEX(37) }),
  token({ id: 'cloudflare-origin-ca-key', description: 'Cloudflare Origin CA key (v1.0-…)', prefixes: ['v1.0-'], body: `${HEX(24)}-${HEX(146)}`, extra: '.' }),
  keyed({ id: 'fastly-api-token', description: 'Fastly API token (32 characters next to a fastly name)', context: ['fastly'], value: B64URL(32) }),
  token({ id: 'akamai-edgegrid-token', description: 'Akamai EdgeGrid client/access token (akab-…)', prefixes: ['akab-'], body: '[a-z0-9]{16}-[a-z0-9]{16}' }),
  keyed({ id: 'akamai-client-secret', description: 'Akamai EdgeGrid client secret (44 base64 next to an akamai / client_secret name in .edgerc)', context: ['akamai', 'edgerc'], value: '[A-Za-z0-9+/]{43}=', extra: '+/=' }),
];
