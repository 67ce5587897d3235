// Reads the synthesized template and fails unless it holds the team's bucket, both governed groups,
// their approval rules and the endpoint reconciler, and the quality gate's function.
const { readFileSync } = require('node:fs');

const template = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const resources = Object.values(template.Resources);
const ofType = (type) => resources.filter((r) => r.Type === type);
const failures = [];
const expect = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

expect(
  ofType('AWS::S3::Bucket').some((b) => b.Properties?.BucketName === 'ml-platform-models-example'),
  "the app's own bucket",
);
const groups = ofType('AWS::SageMaker::ModelPackageGroup').map((g) => g.Properties.ModelPackageGroupName);
expect(
  groups.includes('churn') && groups.includes('fraud'),
  `model package groups churn and fraud (${groups})`,
);
const rules = ofType('AWS::Events::Rule').map((r) => JSON.stringify(r.Properties.EventPattern ?? {}));
expect(
  rules.some(
    (p) => p.includes('SageMaker Model Package State Change') && p.includes('churn') && p.includes('fraud'),
  ),
  'an approval rule matching both groups',
);
expect(
  rules.some((p) => p.includes('SageMaker Endpoint State Change') && p.includes('fraud-prod')),
  "a rule for the endpoints' state changes",
);
const functions = ofType('AWS::Lambda::Function').map(
  (f) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME,
);
expect(functions.includes('model-governance-reconcile-endpoint'), `the endpoint reconciler (${functions})`);
expect(functions.includes('model-governance-policy-gate'), 'the quality gate');
if (failures.length > 0) process.exit(1);
