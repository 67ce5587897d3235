/**
 * The synth project's setup, in every test file: CDK skips asset bundling for every stack (the
 * `aws:cdk:bundling-stacks` context, read by each App from CDK_CONTEXT_JSON), so a template test
 * does not run esbuild five times per app. A test of the bundle itself calls `withBundling()` first.
 */
export const SKIP_BUNDLING_CONTEXT = JSON.stringify({ 'aws:cdk:bundling-stacks': [] });
process.env.CDK_CONTEXT_JSON = SKIP_BUNDLING_CONTEXT;

/** Bundles handlers again in the apps this test file creates from now on. */
export function withBundling(): void {
  delete process.env.CDK_CONTEXT_JSON;
}
