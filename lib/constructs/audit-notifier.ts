import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { ApprovalEvents } from './approval-events';
import { GovernedFunction } from './governed-function';

export interface AuditNotifierProps {
  readonly groupNames: readonly string[];
  readonly approvalEvents: ApprovalEvents;
  readonly topic: sns.ITopic;
  readonly encryptionKey: kms.IKey;
  readonly manifestPath: string;
}

/** The audit-and-notify handler, wired to the governed groups' model package events. */
export class AuditNotifier extends Construct {
  readonly handler: GovernedFunction;

  constructor(scope: Construct, id: string, props: AuditNotifierProps) {
    super(scope, id);
    this.handler = new GovernedFunction(this, 'Handler', {
      handlerName: 'audit-notify',
      description: 'model-governance: audit record and notification for every approval-state change',
      manifestPath: props.manifestPath,
      encryptionKey: props.encryptionKey,
      alarmTopic: props.topic,
    })
      .bindNotificationTopic(props.topic)
      .allowOnVersionsOf(['sagemaker:DescribeModelPackage'], props.groupNames);
    props.approvalEvents.onModelPackageStateChange(this.handler, this.handler.deadLetters.queue);
  }
}
