/**
 * Provider token formats, as data: one file per family, each rule anchored on a literal prefix or on the
 * provider's name next to the value, so container IDs, digests, git SHAs and UUIDs pass untouched. The
 * order is stable (docs/redaction.md's list and the rule ids in tokens depend on nothing else); when two rules
 * find the same span, the earlier one names it.
 */
import type { Rule } from '../rule.js';
import { aiRules } from './ai.js';
import { cloudRules } from './cloud.js';
import { infraRules } from './infra.js';
import { keyRules } from './keys.js';
import { messagingRules } from './messaging.js';
import { packageRules } from './packages.js';
import { paymentRules } from './payments.js';
import { saasRules } from './saas.js';
import { vcsRules } from './vcs.js';

/** The families in the order docs/redaction.md lists them: a name for the docs and the rules. */
export const providerFamilies: readonly { readonly name: string; readonly rules: readonly Rule[] }[] = Object.freeze(
  [
    { name: 'Cloud platforms', rules: cloudRules },
    { name: 'Source hosting and CI', rules: vcsRules },
    { name: 'Package registries', rules: packageRules },
    { name: 'Infrastructure and observability', rules: infraRules },
    { name: 'AI APIs', rules: aiRules },
    { name: 'SaaS', rules: saasRules },
    { name: 'Payments and finance', rules: paymentRules },
    { name: 'Messaging and mail', rules: messagingRules },
    { name: 'Keys and tokens of any provider', rules: keyRules },
  ].map((f) => Object.freeze({ ...f, rules: Object.freeze([...f.rules]) })),
);

export const providerRules: readonly Rule[] = Object.freeze(providerFamilies.flatMap((f) => f.rules));
