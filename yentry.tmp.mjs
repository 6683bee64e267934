export { default } from 'yargs'; export * as helpers from 'yargs/helpers';
