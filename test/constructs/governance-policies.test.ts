/** The registrar and approver managed policies, the policy handler and the card-gate wiring, as synthesized. */
import type { Template } from 'aws-cdk-lib/assertions';
import { synthGovernance } from '../harness/synth';

const VERSIONS = (group: string) => ({
  'Fn::Sub': `arn:\${AWS::Partition}:sagemaker:\${AWS::Region}:\${AWS::AccountId}:model-package/${group}/*`,
});
const GROUP = (group: string) => ({
  'Fn::Sub': `arn:\${AWS::Partition}:sagemaker:\${AWS::Region}:\${AWS::AccountId}:model-package-group/${group}`,
});
const CARDS = (group: string) => ({
  'Fn::Sub': `arn:\${AWS::Partition}:sagemaker:\${AWS::Region}:\${AWS::AccountId}:model-card/${group}-v*`,
});

let template: Template;
beforeAll(() => {
  template = synthGovernance({
    modelArtifactBuckets: ['ml-models-123456789012'],
    groups: [
      {
        name: 'Churn',
        separationOfDuties: true,
        qualityGate: {
          thresholds: [
            { metric: 'mse', atMost: 6 },
            { metric: 'mse', notWorseThanLive: { better: 'lower', margin: 0.5 } },
          ],
        },
        deployments: [{ endpointName: 'churn-prod', requireApprovedModelCard: true }],
      },
      { name: 'fraud' },
    ],
  }).template;
});

function policyStatements(descriptionStart: string): unknown[] {
  const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).filter((p) =>
    String((p.Properties as { Description?: string }).Description).startsWith(descriptionStart),
  );
  expect(policies).toHaveLength(1);
  const properties = policies[0]?.Properties as { PolicyDocument: { Statement: unknown[] } } | undefined;
  return properties?.PolicyDocument.Statement ?? [];
}

it('gives training pipelines a registrar policy: register pending versions, never approve', () => {
  expect(policyStatements('model-governance registrar')).toEqual([
    {
      Sid: 'RegisterAndRead',
      Effect: 'Allow',
      Action: [
        'sagemaker:CreateModelPackage',
        'sagemaker:DescribeModelPackage',
        'sagemaker:DescribeModelPackageGroup',
      ],
      Resource: [GROUP('churn'), GROUP('fraud'), VERSIONS('churn'), VERSIONS('fraud')],
      Condition: { StringEqualsIfExists: { 'sagemaker:ModelApprovalStatus': 'PendingManualApproval' } },
    },
    // Adversarial: a plain AddTags call has no sagemaker:TaggingAction key. With
    // …IfExists it would pass; here the key must exist (Null: false) and say CreateModelPackage.
    {
      Sid: 'TagOnlyWhileRegistering',
      Effect: 'Allow',
      Action: 'sagemaker:AddTags',
      Resource: [GROUP('churn'), GROUP('fraud'), VERSIONS('churn'), VERSIONS('fraud')],
      Condition: {
        StringEquals: { 'sagemaker:TaggingAction': 'CreateModelPackage' },
        Null: { 'sagemaker:TaggingAction': 'false' },
      },
    },
    { Sid: 'ListVersions', Effect: 'Allow', Action: 'sagemaker:ListModelPackages', Resource: '*' },
    {
      Sid: 'NeverRegisterOrSetApproved',
      Effect: 'Deny',
      Action: ['sagemaker:CreateModelPackage', 'sagemaker:UpdateModelPackage'],
      Resource: '*',
      Condition: { StringEquals: { 'sagemaker:ModelApprovalStatus': 'Approved' } },
    },
    // Adversarial: a registrar who registers a version at a lifecycle
    // stage skips promotion. The Service Authorization Reference lists sagemaker:ModelLifeCycle:Stage
    // and :StageStatus on CreateModelPackage; a request that sets a stage carries them (Stage and
    // StageStatus are both required members of ModelLifeCycle).
    {
      Sid: 'NeverRegisterAtAStage',
      Effect: 'Deny',
      Action: 'sagemaker:CreateModelPackage',
      Resource: '*',
      Condition: { Null: { 'sagemaker:ModelLifeCycle:Stage': 'false' } },
    },
    {
      Sid: 'NeverRegisterAtAStageStatus',
      Effect: 'Deny',
      Action: 'sagemaker:CreateModelPackage',
      Resource: '*',
      Condition: { Null: { 'sagemaker:ModelLifeCycle:StageStatus': 'false' } },
    },
  ]);
});

