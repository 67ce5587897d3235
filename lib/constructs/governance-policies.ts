import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { modelCardPrefix } from '../../lambda/core/model-card';
import { acknowledge, nagArn } from '../compliance';
import type { ModelPackageGroupConfig } from '../config/types';
import { GovernedFunction } from './governed-function';
import type { SharedHandlerProps } from './handler-props';
import { modelPackageGroupArn, modelPackageVersionsArn } from './model-package-groups';

export interface GovernancePoliciesProps extends SharedHandlerProps {
  readonly groups: readonly ModelPackageGroupConfig[];
  /** Where the versions' metrics files live: the quality gate reads them. */
  readonly metricsBuckets: readonly string[];
}

/**
 * Governance policies: the policy handler (quality gates, separation of duties), when a group asks
 * for either, and two IAM managed policies for the people and pipelines around the registry:
 *
 * - registrar (training pipelines): register versions of the governed groups, never as Approved;
 *   may not change a version's approval;
 * - approver (Studio user profiles' execution roles, release managers): approve, reject, move a
 *   version through its lifecycle stages and review its model card; may not register versions.
 *
 * Both rely on SageMaker's `sagemaker:ModelApprovalStatus` condition key (CreateModelPackage and
 * UpdateModelPackage) and on resource-level permissions on the groups' versions.
 */
export class GovernancePolicies extends Construct {
  readonly handler?: GovernedFunction;
  readonly registrarPolicy: iam.ManagedPolicy;
  readonly approverPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: GovernancePoliciesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const names = props.groups.map((g) => g.name);
    const groupArns = names.map((n) => modelPackageGroupArn(this, n));
    const versionArns = names.map((n) => modelPackageVersionsArn(this, n));
    const cardArns = props.groups.map((g) =>
      stack.formatArn({
        service: 'sagemaker',
        resource: 'model-card',
        resourceName: `${modelCardPrefix(g.name).toLowerCase()}-v*`,
      }),
    );

