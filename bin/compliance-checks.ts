import { type App, Validations } from 'aws-cdk-lib';

/**
 * cdk-nag's AwsSolutions pack, run on every synth of this repository's app: an unacknowledged finding
 * fails synthesis. The constructs carry their acknowledgements (lib/compliance.ts), each with its
 * reason; the checks themselves belong to the app, so embedding the constructs adds none to yours.
 */
export function applyComplianceChecks(app: App): void {
  let nag: typeof import('cdk-nag');
  try {
    nag = require('cdk-nag') as typeof import('cdk-nag');
  } catch {
    throw new Error(
      'cdk-nag is not installed: this app runs its AwsSolutions checks on every synth. Run: npm install --save-dev cdk-nag (or play your own CDK app with mgov local --app).',
    );
  }
  Validations.of(app).addPlugins(new nag.AwsSolutionsChecks(app));
}
