/**
 * The EventBridge events model-governance listens to: the rules (lib/) match them, the handlers
 * (lambda/) parse them. SageMaker's detail types, as EventBridge delivers them.
 */
export const SAGEMAKER_EVENT_SOURCE = 'aws.sagemaker';
export const MODEL_PACKAGE_STATE_CHANGE = 'SageMaker Model Package State Change';
export const ENDPOINT_STATE_CHANGE = 'SageMaker Endpoint State Change';
export const MODEL_CARD_STATE_CHANGE = 'SageMaker Model Card State Change';
/**
 * A monitoring execution runs as a processing job: its state change (developer guide, "Events that
 * Amazon SageMaker AI sends to Amazon EventBridge", processing job state change) carries the
 * schedule's ARN, and an ExitMessage starting "CompletedWithViolations" when it found violations.
 */
export const PROCESSING_JOB_STATE_CHANGE = 'SageMaker Processing Job State Change';

/**
 * CloudFormation's own event when a stack settles (AWS CloudFormation user guide, "Stack Status
 * Change event detail": source aws.cloudformation, detail `stack-id` and `status-details.status`).
 * A deployment of the app's stack can change a target's configuration (instance type, network,
 * keys, scaling) without any SageMaker event, so the reconciler looks at every target it manages
 * when its own stack settles.
 */
export const CLOUDFORMATION_EVENT_SOURCE = 'aws.cloudformation';
export const STACK_STATUS_CHANGE = 'CloudFormation Stack Status Change';
/**
 * The statuses a stack settles in with the functions' code and configuration in place. A rolled-back
 * update is included: the previous configuration is back, and any target reconciled meanwhile with
 * the new one is put back to it.
 */
export const STACK_SETTLED_STATUSES = ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE'];