it('gives approvers an approver policy: approve, reject, stage and review cards, never register', () => {
  expect(policyStatements('model-governance approver')).toEqual([
    {
      Sid: 'ApproveStageAndRead',
      Effect: 'Allow',
      Action: [
        'sagemaker:DescribeModelPackage',
        'sagemaker:DescribeModelPackageGroup',
        'sagemaker:UpdateModelPackage',
      ],
      Resource: [GROUP('churn'), GROUP('fraud'), VERSIONS('churn'), VERSIONS('fraud')],
      Condition: {
        StringEqualsIfExists: {
          'sagemaker:ModelApprovalStatus': ['Approved', 'Rejected', 'PendingManualApproval'],
        },
      },
    },
    {
      Sid: 'ReviewModelCards',
      Effect: 'Allow',
      Action: ['sagemaker:DescribeModelCard', 'sagemaker:UpdateModelCard'],
      Resource: [CARDS('churn'), CARDS('fraud')],
    },
    {
      Sid: 'ListVersionsAndCards',
      Effect: 'Allow',
      Action: ['sagemaker:ListModelCards', 'sagemaker:ListModelPackages'],
      Resource: '*',
    },
    { Sid: 'NeverRegister', Effect: 'Deny', Action: 'sagemaker:CreateModelPackage', Resource: '*' },
  ]);
});

const LONGEST: Record<string, string> = {
  Partition: 'aws-us-gov',
  Region: 'ap-southeast-2',
  AccountId: '123456789012',
};

it("splits the managed policies so each stays within IAM's 6,144 characters, whatever the names", () => {
  // One stack's worth of groups with the longest names SageMaker allows.
  const names = Array.from({ length: 60 }, (_, i) => `${'x'.repeat(58)}-${String(i).padStart(4, '0')}`);
  const { template: big } = synthGovernance({ groups: names.map((name) => ({ name })) });
  const documents = Object.values(big.findResources('AWS::IAM::ManagedPolicy')).filter((p) =>
    /^model-governance (registrar|approver)/.test(
      String((p.Properties as { Description?: string }).Description),
    ),
  );
  expect(documents.length).toBeGreaterThan(2); // split: more than one of each
  const covered = new Set<string>();
  for (const policy of documents) {
    // The document as IAM stores it: ARNs resolved (the longest partition and region), no whitespace.
    const stored = JSON.stringify(
      (policy.Properties as { PolicyDocument: unknown }).PolicyDocument,
      (_key, value) =>
        value && typeof value === 'object' && 'Fn::Sub' in value
          ? String(value['Fn::Sub']).replace(/\$\{AWS::(\w+)\}/g, (_m, name: string) => LONGEST[name] ?? name)
          : value,
    );
    expect(stored).not.toContain('Fn::');
    expect(stored.length).toBeLessThanOrEqual(6144);
    for (const name of names) if (stored.includes(`model-package/${name}/*`)) covered.add(name);
  }
  expect([...covered].sort()).toEqual(names); // every group is in some policy
});

it('runs the policy handler on every governed group (it writes their governance record), able to change only their versions and never to Approved', () => {
  const fn = Object.entries(template.findResources('AWS::Lambda::Function')).find(([, f]) =>
    String((f.Properties as { Description?: string }).Description).includes('quality gates'),
  );
  expect(fn).toBeDefined();
  const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (p) =>
      (p.Properties as { PolicyDocument: { Statement: Record<string, unknown>[] } }).PolicyDocument.Statement,
  );
  const updates = statements.filter((st) => st.Action === 'sagemaker:UpdateModelPackage');
  // Adversarial: no group here has autoApprove, so the handler's role may never set
  // Approved: its allow names only Rejected and PendingManualApproval (or no status at all), and an
  // explicit deny covers Approved.
  expect(updates).toEqual([
    {
      Action: 'sagemaker:UpdateModelPackage',
      Effect: 'Allow',
      Resource: [VERSIONS('churn'), VERSIONS('fraud')],
      Condition: {
        StringEqualsIfExists: { 'sagemaker:ModelApprovalStatus': ['Rejected', 'PendingManualApproval'] },
      },
    },
    {
      Action: 'sagemaker:UpdateModelPackage',
      Effect: 'Deny',
      Resource: [VERSIONS('churn'), VERSIONS('fraud')],
      Condition: { StringEquals: { 'sagemaker:ModelApprovalStatus': 'Approved' } },
    },
  ]);
});

