import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface NotificationsProps {
  readonly encryptionKey: kms.IKey;
  readonly emails: readonly string[];
}

/**
 * The KMS-encrypted topic that tells people what happened: approvals, deployments, alarms.
 * CloudWatch alarms publish to it too, so the key lets CloudWatch use it (and nothing else).
 */
export class Notifications extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'model-governance',
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    for (const email of props.emails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    const stack = Stack.of(this);
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishToTheEncryptedTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        // Only this account's alarms (confused-deputy protection; issue #15, Low).
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*`,
          },
        },
      }),
    );
    // EventBridge writes failed deliveries to the rules' dead-letter queues, which this key
    // encrypts; without this grant those messages are lost and no alarm fires (issue #15, H3;
    // aws/aws-cdk#33169). Scoped to this account's rules (see ruleArnPattern).
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowThisStacksRulesToWriteTheirDeadLetterQueues',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': ruleArnPattern(stack) },
        },
      }),
    );
  }
}

/**
 * ARNs of the EventBridge rules that may use the key: this account's, in this region. Naming the
 * rules one by one would make a cycle (key policy → rule → its dead-letter queue → key), and their
 * generated names do not reliably start with the stack name (CloudFormation shortens long ones).
 */
export function ruleArnPattern(stack: Stack): string {
  return `arn:${stack.partition}:events:${stack.region}:${stack.account}:rule/*`;
}
