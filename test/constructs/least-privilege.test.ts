/**
 * Each assertion reads the synthesized
 * template and fails if the looser grant comes back.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { toApprovalStatus } from '../../domain/model-version';
import { synthGovernance } from '../harness/synth';

type Statement = {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: unknown;
};

let template: Template;
beforeAll(() => {
  template = synthGovernance({
    groups: [
      {
        name: 'churn',
        qualityGate: { thresholds: [{ metric: 'mse', atMost: 6 }] },
        deployments: [{ endpointName: 'churn-prod' }],
      },
    ],
  }).template;
});

const roles = () => Object.values(template.findResources('AWS::IAM::Role'));
const statements = () =>
  Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (p) => (p.Properties as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument.Statement,
  );

it('gives no function AWSLambdaBasicExecutionRole, and lets each write only its own log group', () => {
  for (const role of roles()) {
    expect(JSON.stringify(role.Properties.ManagedPolicyArns ?? [])).not.toContain(
      'AWSLambdaBasicExecutionRole',
    );
  }
  const logWrites = statements().filter((s) => JSON.stringify(s.Action).includes('logs:PutLogEvents'));
  const lambdaRoles = roles().filter((r) =>
    JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('lambda.amazonaws.com'),
  );
  expect(lambdaRoles.length).toBeGreaterThan(0);
  for (const s of logWrites.filter(
    (st) => !JSON.stringify(st.Resource).includes('/aws/sagemaker/Endpoints'),
  )) {
    // One log group, named by its own Ref: never `*`, never a prefix wildcard on the group.
    expect(JSON.stringify(s.Resource)).toMatch(
      /log-group:",\{"Ref":"[A-Za-z0-9]+Logs[A-Za-z0-9]+"\},":log-stream:\*"/,
    );
    expect(s.Action).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
  }
});

it('lets only SageMaker acting for this account assume the model execution role', () => {
  const trust = roles()
    .map((r) => r.Properties.AssumeRolePolicyDocument as { Statement: Statement[] })
    .flatMap((d) => d.Statement)
    .filter((s) => JSON.stringify(s.Principal).includes('sagemaker.amazonaws.com'));
  expect(trust).toHaveLength(1);
  expect(JSON.stringify(trust[0]?.Condition)).toMatch(
    /"StringEquals":\{"aws:SourceAccount".*"ArnLike":\{"aws:SourceArn".*:sagemaker:/,
  );
});

it("scopes image pulls to this region's repositories; only GetAuthorizationToken stays on *", () => {
  const ecr = statements().filter((s) => JSON.stringify(s.Action).includes('ecr:'));
  const pulls = ecr.find((s) => JSON.stringify(s.Action).includes('ecr:BatchGetImage'));
  expect(JSON.stringify(pulls?.Resource)).toMatch(/:ecr:",\{"Ref":"AWS::Region"\},":\*:repository\/\*"/);
  const onStar = ecr.filter((s) => s.Resource === '*');
  expect(onStar.map((s) => s.Action)).toEqual(['ecr:GetAuthorizationToken']);
});

it('takes an approval status it does not know as Rejected: neither deployable nor pending', () => {
  expect(toApprovalStatus('Approved')).toBe('Approved');
  expect(toApprovalStatus('PendingManualApproval')).toBe('PendingManualApproval');
  expect(toApprovalStatus('ApprovedWithConditions')).toBe('Rejected');
  expect(toApprovalStatus(undefined)).toBe('Rejected');
});
