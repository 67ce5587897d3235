import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  CLOUDFORMATION_EVENT_SOURCE,
  ENDPOINT_STATE_CHANGE,
  MODEL_CARD_STATE_CHANGE,
  MODEL_PACKAGE_STATE_CHANGE,
  STACK_SETTLED_STATUSES,
  STACK_STATUS_CHANGE,
} from '../core/events';

/** EventBridge's default limit on an event pattern's size, in characters. */
export const EVENT_PATTERN_MAX_CHARS = 2048;

/**
 * Delivery retries from a rule to its target. The handlers are level-triggered, so a late delivery
 * is harmless; six hours rides out a regional Lambda incident, and then the event goes to the DLQ.
 */
export const TARGET_RETRY = { retryAttempts: 20, maxEventAge: Duration.hours(6) } as const;

export interface ApprovalEventsProps {
  /** The governed model package groups. */
  readonly groupNames: readonly string[];
  /** The endpoints the deployment targets manage. */
  readonly endpointNames: readonly string[];
  /** Model card name prefixes (`<group>-v`) of the groups whose targets deploy only reviewed cards. */
  readonly cardGatePrefixes?: readonly string[];
  /** Days the archive keeps events; 0 keeps them forever. */
  readonly archiveRetentionDays: number;
  /** Archive the model package state changes (the registry's stack does; deployment stacks do not). @default true */
  readonly archive?: boolean;
  /**
   * Accept model package state changes only from this account: a deployment stack receives them
   * forwarded from the registry account, whose id the events keep.
   */
  readonly registryAccount?: string;
  readonly encryptionKey: kms.IKey;
}

/**
 * The SageMaker state-change events the app reacts to, on the default bus.
 *
 * Rules match the governed names exactly. A pattern is limited to 2,048 characters, so names are
 * split into as many rules (and archives) as needed: each consumer is attached to all of them.
 */
export class ApprovalEvents extends Construct {
  readonly modelPackageRules: events.Rule[] = [];
  readonly endpointRules: events.Rule[] = [];
  readonly modelCardRules: events.Rule[] = [];
  readonly archives: events.Archive[] = [];
  /** This stack settling after a deployment (created with the first onStackDeployed). */
  private stackDeployedRule?: events.Rule;

  constructor(scope: Construct, id: string, props: ApprovalEventsProps) {
    super(scope, id);
    const bus = events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');

    const mpPattern = (names: readonly string[]) => modelPackagePattern(names, props.registryAccount);
    chunkNames(props.groupNames, mpPattern).forEach((names, i) => {
      const pattern = mpPattern(names);
      this.modelPackageRules.push(
        new events.Rule(this, `ModelPackageStateChange${i}`, {
          description: `model-governance: approval-state changes of ${describeNames(names)}`,
          eventPattern: pattern,
        }),
      );
      if (props.archive === false) return;
      this.archives.push(
        new events.Archive(this, `ModelPackageArchive${i}`, {
          description: `model-governance audit archive: model package state changes of ${describeNames(names)}`,
          sourceEventBus: bus,
          eventPattern: pattern,
          retention: props.archiveRetentionDays > 0 ? Duration.days(props.archiveRetentionDays) : undefined,
          kmsKey: props.encryptionKey,
        }),
      );
    });

    chunkNames(props.endpointNames, (names) => endpointPattern(names)).forEach((names, i) => {
      this.endpointRules.push(
        new events.Rule(this, `EndpointStateChange${i}`, {
          description: `model-governance: state changes of endpoints ${describeNames(names)}`,
          eventPattern: endpointPattern(names),
        }),
      );
    });

    chunkNames(props.cardGatePrefixes ?? [], (p) => modelCardPattern(p)).forEach((prefixes, i) => {
      this.modelCardRules.push(
        new events.Rule(this, `ModelCardStateChange${i}`, {
          description: `model-governance: review of the model cards of ${describeNames(prefixes)}`,
          eventPattern: modelCardPattern(prefixes),
        }),
      );
    });
  }

  /** Sends the card-gated groups' model card state changes to a handler (none when no target is card-gated). */
  onModelCardStateChange(handler: lambda.IFunction, deadLetterQueue: sqs.IQueue): void {
    for (const rule of this.modelCardRules) {
      rule.addTarget(new targets.LambdaFunction(handler, { deadLetterQueue, ...TARGET_RETRY }));
    }
  }

