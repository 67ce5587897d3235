// AWS's model card content schema, version 0.1.0, copied byte-exact from aws/sagemaker-python-sdk
// (sagemaker-core/src/sagemaker/core/tools/model_card/model_card_schema.json, commit a24812666d25,
// Apache-2.0), the schema the SageMaker developer guide publishes as "Model card JSON schema".
import published from './model-card-schema.json';

/**
 * The published schema says it is "without model_package_details", yet the service (and
 * CloudFormation's AWS::SageMaker::ModelCard) accept that section, and it is what links a card to
 * its model package in the console. Cards written here carry it, so it is validated as strictly as
 * the rest: these fields, and no others.
 */
export const MODEL_PACKAGE_DETAILS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['model_package_arn'],
  properties: {
    model_package_arn: { type: 'string', maxLength: 2048, pattern: '^arn:aws[a-z-]*:sagemaker:' },
    model_package_group_name: { type: 'string', maxLength: 63 },
    model_package_version: { type: 'integer', minimum: 1 },
    model_package_description: { type: 'string', maxLength: 1024 },
    model_approval_status: { type: 'string', enum: ['Approved', 'Rejected', 'PendingManualApproval'] },
    approval_description: { type: 'string', maxLength: 1024 },
    created_by: {
      type: 'object',
      additionalProperties: false,
      properties: {
        user_profile_name: { type: 'string', maxLength: 256 },
        user_profile_arn: { type: 'string', maxLength: 2048 },
        domain_id: { type: 'string', maxLength: 63 },
      },
    },
    domain: { type: 'string', maxLength: 256 },
    task: { type: 'string', maxLength: 256 },
    inference_specification: {
      type: 'object',
      additionalProperties: false,
      properties: {
        containers: {
          type: 'array',
          maxItems: 15,
          items: {
            type: 'object',
            additionalProperties: false,
            properties: {
              image: { type: 'string', maxLength: 255 },
              model_data_url: { type: 'string', maxLength: 1024 },
              framework: { type: 'string', maxLength: 256 },
              framework_version: { type: 'string', maxLength: 256 },
              nearest_model_name: { type: 'string', maxLength: 256 },
            },
          },
        },
      },
    },
  },
} as const;

/**
 * The schema as validated here: the published one, with
 * - its `$id` removed (it is the draft-07 meta-schema's own id, which Ajv refuses to register twice),
 * - Ajv's strict mode off (the schema uses a non-standard `version` keyword),
 * - `model_package_details` added (above).
 */
export function effectiveSchema(): Record<string, unknown> {
  const { $id: _ignored, ...rest } = published as Record<string, unknown>;
  const properties = rest.properties as Record<string, unknown>;
  return { ...rest, properties: { ...properties, model_package_details: MODEL_PACKAGE_DETAILS_SCHEMA } };
}
