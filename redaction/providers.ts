export { providerRules, providerFamilies } from './providers/index.js';
