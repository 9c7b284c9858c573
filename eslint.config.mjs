// Lint rules shared by every workspace: typescript-eslint's recommended set plus the project's conventions.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.data/**', 'infra/local/jars/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only apps/*/src/config.ts reads process.env.' },
      ],
    },
  },
  {
    files: ['apps/*/src/config.ts', '**/*.test.ts', 'bench/**', 'packages/testkit/src/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
