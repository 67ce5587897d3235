/**
 * The EventBridge events model-governance listens to: the rules (lib/) match them, the handlers
 * (lambda/) parse them. SageMaker's detail types, as EventBridge delivers them.
 */
export const SAGEMAKER_EVENT_SOURCE = 'aws.sagemaker';
export const MODEL_PACKAGE_STATE_CHANGE = 'SageMaker Model Package State Change';
export const ENDPOINT_STATE_CHANGE = 'SageMaker Endpoint State Change';
export const MODEL_CARD_STATE_CHANGE = 'SageMaker Model Card State Change';