it('lets the policy handler set Approved only on the versions of autoApprove groups', () => {
  const t = synthGovernance({
    groups: [
      { name: 'auto', qualityGate: { thresholds: [{ metric: 'mse', atMost: 6 }], autoApprove: true } },
      { name: 'manual', qualityGate: { thresholds: [{ metric: 'mse', atMost: 6 }] } },
    ],
  }).template;
  const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap(
    (p) =>
      (p.Properties as { PolicyDocument: { Statement: Record<string, unknown>[] } }).PolicyDocument.Statement,
  );
  const approving = statements.filter(
    (st) =>
      st.Action === 'sagemaker:UpdateModelPackage' && JSON.stringify(st.Condition).includes('"Approved"'),
  );
  expect(approving).toEqual([
    {
      Action: 'sagemaker:UpdateModelPackage',
      Effect: 'Allow',
      Resource: VERSIONS('auto'),
      Condition: { StringEquals: { 'sagemaker:ModelApprovalStatus': 'Approved' } },
    },
    {
      Action: 'sagemaker:UpdateModelPackage',
      Effect: 'Deny',
      Resource: VERSIONS('manual'),
      Condition: { StringEquals: { 'sagemaker:ModelApprovalStatus': 'Approved' } },
    },
  ]);
});

it('keeps the gate verdicts where only the policy handler may write them', () => {
  const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
  const deny = policies
    .flatMap(
      (p) =>
        (p.Properties as { PolicyDocument: { Statement: Record<string, unknown>[] } }).PolicyDocument
          .Statement,
    )
    .find((st) => st.Sid === 'OnlyThePolicyHandlerWritesVerdicts');
  expect(deny).toMatchObject({
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Action: ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObject'],
    Condition: {
      ArnNotEquals: {
        'aws:PrincipalArn': { 'Fn::GetAtt': [expect.stringMatching(/^PoliciesHandlerRole/), 'Arn'] },
      },
    },
  });
});

it("wakes the reconciler and the card handler when a card-gated group's card changes", () => {
  const rules = Object.values(template.findResources('AWS::Events::Rule')).filter(
    (r) =>
      (r.Properties as { EventPattern: { 'detail-type': string[] } }).EventPattern['detail-type'][0] ===
      'SageMaker Model Card State Change',
  );
  expect(rules).toHaveLength(1);
  const props = rules[0]?.Properties as { EventPattern: unknown; Targets: unknown[] };
  expect(props.EventPattern).toEqual({
    source: ['aws.sagemaker'],
    detail: { ModelCardName: [{ prefix: 'Churn-v' }] },
    'detail-type': ['SageMaker Model Card State Change'],
  });
  expect(props.Targets).toHaveLength(2);
});

it("keeps the model package rule within EventBridge's five targets", () => {
  for (const rule of Object.values(template.findResources('AWS::Events::Rule'))) {
    expect((rule.Properties as { Targets: unknown[] }).Targets.length).toBeLessThanOrEqual(5);
  }
});

