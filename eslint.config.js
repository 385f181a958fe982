// Lint + the import-boundary rule of STYLE.md §8.1: dependencies point inward.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layer = (names) => `(^|/)(${names.join('|')})(/|$)`;
const outsideCore = ['runtime', 'connectors', 'flows', 'server', 'cli', 'config', 'observability', 'simulator', 'dashboard', 'demo', 'bootstrap\\.ts'];

const boundary = (message, regex) => ({
  'no-restricted-imports': ['error', { patterns: [{ regex, message }] }],
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test-artifacts/**', 'data/**', 'release/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: layer(outsideCore), message: 'core is pure: it imports nothing outside src/core.' },
            { regex: '^(?!\\.{1,2}/|zod$)', message: 'core imports only zod and other core modules (no node:*, no I/O libraries).' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/flows/**/*.ts'],
    rules: boundary('flows import core (types, transforms, ports) only.', layer(outsideCore)),
  },
  {
    files: ['src/runtime/**/*.ts'],
    rules: boundary('runtime knows nothing of Amazon, Sage, flows or the edges.', layer(['connectors', 'flows', 'server', 'cli', 'simulator', 'dashboard', 'bootstrap\\.ts'])),
  },
  {
    files: ['src/connectors/**/*.ts'],
    rules: boundary('connectors implement core ports; they do not import flows or edges.', layer(['flows', 'server', 'cli', 'dashboard', 'bootstrap\\.ts'])),
  },
  {
    files: ['src/simulator/**/*.ts'],
    rules: boundary('the simulator stands in for Amazon: it must not share code with the client it is checked against.', layer(['connectors', 'flows', 'server', 'cli', 'dashboard', 'bootstrap\\.ts'])),
  },
  {
    files: ['src/demo/**/*.ts'],
    rules: boundary('the demo composes the runtime, the simulator and the sandbox; the CLI imports it, not the other way round.', layer(['cli'])),
  },
  {
    files: ['src/config/**/*.ts', 'src/observability/**/*.ts'],
    rules: boundary('config and observability are leaves: no flows, connectors or edges.', layer(['connectors', 'flows', 'server', 'cli', 'simulator', 'dashboard', 'runtime', 'bootstrap\\.ts'])),
  },
);
