/** Package registries and container registries: npm, PyPI, RubyGems, NuGet, crates.io, Clojars, Docker Hub. */
import type { Rule } from '../rule.js';
import { END, START, custom, token } from './define.js';

const rx = (source: string, flags = 'g'): RegExp => new RegExp(source, flags);

export const packageRules: readonly Rule[] = [
  custom({
    id: 'npm-token',
    description: 'npm access token (npm_)',
    hint: /npm_/,
    pattern: rx(String.raw`${START}npm_[A-Za-z0-9]{36}${END}`),
  }),
  custom({
    id: 'pypi-token',
    description: 'PyPI upload token (pypi-AgEIcHlwaS5vcmc…)',
    hint: /pypi-AgE/,
    pattern: rx(String.raw`${START}pypi-AgE[A-Za-z0-9_-]{50,}${END}`),
  }),
  custom({
    id: 'dockerhub-pat',
    description: 'Docker Hub personal access token (dckr_pat_)',
    hint: /dckr_pat_/,
    pattern: rx(String.raw`${START}dckr_pat_[A-Za-z0-9_-]{27,}${END}`),
  }),
  token({ id: 'dockerhub-oat', description: 'Docker Hub organization access token (dckr_oat_)', prefixes: ['dckr_oat_'], body: '[A-Za-z0-9_-]{27,64}' }),
  token({ id: 'rubygems-api-key', description: 'RubyGems API key (rubygems_ + 48 hex)', prefixes: ['rubygems_'], body: '[a-f0-9]{48}' }),
  token({ id: 'nuget-api-key', description: 'NuGet.org API key (oy2 + 43)', prefixes: ['oy2'], body: '[a-z0-9]{43}' }),
  token({ id: 'crates-io-token', description: 'crates.io API token (cio + 32)', prefixes: ['cio'], body: '[A-Za-z0-9]{32}' }),
  token({ id: 'clojars-token', description: 'Clojars deploy token (CLOJARS_ + 60)', prefixes: ['CLOJARS_'], body: '[a-z0-9]{60}' }),
  token({ id: 'readme-api-key', description: 'ReadMe API key (rdme_ + 70)', prefixes: ['rdme_'], body: '[a-z0-9]{70}' }),
  token({ id: 'prefect-api-key', description: 'Prefect Cloud API key (pnu_ + 36)', prefixes: ['pnu_'], body: '[A-Za-z0-9]{36}' }),
  token({ id: 'infracost-api-key', description: 'Infracost API key (ico- + 32)', prefixes: ['ico-'], body: '[A-Za-z0-9]{32}' }),
];