    this.registrarPolicy = new iam.ManagedPolicy(this, 'RegistrarPolicy', {
      description:
        'model-governance registrar: register versions of the governed model package groups (pending approval only); no approvals',
      statements: [
        new iam.PolicyStatement({
          sid: 'RegisterVersions',
          actions: ['sagemaker:CreateModelPackage'],
          resources: [...groupArns, ...versionArns],
          conditions: { StringEqualsIfExists: { 'sagemaker:ModelApprovalStatus': 'PendingManualApproval' } },
        }),
        new iam.PolicyStatement({
          sid: 'TagNewVersions',
          actions: ['sagemaker:AddTags'],
          resources: versionArns,
          conditions: { StringEquals: { 'sagemaker:TaggingAction': 'CreateModelPackage' } },
        }),
        new iam.PolicyStatement({
          sid: 'ReadRegistry',
          actions: ['sagemaker:DescribeModelPackageGroup', 'sagemaker:DescribeModelPackage'],
          resources: [...groupArns, ...versionArns],
        }),
        new iam.PolicyStatement({
          sid: 'ListVersions',
          actions: ['sagemaker:ListModelPackages'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'NeverRegisterApproved',
          effect: iam.Effect.DENY,
          actions: ['sagemaker:CreateModelPackage'],
          resources: [...groupArns, ...versionArns],
          conditions: { StringEquals: { 'sagemaker:ModelApprovalStatus': 'Approved' } },
        }),
        new iam.PolicyStatement({
          sid: 'NeverApprove',
          effect: iam.Effect.DENY,
          actions: ['sagemaker:UpdateModelPackage'],
          resources: versionArns,
          conditions: { StringEquals: { 'sagemaker:ModelApprovalStatus': 'Approved' } },
        }),
      ],
    });

    this.approverPolicy = new iam.ManagedPolicy(this, 'ApproverPolicy', {
      description:
        'model-governance approver: approve, reject and stage versions of the governed groups and review their model cards; no registration',
      statements: [
        new iam.PolicyStatement({
          sid: 'ChangeApprovalAndStage',
          actions: ['sagemaker:UpdateModelPackage'],
          resources: versionArns,
          conditions: {
            StringEqualsIfExists: {
              'sagemaker:ModelApprovalStatus': ['Approved', 'Rejected', 'PendingManualApproval'],
            },
          },
        }),
        new iam.PolicyStatement({
          sid: 'ReadRegistry',
          actions: ['sagemaker:DescribeModelPackageGroup', 'sagemaker:DescribeModelPackage'],
          resources: [...groupArns, ...versionArns],
        }),
        new iam.PolicyStatement({
          sid: 'ListVersionsAndCards',
          actions: ['sagemaker:ListModelPackages', 'sagemaker:ListModelCards'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'ReviewModelCards',
          actions: ['sagemaker:DescribeModelCard', 'sagemaker:UpdateModelCard'],
          resources: cardArns,
        }),
        new iam.PolicyStatement({
          sid: 'NeverRegister',
          effect: iam.Effect.DENY,
          actions: ['sagemaker:CreateModelPackage'],
          resources: ['*'],
        }),
      ],
    });
    for (const policy of [this.registrarPolicy, this.approverPolicy]) {
      for (const name of names) {
        acknowledge(policy, {
          id: `AwsSolutions-IAM5[Resource::${nagArn(this, 'sagemaker', `model-package/${name.toLowerCase()}/*`)}]`,
          reason: `Versions of ${name} are numbered as they are registered; the wildcard covers that group's versions only.`,
        });
      }
      acknowledge(policy, {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'ListModelPackages and ListModelCards do not support resource-level permissions; the deny on CreateModelPackage applies everywhere on purpose.',
      });
    }
    for (const g of props.groups) {
      acknowledge(this.approverPolicy, {
        id: `AwsSolutions-IAM5[Resource::${nagArn(this, 'sagemaker', `model-card/${modelCardPrefix(g.name).toLowerCase()}-v*`)}]`,
        reason: `Cards are named per version of ${g.name} (<group>-v<version>); the wildcard covers that group's cards only.`,
      });
    }

    const gated = props.groups.filter((g) => g.qualityGate || g.separationOfDuties);
    if (gated.length === 0) return;
    const handler = new GovernedFunction(this, 'Handler', {
      handlerName: 'policy-gate',
      description: 'model-governance: quality gates on new versions, separation of duties on approvals',
      manifestPath: props.manifestPath,
      encryptionKey: props.encryptionKey,
      alarmTopic: props.topic,
      timeout: Duration.minutes(1),
      memorySize: 512,
    })
      .bindNotificationTopic(props.topic)
      .allowOnVersionsOf(
        ['sagemaker:DescribeModelPackage', 'sagemaker:UpdateModelPackage'],
        gated.map((g) => g.name),
      );
    const liveEndpoints = gated.flatMap((g) =>
      g.qualityGate?.thresholds.some((t) => t.rule.kind === 'not-worse-than-live')
        ? [g.qualityGate.liveEndpoint ?? g.deployments[0]?.endpointName].filter((e): e is string => !!e)
        : [],
    );
    if (liveEndpoints.length > 0) {
      handler.allow(
        ['sagemaker:DescribeEndpoint'],
        liveEndpoints.map((e) =>
          stack.formatArn({ service: 'sagemaker', resource: 'endpoint', resourceName: e.toLowerCase() }),
        ),
      );
    }
    if (props.metricsBuckets.length > 0) {
      handler.allow(
        ['s3:GetObject'],
        props.metricsBuckets.map((b) => `arn:${stack.partition}:s3:::${b}/*`),
      );
      for (const b of props.metricsBuckets) {
        acknowledge(handler, {
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${b}/*]`,
          reason: `Metrics files in ${b} are keyed by pipeline execution; read-only.`,
        });
      }
    }
    props.approvalEvents.onModelPackageStateChange(handler, handler.deadLetters.queue);
    this.handler = handler;
  }
}
