import { Stack, Token, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/*
 * cdk-nag's AwsSolutions pack runs on every synth of this repository's app (bin/compliance-checks.ts);
 * a team embedding the constructs runs it in its own app. Every acknowledgement below names the
 * finding exactly and says why it is accepted.
 */

interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
}

/** Acknowledged findings, each with its reason. */
export const ACKNOWLEDGEMENTS = {
  kmsDataKeyWildcard: {
    id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
    reason:
      "CDK's grants to publish to the encrypted topic and queues allow kms:GenerateDataKey* (GenerateDataKey and GenerateDataKeyWithoutPlaintext) on the stack's one key only.",
  },
  queueIsDeadLetterQueue: {
    id: 'AwsSolutions-SQS3',
    reason:
      'This queue is itself a dead-letter queue (for a Lambda and its EventBridge rules); it has an alarm instead.',
  },
} satisfies Record<string, Acknowledgement>;

/**
 * Acknowledges findings on a construct and, for a function whose role lives beside it (a
 * GovernedFunction's), on that role too: the function's grants are written into the role's policy.
 */
export function acknowledge(scope: IConstruct, ...acks: Acknowledgement[]): void {
  const role = (scope as { role?: unknown }).role as IConstruct | undefined;
  const besideRole =
    role?.node !== undefined && !role.node.path.startsWith(`${scope.node.path}/`) ? [role] : [];
  for (const target of [scope, ...besideRole]) {
    for (const ack of acks) Validations.of(target).acknowledge(ack);
  }
}

/**
 * An ARN as cdk-nag writes it in a finding id: pseudo parameters as `<AWS::Name>`, a concrete
 * account or region as itself.
 */
export function nagArn(scope: IConstruct, service: string, resource: string, inAccount?: string): string {
  const stack = Stack.of(scope);
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = inAccount ?? (Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account);
  return `arn:<AWS::Partition>:${service}:${region}:${account}:${resource}`;
}

/** Acknowledges on the whole stack the findings that hold for every construct of a kind in it. */
export function acknowledgeStackWide(stack: Stack): void {
  acknowledge(stack, ACKNOWLEDGEMENTS.queueIsDeadLetterQueue);
}
