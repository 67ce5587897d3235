/**
 * Every rule's dead-letter queue can be written by EventBridge. A DLQ encrypted with a
 * key EventBridge may not use loses every failed delivery silently (aws/aws-cdk#33169), so for each
 * rule target with a DeadLetterConfig this reads, from the synthesized templates:
 * - the queue's policy: events.amazonaws.com may SendMessage, from that rule (aws:SourceArn);
 * - the key policy of the queue's key: events.amazonaws.com may GenerateDataKey and Decrypt, from a
 *   rule of this account and region (aws:SourceArn) and this account (aws:SourceAccount).
 * It fails if either grant is missing, unscoped, or scoped to something the rule is not.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildGovernanceApp } from '../../bin/governance-app';
import { parseGovernanceConfig } from '../../core/config/parse';

type Json = Record<string, unknown>;
type Statement = {
  Effect: string;
  Principal?: { Service?: string | string[] };
  Action: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
};

const REGISTRY = '111111111111';
const PROD = '222222222222';

function templates(): { name: string; template: Template }[] {
  const config = parseGovernanceConfig({
    registry: { account: REGISTRY, region: 'eu-west-1' },
    groups: [
      {
        name: 'churn',
        separationOfDuties: true,
        qualityGate: { thresholds: [{ metric: 'mse', atMost: 6 }] },
        deployments: [
          { endpointName: 'churn-prod', account: PROD },
          { endpointName: 'churn-dev', production: false },
        ],
      },
    ],
  });
  const multi = buildGovernanceApp({
    config,
    app: new App({ outdir: mkdtempSync(join(tmpdir(), 'mgov-dlq-')) }),
  });
  const single = buildGovernanceApp({
    config: parseGovernanceConfig({
      groups: [
        {
          name: 'fraud',
          qualityGate: { thresholds: [{ metric: 'auc', atLeast: 0.8 }] },
          deployments: [{ endpointName: 'fraud-prod' }],
        },
      ],
    }),
    app: new App({ outdir: mkdtempSync(join(tmpdir(), 'mgov-dlq-')) }),
  });
  return [multi.stack, ...multi.deploymentStacks, single.stack].map((s) => ({
    name: s.stackName,
    template: Template.fromStack(s),
  }));
}

const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const services = (s: Statement) =>
  Array.isArray(s.Principal?.Service) ? s.Principal.Service : [s.Principal?.Service];
const refOf = (v: unknown): string | undefined =>
  (v as { Ref?: string })?.Ref ?? (v as { 'Fn::GetAtt'?: string[] })?.['Fn::GetAtt']?.[0];

const all = templates();

it.each(all.map((t) => [t.name, t.template] as const))(
  '%s: every rule can write its dead-letter queue',
  (_, template) => {
    const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Json }>;
    const pairs: { rule: string; queue: string }[] = [];
    for (const [id, r] of Object.entries(resources)) {
      if (r.Type !== 'AWS::Events::Rule') continue;
      for (const target of (r.Properties.Targets as Json[]) ?? []) {
        const dlq = (target.DeadLetterConfig as Json | undefined)?.Arn;
        if (dlq) pairs.push({ rule: id, queue: refOf(dlq) as string });
      }
    }
    expect(pairs.length).toBeGreaterThan(0);
    for (const { rule, queue } of pairs) {
      // The queue policy lets EventBridge send from exactly this rule.
      const queuePolicies = Object.values(resources).filter(
        (r) =>
          r.Type === 'AWS::SQS::QueuePolicy' &&
          (r.Properties.Queues as unknown[]).some((q) => refOf(q) === queue),
      );
      const sends = queuePolicies
        .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
        .filter(
          (s) =>
            s.Effect === 'Allow' &&
            services(s).includes('events.amazonaws.com') &&
            actions(s).includes('sqs:SendMessage'),
        );
      expect(sends.some((s) => refOf(s.Condition?.ArnEquals?.['aws:SourceArn']) === rule)).toBe(true);

      // The queue's key lets EventBridge encrypt for it, scoped to this account's rules.
      const keyId = refOf(resources[queue]?.Properties.KmsMasterKeyId);
      const key = keyId ? resources[keyId] : undefined;
      expect(key?.Type).toBe('AWS::KMS::Key');
      const grants = (
        (key?.Properties.KeyPolicy as { Statement?: Statement[] } | undefined)?.Statement ?? []
      ).filter(
        (s) =>
          s.Effect === 'Allow' &&
          services(s).includes('events.amazonaws.com') &&
          actions(s).includes('kms:GenerateDataKey') &&
          actions(s).includes('kms:Decrypt') &&
          // Not the archive's grant, which holds only for the event bus's encryption context.
          !JSON.stringify(s.Condition ?? {}).includes('kms:EncryptionContext'),
      );
      expect(grants).toHaveLength(1);
      const condition = JSON.stringify(grants[0]?.Condition);
      expect(condition).toMatch(/"aws:SourceAccount"/);
      // A rule of this stack's account and region: the form of its own rules' ARNs.
      expect(condition).toMatch(
        /"ArnLike":\{"aws:SourceArn":.*":events:([^:"]*:\d{12}|",\{"Ref":"AWS::Region"\},":",\{"Ref":"AWS::AccountId"\},"):rule\/\*"/,
      );
    }
  },
);

it("scopes the CloudWatch grant on each key to this account's alarms", () => {
  for (const { template } of all) {
    const keys = Object.values(template.findResources('AWS::KMS::Key'));
    const cw = keys
      .flatMap((k) => (k.Properties.KeyPolicy as { Statement: Statement[] }).Statement)
      .filter((s) => services(s).includes('cloudwatch.amazonaws.com'));
    expect(cw.length).toBeGreaterThan(0);
    for (const s of cw) {
      expect(JSON.stringify(s.Condition)).toMatch(/"aws:SourceAccount".*"aws:SourceArn".*:alarm:\*/);
    }
  }
});

it("lets only EventBridge acting for the registry account's rules assume the forwarding roles", () => {
  const registry = all[0]?.template;
  const trusts = Object.values(registry?.findResources('AWS::IAM::Role') ?? {})
    .flatMap((r) => (r.Properties.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement)
    .filter((s) => services(s).includes('events.amazonaws.com'));
  expect(trusts.length).toBeGreaterThan(0);
  for (const s of trusts) {
    expect(JSON.stringify(s.Condition)).toMatch(
      /"aws:SourceAccount":"111111111111".*"aws:SourceArn".*:rule\/\*"/,
    );
  }
});
