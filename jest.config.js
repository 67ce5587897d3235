/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type-checking is `tsc --noEmit`'s job (npm run typecheck); inside jest it made one file 5x slower.
  // ts-jest transpiles file by file because tsconfig.json sets isolatedModules.
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  // Starts moto once for the whole run and stops it by PID (test/harness/).
  globalSetup: '<rootDir>/test/harness/global-setup.ts',
  globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
  testTimeout: 60000,
};