  /** Sends the governed groups' model package state changes to a handler. */
  onModelPackageStateChange(handler: lambda.IFunction, deadLetterQueue: sqs.IQueue): void {
    for (const rule of this.modelPackageRules) {
      rule.addTarget(new targets.LambdaFunction(handler, { deadLetterQueue, ...TARGET_RETRY }));
    }
  }

  /**
   * Sends this stack's own settled deployments to a handler: a deployment can change what a target
   * should serve on (instance type, network, keys, scaling) with no SageMaker event to say so.
   */
  onStackDeployed(handler: lambda.IFunction, deadLetterQueue: sqs.IQueue): void {
    this.stackDeployedRule ??= new events.Rule(this, 'StackDeployed', {
      description:
        'model-governance: this stack settled after a deployment (its configuration may have changed)',
      eventPattern: stackDeployedPattern(Stack.of(this).stackId),
    });
    this.stackDeployedRule.addTarget(
      new targets.LambdaFunction(handler, { deadLetterQueue, ...TARGET_RETRY }),
    );
  }

  /** Sends the managed endpoints' state changes to a handler. */
  onEndpointStateChange(handler: lambda.IFunction, deadLetterQueue: sqs.IQueue): void {
    for (const rule of this.endpointRules) {
      rule.addTarget(new targets.LambdaFunction(handler, { deadLetterQueue, ...TARGET_RETRY }));
    }
  }
}

export function modelPackagePattern(groupNames: readonly string[], account?: string): events.EventPattern {
  return {
    ...(account ? { account: [account] } : {}),
    source: ['aws.sagemaker'],
    detailType: [MODEL_PACKAGE_STATE_CHANGE],
    detail: { ModelPackageGroupName: [...groupNames] },
  };
}

/**
 * Endpoint states worth a reconcile: the ones an endpoint settles in. (Creating and Updating would
 * only find it busy.) Both spellings: AWS's documented event says IN_SERVICE, its API InService.
 */
export const SETTLED_ENDPOINT_STATUSES = [
  'IN_SERVICE',
  'InService',
  'FAILED',
  'Failed',
  'OUT_OF_SERVICE',
  'OutOfService',
];

export function endpointPattern(endpointNames: readonly string[]): events.EventPattern {
  return {
    source: ['aws.sagemaker'],
    detailType: [ENDPOINT_STATE_CHANGE],
    detail: { EndpointName: [...endpointNames], EndpointStatus: SETTLED_ENDPOINT_STATUSES },
  };
}

/** The stack's own settled statuses (CloudFormation user guide, "Stack Status Change event detail"). */
export function stackDeployedPattern(stackId: string): events.EventPattern {
  return {
    source: [CLOUDFORMATION_EVENT_SOURCE],
    detailType: [STACK_STATUS_CHANGE],
    detail: { 'stack-id': [stackId], 'status-details': { status: [...STACK_SETTLED_STATUSES] } },
  };
}

/** Card names are `<group>-v<version>`: matched by prefix, one per card-gated group. */
export function modelCardPattern(prefixes: readonly string[]): events.EventPattern {
  return {
    source: ['aws.sagemaker'],
    detailType: [MODEL_CARD_STATE_CHANGE],
    detail: { ModelCardName: prefixes.map((prefix) => ({ prefix })) as unknown as string[] },
  };
}

/** The pattern as EventBridge receives it (CloudFormation's JSON, with `detail-type`). */
export function patternJson(pattern: events.EventPattern): string {
  const { detailType, ...rest } = pattern;
  return JSON.stringify({ ...rest, ...(detailType ? { 'detail-type': detailType } : {}) });
}

/**
 * Splits names into the fewest consecutive chunks whose pattern fits EventBridge's size limit.
 * @throws when one name alone does not fit (cannot happen for SageMaker's 63-character names).
 */
export function chunkNames(
  names: readonly string[],
  toPattern: (names: readonly string[]) => events.EventPattern,
  maxChars = EVENT_PATTERN_MAX_CHARS,
): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  for (const name of names) {
    const candidate = [...current, name];
    if (patternJson(toPattern(candidate)).length <= maxChars) {
      current = candidate;
      continue;
    }
    if (current.length === 0)
      throw new Error(`The name "${name}" alone makes an event pattern over ${maxChars} characters.`);
    chunks.push(current);
    current = [name];
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function describeNames(names: readonly string[]): string {
  const shown = names.slice(0, 3).join(', ');
  const text = names.length > 3 ? `${shown} and ${names.length - 3} more` : shown;
  return text.length > 400 ? `${text.slice(0, 397)}...` : text;
}
