import { Construct } from 'constructs';
import { GovernedFunction } from './governed-function';
import type { SharedHandlerProps } from './handler-props';

export interface AuditNotifierProps extends SharedHandlerProps {
  readonly groupNames: readonly string[];
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
