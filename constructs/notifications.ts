import { Names, Stack } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { ChatChannels } from '../core/config/types';

export interface NotificationsProps {
  readonly encryptionKey: kms.IKey;
  readonly emails: readonly string[];
  /** Slack and Microsoft Teams channels that receive the topic's messages (AWS Chatbot). @default none */
  readonly chat?: ChatChannels;
}

/**
 * The KMS-encrypted topic that tells people what happened: approvals, deployments, alarms.
 * CloudWatch alarms publish to it too, so the key lets CloudWatch use it (and nothing else).
 */
export class Notifications extends Construct {
  readonly topic: sns.Topic;
  /** The AWS Chatbot channel configurations (Slack, Teams) subscribed to the topic. */
  readonly chatChannels: (
    | chatbot.CfnSlackChannelConfiguration
    | chatbot.CfnMicrosoftTeamsChannelConfiguration
  )[] = [];

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'model-governance',
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    for (const email of props.emails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    if (props.chat?.slack || props.chat?.teams) this.addChatChannels(props.chat);
    const stack = Stack.of(this);
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishToTheEncryptedTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        // Only this account's alarms (confused-deputy protection).
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*`,
          },
        },
      }),
    );
    // EventBridge writes failed deliveries to the rules' dead-letter queues, which this key
    // encrypts; without this grant those messages are lost and no alarm fires
    // (aws/aws-cdk#33169). Scoped to this account's rules (see ruleArnPattern).
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

  /**
   * AWS Chatbot configurations that post the topic's messages to the channels. Notifications only:
   * the channel role has no policies, and the guardrail is AWS's AWSDenyAll, so nobody can run an
   * AWS command from the channel through it. Chatbot subscribes to the topic itself (SnsTopicArns);
   * SNS decrypts each message as it delivers it to a subscriber (SNS developer guide, "Encryption at
   * rest"), so the key needs no grant for Chatbot.
   */
  private addChatChannels(chat: ChatChannels): void {
    const role = new iam.Role(this, 'ChatbotRole', {
      assumedBy: new iam.ServicePrincipal('chatbot.amazonaws.com'),
      description: 'model-governance: AWS Chatbot channel role for notifications only (no permissions)',
    });
    const stack = Stack.of(this);
    const guardrail = `arn:${stack.partition}:iam::aws:policy/AWSDenyAll`;
    // Chatbot configuration names: ^[A-Za-z0-9-_]+$, 1 to 128 (CloudFormation resource schema).
    const name = (channel: string) =>
      `${Names.uniqueResourceName(this, { maxLength: 100, separator: '-' })}-${channel}`;
    const common = {
      iamRoleArn: role.roleArn,
      snsTopicArns: [this.topic.topicArn],
      guardrailPolicies: [guardrail],
      loggingLevel: 'ERROR',
      userRoleRequired: false,
    };
    if (chat.slack) {
      this.chatChannels.push(
        new chatbot.CfnSlackChannelConfiguration(this, 'Slack', {
          ...common,
          configurationName: name('slack'),
          slackWorkspaceId: chat.slack.workspaceId,
          slackChannelId: chat.slack.channelId,
        }),
      );
    }
    if (chat.teams) {
      this.chatChannels.push(
        new chatbot.CfnMicrosoftTeamsChannelConfiguration(this, 'Teams', {
          ...common,
          configurationName: name('teams'),
          teamId: chat.teams.teamId,
          teamsTenantId: chat.teams.tenantId,
          teamsChannelId: chat.teams.channelId,
        }),
      );
    }
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
