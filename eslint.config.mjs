// ESLint for the whole repository: typescript-eslint's type-checked rules for the TypeScript of every
// workspace (each file is checked with the tsconfig.json nearest to it), React's hook rules for the
// dashboard, and ESLint's recommended rules for the plain JavaScript (scripts, benchmarks, test apps).
// Run: ./run lint
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// A leading underscore (or a rest sibling) is how this code says "deliberately unused": `for await
// (const _ of stream)` drains a stream, `const { secret: _secret, ...rest }` drops a field.
const unusedVars = { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true, caughtErrors: 'none' };

export default tseslint.config(
  {
    ignores: ['**/node_modules/', '**/dist/', '**/coverage/', 'test-artifacts/', '**/*.d.ts', '**/*.d.mts'],
  },
  {
    files: ['**/*.{js,cjs,mjs}'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { ...globals.node } },
    rules: { 'no-unused-vars': ['error', unusedVars] },
  },
  {
    // Without "type": "module" in package.json, .js files are CommonJS (a benchmark may return at the top).
    files: ['**/*.{js,cjs}'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    files: ['**/*.{ts,tsx,mts}'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', unusedVars],
      // A package reads its version from its own package.json, which lies outside the tsconfig's rootDir.
      '@typescript-eslint/no-require-imports': ['error', { allow: ['^\\.\\./package\\.json$'] }],
      // A caught value is passed on as it was caught, whatever it is.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // React event handlers and the mock server's request handler are async functions that catch their own errors.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false, arguments: false } }],
    },
  },
  {
    files: ['collector-service/web/src/**/*.{ts,tsx}'],
    extends: [reactHooks.configs.flat.recommended],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // The SQLite store answers the async storage port from a synchronous driver: its methods are async
    // so that what the driver throws reaches the caller as a rejection, as from every other store.
    files: ['collector-service/src/storage/sqlite/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    // A test registers the instrumentation first and requires the SDK after it; a hoisted import would load it before.
    files: ['**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Test apps, fixtures and the dashboard's build config run as their own small programs (some in a
    // browser page), outside any tsconfig.
    files: ['**/*.mts', 'collector-service/web/vite.config.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
