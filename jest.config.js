// Type-checking is `tsc --noEmit`'s job (npm run typecheck); inside jest it made one file 5x slower.
// esbuild transpiles file by file (tsconfig.json sets isolatedModules, so nothing needs the whole
// program); ts-jest remains for the one test that hoists jest.mock above its imports.
const ESBUILD = '<rootDir>/test/harness/esbuild-transform.js';
const shared = {
  testEnvironment: 'node',
  transform: {
    'test/examples\\.test\\.ts$': ['ts-jest', {}],
    '^.+\\.ts$': ESBUILD,
  },
  roots: ['<rootDir>/test'],
};

/** Tests that synthesize a CDK app: the constructs' templates, cdk-nag, the embedded example. */
const SYNTH = ['<rootDir>/test/constructs/**/*.test.ts', '<rootDir>/test/examples.test.ts'];

/** Tests that talk to moto over HTTP: test/integration and test/local. */
const INTEGRATION = ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/local/**/*.test.ts'];

/**
 * Three tiers; `npm test` runs them all.
 * - `unit` (npm run test:unit): pure decisions, planner tables, configuration, CLI parsing, the
 *   architecture. No synthesis, no moto, no Python; seconds.
 * - `synth` (npm run test:synth): templates and cdk-nag. Handler bundling is skipped (CDK's
 *   `aws:cdk:bundling-stacks` context, set in test/harness/synth-setup.ts) except in the files that
 *   test the bundle itself, which opt back in.
 * - `integration` (npm run test:integration): its global setup checks local mode's prerequisites and
 *   starts moto once for the run (stopped by PID, test/harness/); jest runs a project's global setup
 *   only when it runs one of that project's tests.
 * @type {import('jest').Config}
 */
module.exports = {
  // A global option: jest-circus reads the run's testTimeout, not a project's.
  // Integration waits scale with the machine's load (test/harness/local-aws.ts eventually).
  testTimeout: 180000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: [
        '/node_modules/',
        '<rootDir>/test/integration/',
        '<rootDir>/test/local/',
        '<rootDir>/test/constructs/',
        '<rootDir>/test/examples.test.ts',
      ],
      // Hides moto and Python from these tests: one that needed them would fail here, not pass by luck.
      setupFiles: ['<rootDir>/test/harness/unit-setup.ts'],
    },
    {
      ...shared,
      displayName: 'synth',
      testMatch: SYNTH,
      setupFiles: ['<rootDir>/test/harness/unit-setup.ts', '<rootDir>/test/harness/synth-setup.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: INTEGRATION,
      globalSetup: '<rootDir>/test/harness/global-setup.ts',
      globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
    },
  ],
};
