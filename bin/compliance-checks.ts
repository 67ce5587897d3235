import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * cdk-nag's AwsSolutions pack, run on every synth of this repository's app: an unacknowledged finding
 * fails synthesis. The constructs carry their acknowledgements (lib/compliance.ts), each with its
 * reason; the checks themselves belong to the app, so embedding the constructs adds none to yours.
 */
export function applyComplianceChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}
