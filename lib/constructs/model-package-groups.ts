import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import type { ModelPackageGroupConfig } from '../../core/config/types';
import { compactArn } from '../arn';

/** Actions the group's resource policy grants each listed account: read versions and deploy them. */
export const SHARED_GROUP_ACTIONS = ['sagemaker:DescribeModelPackageGroup'] as const;
export const SHARED_VERSION_ACTIONS = [
  'sagemaker:DescribeModelPackage',
  'sagemaker:ListModelPackages',
  'sagemaker:CreateModel',
] as const;

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
    ],
  };
}
