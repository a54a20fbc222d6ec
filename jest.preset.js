// Shared jest settings for every workspace: TypeScript through SWC (type checking is the build's job),
// Node environment, tests under test/ or next to the code as *.test.ts.
'use strict';
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j)sx?$': [
      require.resolve('@swc/jest'),
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2023',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  testMatch: ['<rootDir>/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json', 'node'],
  // Many tests start real processes and servers; on a busy 2-core machine jest's 5 s default fails
  // them for being slow, not wrong. Tests never assert timings.
  testTimeout: 30_000,
};
