import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ModelGovernance } from 'model-governance';

const app = new App();
const stack = new Stack(app, 'MlPlatform');
// The team's own resources...
new s3.Bucket(stack, 'Models', { bucketName: 'ml-platform-models-example', enforceSSL: true });
// ...and model governance beside them, with governance.config.json's own fields.
const governance = new ModelGovernance(stack, 'Governance', {
  notificationEmails: ['ml-platform@example.com'],
  modelArtifactBuckets: ['ml-platform-models-example'],
  groups: [{ name: 'churn', deployments: [{ endpointName: 'churn-staging', production: false }] }],
});
governance.addGroup({
  name: 'fraud',
  qualityGate: { thresholds: [{ metric: 'auc', atLeast: 0.9 }] },
  deployments: [{ endpointName: 'fraud-prod', strategy: { type: 'canary' } }],
});
app.synth();
