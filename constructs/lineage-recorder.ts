import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { ModelPackageGroupConfig } from '../core/config/types';
import { resourcePrefix } from '../core/naming';
import { compactArn } from './arn';
import { acknowledge, nagArn } from './compliance';
import { GovernedFunction } from './governed-function';
import type { SharedHandlerProps } from './handler-props';

export interface LineageRecorderProps extends SharedHandlerProps {
  readonly groups: readonly ModelPackageGroupConfig[];
  /**
   * What this stack records: approvals where the registry is, deployments where the endpoints are.
   * @default 'both' (one account)
   */
  readonly records?: 'approvals' | 'deployments' | 'both';
  /** The account holding the groups, when not this stack's. */
  readonly registryAccount?: string;
}

/** Records approvals and deployments in SageMaker ML Lineage Tracking. */
export class LineageRecorder extends Construct {
  readonly handler: GovernedFunction;

  constructor(scope: Construct, id: string, props: LineageRecorderProps) {
    super(scope, id);
    this.handler = new GovernedFunction(this, 'Handler', {
      handlerName: 'lineage',
      description: 'model-governance: approvals and deployments recorded in SageMaker ML Lineage Tracking',
      manifestPath: props.manifestPath,
      encryptionKey: props.encryptionKey,
      alarmTopic: props.topic,
      timeout: Duration.minutes(1),
    });
    const arn = (resource: string, name: string) => compactArn(this, 'sagemaker', `${resource}/${name}`);
    const lineage = ['artifact', 'context', 'action'].map((r) => arn(r, '*'));
    this.handler.allow(
      [
        'sagemaker:CreateArtifact',
        'sagemaker:CreateContext',
        'sagemaker:CreateAction',
        'sagemaker:DescribeAction',
        'sagemaker:AddAssociation',
        'sagemaker:AddTags',
      ],
      lineage,
    );
    this.handler.allow(['sagemaker:ListArtifacts', 'sagemaker:ListContexts', 'sagemaker:ListActions'], ['*']);
    this.handler.allowOnVersionsOf(
      ['sagemaker:DescribeModelPackage'],
      props.groups.map((g) => g.name),
      props.registryAccount,
    );
    const records = props.records ?? 'both';
    const targets = records === 'approvals' ? [] : props.groups.flatMap((g) => g.deployments);
    if (targets.length > 0) {
      const prefixes = targets.map((t) => `${resourcePrefix(t.endpointName).toLowerCase()}-v*`);
      this.handler.allow(
        // ListTags: the deployment request the reconciler recorded, to recognise a rollback.
        ['sagemaker:DescribeEndpoint', 'sagemaker:ListTags'],
        targets.map((t) => arn('endpoint', t.endpointName.toLowerCase())),
      );
      this.handler.allow(
        ['sagemaker:DescribeEndpointConfig'],
        prefixes.map((p) => arn('endpoint-config', p)),
      );
      this.handler.allow(
        ['sagemaker:DescribeModel'],
        prefixes.map((p) => arn('model', p)),
      );
      for (const p of prefixes) {
        for (const r of ['endpoint-config', 'model']) {
          acknowledge(this.handler, {
            id: `AwsSolutions-IAM5[Resource::${nagArn(this, 'sagemaker', `${r}/${p}`)}]`,
            reason: `Reads the ${r}s the reconciler names per version after the endpoint (${p}).`,
          });
        }
      }
    }
    if (records !== 'deployments')
      props.approvalEvents.onModelPackageStateChange(this.handler, this.handler.deadLetters.queue);
    if (records !== 'approvals')
      props.approvalEvents.onEndpointStateChange(this.handler, this.handler.deadLetters.queue);
    for (const r of ['artifact', 'context', 'action']) {
      acknowledge(this.handler, {
        id: `AwsSolutions-IAM5[Resource::${nagArn(this, 'sagemaker', `${r}/*`)}]`,
        reason: `Lineage ${r}s are named by SageMaker (artifacts get random ids) or per approval and deployment; the handler creates and links them, never deletes.`,
      });
    }
    acknowledge(this.handler, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ListArtifacts, ListContexts and ListActions have no resource-level permissions; they find SageMaker’s own entities by SourceUri.',
    });
  }
}
