// Type-checking is `tsc --noEmit`'s job (npm run typecheck); inside jest it made one file 5x slower.
// ts-jest transpiles file by file because tsconfig.json sets isolatedModules.
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
};

/** Tests that talk to moto over HTTP: test/integration and test/local. */
const INTEGRATION = ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/local/**/*.test.ts'];

/**
 * Two projects. `unit` (npm run test:unit): pure core, templates, cdk-nag, the CLI's usage; no moto,
 * no Python. `integration` (npm run test:integration): its global setup checks local mode's
 * prerequisites and starts moto once for the run (stopped by PID, test/harness/); jest runs a
 * project's global setup only when it runs one of that project's tests. `npm test` runs both.
 * @type {import('jest').Config}
 */
module.exports = {
  // A global option: jest-circus reads the run's testTimeout, not a project's.
  testTimeout: 60000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      roots: ['<rootDir>/test'],
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/integration/', '<rootDir>/test/local/'],
      // Hides moto and Python from these tests: one that needed them would fail here, not pass by luck.
      setupFiles: ['<rootDir>/test/harness/unit-setup.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      roots: ['<rootDir>/test'],
      testMatch: INTEGRATION,
      globalSetup: '<rootDir>/test/harness/global-setup.ts',
      globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
    },
  ],
};
