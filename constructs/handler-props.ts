import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { ApprovalEvents } from './approval-events';

/** What every governed handler construct is given by the stack. */
export interface SharedHandlerProps {
  /** The events it subscribes to. */
  readonly approvalEvents: ApprovalEvents;
  /** Where it notifies, and where its dead-letter alarm goes. */
  readonly topic: sns.ITopic;
  /** The stack's key: dead-letter queues, environment, encrypted buckets. */
  readonly encryptionKey: kms.IKey;
  /** The governance manifest bundled beside the handler. */
  readonly manifestPath: string;
}
