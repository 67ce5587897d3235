import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { chunkNames, modelCardPattern, modelPackagePattern } from './approval-events';
import { DeadLetterQueue } from './dead-letter-queue';
import { ruleArnPattern } from './notifications';

export interface ForwardingTarget {
  /** The account whose default event bus receives the events. */
  readonly account: string;
  /** The groups deployed there: only their model package state changes are forwarded. */
  readonly groupNames: readonly string[];
  /**
   * The card-name prefixes (`<group>-v`) of the card-gated groups deployed there: their model card
   * state changes are forwarded too, the hint that a card was reviewed.
   */
  readonly cardPrefixes?: readonly string[];
}

export interface EventForwardingProps {
  readonly targets: readonly ForwardingTarget[];
  readonly encryptionKey: kms.IKey;
  readonly alarmTopic: sns.ITopic;
}

/**
 * Forwards the governed groups' model package state changes from the registry account to each
 * deployment account's default event bus (same region), through one role per account that may only
 * put events on that bus. The receiving stack's bus policy accepts them from this account only.
 */
export class EventForwarding extends Construct {
  readonly rules: events.Rule[] = [];
  /** One per deployment account: events the target bus refused. */
  readonly deadLetterQueues: sqs.IQueue[] = [];
  readonly roles = new Map<string, iam.Role>();

  constructor(scope: Construct, id: string, props: EventForwardingProps) {
    super(scope, id);
    const stack = Stack.of(this);
    for (const target of props.targets) {
      const busArn = stack.formatArn({
        service: 'events',
        account: target.account,
        resource: 'event-bus',
        resourceName: 'default',
      });
      const bus = events.EventBus.fromEventBusArn(this, `Bus-${target.account}`, busArn);
      const role = new iam.Role(this, `Role-${target.account}`, {
        // Only this account's rules may make EventBridge assume it.
        assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
          conditions: {
            StringEquals: { 'aws:SourceAccount': stack.account },
            ArnLike: { 'aws:SourceArn': ruleArnPattern(stack) },
          },
        }),
        description: `model-governance: forwards approval events to account ${target.account}'s default bus`,
      });
      role.addToPolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [busArn] }));
      this.roles.set(target.account, role);
      const dlq = new DeadLetterQueue(this, `DeadLetters-${target.account}`, {
        encryptionKey: props.encryptionKey,
        alarmTopic: props.alarmTopic,
        purpose: `approval events forwarded to account ${target.account}`,
      });
      this.deadLetterQueues.push(dlq.queue);
      chunkNames(target.groupNames, (names) => modelPackagePattern(names)).forEach((names, i) => {
        const rule = new events.Rule(this, `Forward-${target.account}-${i}`, {
          description: `model-governance: approval-state changes forwarded to account ${target.account}`,
          eventPattern: modelPackagePattern(names),
        });
        rule.addTarget(new targets.EventBus(bus, { role, deadLetterQueue: dlq.queue }));
        this.rules.push(rule);
      });
      chunkNames(target.cardPrefixes ?? [], (prefixes) => modelCardPattern(prefixes)).forEach(
        (prefixes, i) => {
          const rule = new events.Rule(this, `ForwardCards-${target.account}-${i}`, {
            description: `model-governance: model card reviews forwarded to account ${target.account}`,
            eventPattern: modelCardPattern(prefixes),
          });
          rule.addTarget(new targets.EventBus(bus, { role, deadLetterQueue: dlq.queue }));
          this.rules.push(rule);
        },
      );
    }
  }
}
