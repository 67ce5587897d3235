import { Aws, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import type { ModelPackageGroupConfig } from '../core/config/types';
import { compactArn } from './arn';

/** Actions the group's resource policy grants each listed account: read the group and its versions. */
export const SHARED_GROUP_ACTIONS = ['sagemaker:DescribeModelPackageGroup'] as const;
export const SHARED_VERSION_ACTIONS = [
  'sagemaker:DescribeModelPackage',
  'sagemaker:ListModelPackages',
] as const;
/**
 * Deploying a version (a model made from it) is granted to the deployment stacks' reconciler roles
 * only, not to whole accounts: anyone else in a deployment account could otherwise make a model of
 * any version, Pending and Rejected ones included.
 */
export const DEPLOY_VERSION_ACTIONS = ['sagemaker:CreateModel', 'sagemaker:DescribeModelPackage'] as const;

/**
 * The name of a deployment stack's reconciler role: fixed, so the registry's resource policies can
 * name it (aws:PrincipalArn) before that stack exists. One per account and region.
 */
export function reconcilerRoleName(region: string): string {
  return `model-governance-reconciler-${region}`;
}

/**
 * The name of the registry's policy-handler role when deployment stacks run the reconcilers: fixed,
 * so that they can recognise its check of an approval (domain/approval-check.ts) before or
 * without reading the registry stack. One per account and region.
 */
export function policyGateRoleName(region: string): string {
  return `model-governance-policy-gate-${region}`;
}

export interface ModelPackageGroupsProps {
  readonly groups: readonly ModelPackageGroupConfig[];
}

/**
 * The governed Model Package Groups, one CloudFormation resource each.
 *
 * Removal policy: RETAIN. Taking a group out of the configuration leaves the group and every
 * registered version in the account (CloudFormation forgets it); versions are evidence an auditor
 * may need, and SageMaker refuses to delete a group that still has versions anyway. Delete such a
 * group by hand once its versions are no longer needed.
 */
export class ModelPackageGroups extends Construct {
  readonly resources = new Map<string, sagemaker.CfnModelPackageGroup>();

  constructor(scope: Construct, id: string, props: ModelPackageGroupsProps) {
    super(scope, id);
    for (const group of props.groups) {
      const resource = new sagemaker.CfnModelPackageGroup(this, `Group-${group.name}`, {
        modelPackageGroupName: group.name,
        modelPackageGroupDescription: group.description,
        modelPackageGroupPolicy:
          group.shareWithAccounts.length > 0 ? crossAccountPolicy(this, group) : undefined,
        tags: Object.entries({ 'model-governance:group': group.name, ...group.tags }).map(([key, value]) => ({
          key,
          value,
        })),
      });
      resource.applyRemovalPolicy(RemovalPolicy.RETAIN);
      this.resources.set(group.name, resource);
    }
  }
}

/**
 * SageMaker writes model package group names in lower case in its ARNs, and IAM compares ARNs
 * case-sensitively: every ARN this project builds goes through these helpers. `account` defaults to
 * the stack's own.
 */
export function modelPackageGroupArn(scope: Construct, name: string, account?: string): string {
  return compactArn(scope, 'sagemaker', `model-package-group/${name.toLowerCase()}`, account);
}

/** Every version of a group: model-package/<group>/<version>. */
export function modelPackageVersionsArn(scope: Construct, name: string, account?: string): string {
  return compactArn(scope, 'sagemaker', `model-package/${name.toLowerCase()}/*`, account);
}

function crossAccountPolicy(scope: Construct, group: ModelPackageGroupConfig): Record<string, unknown> {
  const principals = { AWS: group.shareWithAccounts.map((a) => `arn:${Aws.PARTITION}:iam::${a}:root`) };
  const reconcilers = group.shareWithAccounts.map(
    (a) => `arn:${Aws.PARTITION}:iam::${a}:role/${reconcilerRoleName(Stack.of(scope).region)}`,
  );
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ShareModelPackageGroup',
        Effect: 'Allow',
        Principal: principals,
        Action: [...SHARED_GROUP_ACTIONS],
        Resource: modelPackageGroupArn(scope, group.name),
      },
      {
        Sid: 'ShareModelPackageVersions',
        Effect: 'Allow',
        Principal: principals,
        Action: [...SHARED_VERSION_ACTIONS],
        Resource: modelPackageVersionsArn(scope, group.name),
      },
      {
        Sid: 'DeployVersionsByReconcilersOnly',
        Effect: 'Allow',
        Principal: principals,
        Action: [...DEPLOY_VERSION_ACTIONS],
        Resource: modelPackageVersionsArn(scope, group.name),
        Condition: { ArnEquals: { 'aws:PrincipalArn': reconcilers } },
      },
    ],
  };
}
