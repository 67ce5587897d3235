import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface DeadLetterQueueProps {
  /** Customer managed key: EventBridge can only deliver to a queue encrypted with one. */
  readonly encryptionKey: kms.IKey;
  /** Where the alarm goes when a message lands in the queue. */
  readonly alarmTopic: sns.ITopic;
  /** What failed, for the alarm's description ("audit-and-notify invocations"). */
  readonly purpose: string;
  /** @default 14 days, SQS's maximum: time for a person to look before the evidence is gone. */
  readonly retention?: Duration;
}

/** An encrypted dead-letter queue with an alarm that fires on its first message. */
export class DeadLetterQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: props.retention ?? Duration.days(14),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.alarm = new cloudwatch.Alarm(this, 'Alarm', {
      alarmDescription: `Messages in the dead-letter queue for ${props.purpose}: something failed after its retries. Read the message, fix the cause, then redrive it.`,
      metric: this.queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarm.addAlarmAction(new actions.SnsAction(props.alarmTopic));
  }
}
