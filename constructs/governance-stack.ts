import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { toInput } from '../core/config/to-input';
import type { GovernanceConfig } from '../core/config/types';
import { ModelGovernance } from './model-governance';

export interface GovernanceStackProps extends StackProps {
  /** The validated configuration (see core/config). */
  readonly config: GovernanceConfig;
  /**
   * `single` (one account): everything, endpoints included. `registry` (multi-account): everything
   * but the endpoints, which deployment stacks manage; their groups' events are forwarded there.
   * @default 'single'
   */
  readonly role?: 'single' | 'registry';
}

/**
 * The JSON front end's registry stack: one ModelGovernance, as the stack's `Default` child (so its
 * resources keep the logical ids they had when the stack built them itself).
 */
export class GovernanceStack extends Stack {
  readonly governance: ModelGovernance;

  constructor(scope: Construct, id: string, props: GovernanceStackProps) {
    super(scope, id, props);
    const { stacks: _stacks, ...input } = toInput(props.config);
    this.governance = new ModelGovernance(this, 'Default', {
      ...input,
      endpointsManagedBy: props.role === 'registry' ? 'model-deployments' : 'this-construct',
    });
  }

  get encryptionKey() {
    return this.governance.encryptionKey;
  }
  get notifications() {
    return this.governance.notifications;
  }
  get groups() {
    return this.governance.groups;
  }
  get approvalEvents() {
    return this.governance.approvalEvents;
  }
  get auditNotifier() {
    return this.governance.auditNotifier;
  }
  get reconciler() {
    return this.governance.reconciler;
  }
  get modelCards() {
    return this.governance.modelCards;
  }
  get lineage() {
    return this.governance.lineage;
  }
  get policies() {
    return this.governance.policies;
  }
  get forwarding() {
    return this.governance.forwarding;
  }
}
