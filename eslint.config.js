// Lint: typescript-eslint's recommended rules over the TypeScript sources, scripts and tests.
// Astro components are type-checked by `astro check`; AssemblyScript has its own compiler checks.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', '.astro/', 'node_modules/', 'src/gpt/build/', 'src/gpt/assembly/', 'public/'] },
  js.configs.recommended,
  {
    // Config files run in Node.
    files: ['*.mjs', '*.js'],
    languageOptions: { globals: { process: 'readonly' } },
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-console': ['error', { allow: ['warn', 'error'] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Scripts report to the terminal and tests print measured differences.
    files: ['scripts/**', 'tests/**'],
    rules: { 'no-console': 'off' },
  },
);
