/** AI and ML APIs: OpenAI, Anthropic, Hugging Face and other model providers. */
import type { Rule } from '../rule.js';
import { ALNUM, END, HEX, START, custom, keyed, token } from './define.js';

const rx = (source: string, flags = 'g'): RegExp => new RegExp(source, flags);

export const aiRules: readonly Rule[] = [
  custom({
    id: 'openai-api-key',
    description: 'OpenAI API key (sk-…T3BlbkFJ…, sk-proj-, sk-svcacct-, sk-admin-)',
    hint: /sk-/,
    pattern: rx(String.raw`${START}sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})${END}`),
  }),
  custom({
    id: 'anthropic-api-key',
    description: 'Anthropic API key (sk-ant-api03-…, sk-ant-admin01-…)',
    hint: /sk-ant-/,
    pattern: rx(String.raw`${START}sk-ant-(?:api|admin|oat)\d{2}-[A-Za-z0-9_-]{80,}${END}`),
  }),
  token({ id: 'openrouter-api-key', description: 'OpenRouter API key (sk-or-v1-)', prefixes: ['sk-or-v1-'], body: HEX(64) }),
  token({ id: 'huggingface-token', description: 'Hugging Face user access token (hf_ + 34 letters)', prefixes: ['hf_'], body: '[A-Za-z]{34}' }),
  token({
    id: 'huggingface-org-token',
    description: 'Hugging Face organization API token (api_org_ + 34 letters)',
    prefixes: ['api_org_'],
    body: '[A-Za-z]{34}',
  }),
  token({ id: 'groq-api-key', description: 'Groq API key (gsk_)', prefixes: ['gsk_'], body: ALNUM(52) }),
  token({ id: 'replicate-api-token', description: 'Replicate API token (r8_)', prefixes: ['r8_'], body: ALNUM('37,40') }),
  token({ id: 'perplexity-api-key', description: 'Perplexity API key (pplx-)', prefixes: ['pplx-'], body: ALNUM('48,56') }),
  token({ id: 'xai-api-key', description: 'xAI (Grok) API key (xai-)', prefixes: ['xai-'], body: ALNUM('80,84') }),
  token({ id: 'pinecone-api-key', description: 'Pinecone API key (pcsk_)', prefixes: ['pcsk_'], body: '[A-Za-z0-9]{5,6}_[A-Za-z0-9]{60,70}' }),
  token({
    id: 'langsmith-api-key',
    description: 'LangSmith / LangChain API key (lsv2_pt_, lsv2_sk_)',
    prefixes: ['lsv2_pt_', 'lsv2_sk_'],
    body: `${HEX(32)}_${HEX(10)}`,
  }),
  token({ id: 'elevenlabs-api-key', description: 'ElevenLabs API key (sk_ + 48 hex)', prefixes: ['sk_'], body: HEX(48) }),
  keyed({
    id: 'cohere-api-key',
    description: 'Cohere API key (40 characters next to a cohere / CO_API_KEY name)',
    context: ['cohere', 'CO_API_KEY'],
    value: ALNUM(40),
  }),
  keyed({ id: 'mistral-api-key', description: 'Mistral AI API key (32 characters next to a mistral name)', context: ['mistral'], value: ALNUM(32) }),
  keyed({ id: 'deepseek-api-key', description: 'DeepSeek API key (sk- + 32 hex next to a deepseek name)', context: ['deepseek'], value: `sk-${HEX(32)}` }),
  keyed({ id: 'wandb-api-key', description: 'Weights & Biases API key (40 hex next to a wandb name)', context: ['wandb'], value: HEX(40) }),
  keyed({
    id: 'privateai-api-key',
    description: 'Private AI API key (32 characters next to a private_ai name)',
    context: ['privateai', 'private_ai', 'private-ai'],
    value: ALNUM(32),
  }),
];