it("tells the reconciler the policy handler's role: its change to a version is the approval check", () => {
  const functions = Object.values(template.findResources('AWS::Lambda::Function')) as {
    Properties: {
      Role: { 'Fn::GetAtt': [string, string] };
      Environment?: { Variables?: Record<string, unknown> };
    };
  }[];
  const policyHandler = functions.find((f) => f.Properties.Environment?.Variables?.POLICY_ROLE_ARN);
  const reconciler = functions.find((f) => f.Properties.Environment?.Variables?.MODEL_EXECUTION_ROLE_ARN);
  expect(reconciler?.Properties.Environment?.Variables?.APPROVAL_CHECKER_ROLE_ARN).toEqual(
    policyHandler?.Properties.Environment?.Variables?.POLICY_ROLE_ARN,
  );
  expect(reconciler?.Properties.Environment?.Variables?.APPROVAL_CHECKER_ROLE_ARN).toEqual({
    'Fn::GetAtt': [policyHandler?.Properties.Role['Fn::GetAtt'][0], 'Arn'],
  });
});

it('gives the policy handler and the reconciler just the S3 reads that artifact pins take', () => {
  const functions = Object.values(template.findResources('AWS::Lambda::Function')) as {
    Properties: {
      Role: { 'Fn::GetAtt': [string, string] };
      Environment?: { Variables?: Record<string, unknown> };
    };
  }[];
  const policyHandler = functions.find((f) => f.Properties.Environment?.Variables?.POLICY_ROLE_ARN);
  const reconciler = functions.find((f) => f.Properties.Environment?.Variables?.MODEL_EXECUTION_ROLE_ARN);
  // Both read the verdicts from the same place; only the policy handler writes them (test above).
  expect(reconciler?.Properties.Environment?.Variables?.VERDICT_S3_URI).toEqual(
    policyHandler?.Properties.Environment?.Variables?.VERDICT_S3_URI,
  );
  const s3Statements = (roleId: string | undefined) =>
    Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify((p.Properties as { Roles: unknown }).Roles).includes(`"${roleId}"`))
      .flatMap(
        (p) =>
          (p.Properties as { PolicyDocument: { Statement: Record<string, unknown>[] } }).PolicyDocument
            .Statement,
      )
      .filter((st) => JSON.stringify(st.Resource).includes('ml-models-123456789012'));
  const objects = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::ml-models-123456789012/*']] };
  const bucket = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::ml-models-123456789012']] };
  // The gate reads metrics (by pinned VersionId for live's), heads model data, lists an S3Prefix source.
  expect(s3Statements(policyHandler?.Properties.Role['Fn::GetAtt'][0])).toEqual([
    { Action: ['s3:GetObject', 's3:GetObjectVersion'], Effect: 'Allow', Resource: objects },
    { Action: 's3:ListBucket', Effect: 'Allow', Resource: bucket },
  ]);
  // The reconciler heads and lists only: no object versions, no writes. (CDK merges its read of the
  // card content records, model-card-content/*, into the same statement.)
  const cardContent = {
    'Fn::Join': [
      '',
      [{ 'Fn::GetAtt': [expect.stringMatching(/^ModelCardsAuditBucket/), 'Arn'] }, '/model-card-content/*'],
    ],
  };
  expect(s3Statements(reconciler?.Properties.Role['Fn::GetAtt'][0])).toEqual([
    { Action: 's3:GetObject', Effect: 'Allow', Resource: [objects, cardContent] },
    { Action: 's3:ListBucket', Effect: 'Allow', Resource: bucket },
  ]);
});

it("lets the policy handler and the reconciler read image manifests (BatchGetImage) to pin a gated version's image by digest, nothing more of ECR", () => {
  const functions = Object.values(template.findResources('AWS::Lambda::Function')) as {
    Properties: {
      Role: { 'Fn::GetAtt': [string, string] };
      Environment?: { Variables?: Record<string, unknown> };
    };
  }[];
  const roleOf = (variable: string) =>
    functions.find((f) => f.Properties.Environment?.Variables?.[variable])?.Properties.Role['Fn::GetAtt'][0];
  const ecrStatements = (t: typeof template, roleId: string | undefined) =>
    Object.values(t.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify((p.Properties as { Roles: unknown }).Roles).includes(`"${roleId}"`))
      .flatMap(
        (p) =>
          (p.Properties as { PolicyDocument: { Statement: Record<string, unknown>[] } }).PolicyDocument
            .Statement,
      )
      .filter((st) => JSON.stringify(st.Action).includes('ecr:'));
  const repositories = {
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:', { Ref: 'AWS::Region' }, ':*:repository/*']],
  };
  for (const role of [roleOf('POLICY_ROLE_ARN'), roleOf('MODEL_EXECUTION_ROLE_ARN')])
    expect(ecrStatements(template, role)).toEqual([
      { Action: 'ecr:BatchGetImage', Effect: 'Allow', Resource: repositories },
    ]);
  // Without a quality gate nothing is pinned: no ECR read at all.
  const ungated = synthGovernance({
    modelArtifactBuckets: ['ml-models-123456789012'],
    groups: [{ name: 'plain', separationOfDuties: true, deployments: [{ endpointName: 'plain-prod' }] }],
  }).template;
  const ungatedRoles = Object.values(ungated.findResources('AWS::Lambda::Function')).map(
    (f) => (f.Properties as { Role: { 'Fn::GetAtt': [string, string] } }).Role['Fn::GetAtt'][0],
  );
  for (const role of ungatedRoles) expect(ecrStatements(ungated, role)).toEqual([]);
});

it('lets the reconciler read the verdicts only where a group has a quality gate', () => {
  const t = synthGovernance({
    modelArtifactBuckets: ['ml-models-123456789012'],
    groups: [{ name: 'plain', separationOfDuties: true, deployments: [{ endpointName: 'plain-prod' }] }],
  }).template;
  const reconciler = Object.values(t.findResources('AWS::Lambda::Function')).find(
    (f) =>
      (f.Properties as { Environment?: { Variables?: Record<string, unknown> } }).Environment?.Variables
        ?.MODEL_EXECUTION_ROLE_ARN,
  ) as { Properties: { Environment: { Variables: Record<string, unknown> } } } | undefined;
  expect(reconciler?.Properties.Environment.Variables.VERDICT_S3_URI).toBeUndefined();
});

it('runs the policy handler for a group whose target serves a stage, with no gate and no separation of duties', () => {
  const t = synthGovernance({
    groups: [
      { name: 'staged', deployments: [{ endpointName: 'staged-prod', serve: { stage: 'Production' } }] },
    ],
  }).template;
  const fn = Object.entries(t.findResources('AWS::Lambda::Function')).find(([, f]) =>
    String((f.Properties as { Description?: string }).Description).includes('quality gates'),
  );
  expect(fn).toBeDefined();
  const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap(
    (p) =>
      (p.Properties as { PolicyDocument: { Statement: Record<string, unknown>[] } }).PolicyDocument.Statement,
  );
  // It records who set the stage; it may never approve.
  expect(statements.filter((st) => st.Action === 'sagemaker:UpdateModelPackage')).toEqual([
    expect.objectContaining({ Effect: 'Allow', Resource: VERSIONS('staged') }),
    {
      Action: 'sagemaker:UpdateModelPackage',
      Effect: 'Deny',
      Resource: VERSIONS('staged'),
      Condition: { StringEquals: { 'sagemaker:ModelApprovalStatus': 'Approved' } },
    },
  ]);
});

it('keeps the generated card content records where only the model-cards handler may write, and tells the reconciler where (round 3)', () => {
  const statements = Object.values(template.findResources('AWS::S3::BucketPolicy')).flatMap(
    (p) =>
      (p.Properties as { PolicyDocument: { Statement: Record<string, unknown>[] } }).PolicyDocument.Statement,
  );
  expect(
    statements.find((st) => st.Sid === 'OnlyTheModelCardsHandlerWritesCardContentRecords'),
  ).toMatchObject({
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Action: ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObject'],
    Condition: {
      ArnNotEquals: {
        'aws:PrincipalArn': { 'Fn::GetAtt': [expect.stringMatching(/^ModelCardsHandlerRole/), 'Arn'] },
      },
    },
  });
  const reconciler = Object.values(template.findResources('AWS::Lambda::Function')).find((f) =>
    JSON.stringify(f.Properties).includes('MODEL_EXECUTION_ROLE_ARN'),
  );
  if (!reconciler) throw new Error('no reconciler');
  const env = (reconciler.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment
    .Variables;
  expect(JSON.stringify(env.CARD_CONTENT_S3_URI)).toContain('/model-card-content');
});
