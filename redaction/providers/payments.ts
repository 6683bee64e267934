/** Payments, banking, shipping and crypto exchanges. */
import type { Rule } from '../rule.js';
import { ALNUM, B64URL, END, HEX, START, UUID, custom, keyed, token } from './define.js';

const rx = (source: string, flags = 'g'): RegExp => new RegExp(source, flags);

export const paymentRules: readonly Rule[] = [
  custom({
    id: 'stripe-key',
    description: 'Stripe secret/restricted key (sk_live_, rk_test_, …) or webhook secret (whsec_)',
    hint: /sk_|rk_|whsec_/,
    pattern: rx(String.raw`${START}(?:(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,247}|whsec_[0-9A-Za-z]{24,})${END}`),
  }),
  token({ id: 'square-access-token', description: 'Square access token (EAAA + 60, sq0atp-)', prefixes: ['EAAA', 'sq0atp-'], body: B64URL('22,60') }),
  token({ id: 'square-oauth-secret', description: 'Square application secret (sq0csp-)', prefixes: ['sq0csp-'], body: B64URL(43) }),
  token({
    id: 'braintree-access-token',
    description: 'PayPal Braintree access token (access_token$production$…$32 hex)',
    prefixes: ['access_token$production$', 'access_token$sandbox$'],
    body: '[0-9a-z]{16}\\$[0-9a-f]{32}',
    extra: '$',
  }),
  keyed({ id: 'paypal-client-secret', description: 'PayPal REST client secret (80 characters next to a paypal name)', context: ['paypal'], value: B64URL(80) }),
  token({
    id: 'shippo-api-token',
    description: 'Shippo API token (shippo_live_, shippo_test_)',
    prefixes: ['shippo_live_', 'shippo_test_'],
    body: '[a-fA-F0-9]{40}',
  }),
  token({
    id: 'duffel-api-token',
    description: 'Duffel API token (duffel_live_, duffel_test_)',
    prefixes: ['duffel_live_', 'duffel_test_'],
    body: '[A-Za-z0-9_=-]{43}',
    extra: '=',
  }),
  token({
    id: 'flutterwave-secret-key',
    description: 'Flutterwave secret / encryption key (FLWSECK-, FLWSECK_TEST-)',
    prefixes: ['FLWSECK-', 'FLWSECK_TEST-'],
    body: '[a-hA-H0-9]{12,32}(?:-X)?',
  }),
  token({
    id: 'plaid-access-token',
    description: 'Plaid access token (access-sandbox|development|production- + UUID)',
    prefixes: ['access-sandbox-', 'access-development-', 'access-production-'],
    body: UUID,
  }),
  keyed({ id: 'plaid-secret', description: 'Plaid secret (30 characters next to a plaid name)', context: ['plaid'], value: '[a-z0-9]{30}' }),
  keyed({
    id: 'gocardless-token',
    description: 'GoCardless access token (live_ + 40 next to a gocardless name)',
    context: ['gocardless'],
    value: '(?:live|sandbox)_[A-Za-z0-9_=-]{40}',
    extra: '=',
  }),
  token({ id: 'razorpay-key-id', description: 'Razorpay live key id (rzp_live_), paired with a secret', prefixes: ['rzp_live_'], body: ALNUM(14) }),
  keyed({ id: 'razorpay-key-secret', description: 'Razorpay key secret (24 characters next to a razorpay name)', context: ['razorpay'], value: ALNUM(24) }),
  keyed({
    id: 'coinbase-token',
    description: 'Coinbase API secret / access token (64 characters next to a coinbase name)',
    context: ['coinbase'],
    value: B64URL(64),
  }),
  keyed({
    id: 'kraken-api-key',
    description: 'Kraken API private key (80-90 base64 next to a kraken name)',
    context: ['kraken'],
    value: '[A-Za-z0-9/+=_-]{80,90}',
    extra: '+/=',
  }),
  keyed({
    id: 'kucoin-api-key',
    description: 'KuCoin API secret (UUID or 24 hex next to a kucoin name)',
    context: ['kucoin'],
    value: `(?:${UUID}|${HEX(24)})`,
  }),
  keyed({ id: 'bittrex-api-key', description: 'Bittrex API key/secret (32 characters next to a bittrex name)', context: ['bittrex'], value: '[a-z0-9]{32}' }),
  keyed({
    id: 'finicity-secret',
    description: 'Finicity app key / client secret (20 or 32 characters next to a finicity name)',
    context: ['finicity'],
    value: '(?:[a-f0-9]{32}|[A-Za-z0-9]{20})',
  }),
  keyed({
    id: 'lob-api-key',
    description: 'Lob API key (live_/test_ + 35 hex next to a lob name)',
    context: ['lob_api', 'lob-api', 'LOB_API', 'lob_key', 'LOB_KEY'],
    value: `(?:live|test)_${HEX(35)}`,
  }),
];
