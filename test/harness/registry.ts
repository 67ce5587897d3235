import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  type SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import modelPackageSample from '../fixtures/events/model-package-state-change.json';

/** Registers a version the way a training pipeline does, and returns its ARN. */
export async function registerVersion(
  sagemaker: SageMakerClient,
  group: string,
  options: {
    createGroup?: boolean;
    description?: string;
    /** ModelMetrics slots to S3 URIs, e.g. { 'ModelQuality.Statistics': 's3://metrics/evaluation.json' }. */
    metrics?: Record<string, string>;
  } = {},
): Promise<string> {
  if (options.createGroup ?? true) {
    await sagemaker
      .send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: group }))
      .catch((e: Error) => {
        if (!/already exists/i.test(e.message)) throw e;
      });
  }
  const out = await sagemaker.send(
    new CreateModelPackageCommand({
      ModelPackageGroupName: group,
      ModelPackageDescription: options.description ?? 'registered by a test',
      ModelApprovalStatus: 'PendingManualApproval',
      ...(options.metrics ? { ModelMetrics: modelMetrics(options.metrics) } : {}),
      InferenceSpecification: {
        Containers: [
          {
            Image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
            ModelDataUrl: `s3://example-models/${group}/model.tar.gz`,
          },
        ],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['text/csv'],
      },
    }),
  );
  if (!out.ModelPackageArn) throw new Error('CreateModelPackage returned no ARN');
  return out.ModelPackageArn;
}

export async function setApproval(
  sagemaker: SageMakerClient,
  arn: string,
  status: 'Approved' | 'Rejected' | 'PendingManualApproval',
  description: string,
): Promise<void> {
  await sagemaker.send(
    new UpdateModelPackageCommand({
      ModelPackageArn: arn,
      ModelApprovalStatus: status,
      ApprovalDescription: description,
    }),
  );
}

/** A `SageMaker Model Package State Change` event for a version, shaped as AWS documents it. */
export function modelPackageEvent(arn: string, status?: string, extra: Record<string, unknown> = {}) {
  const [, group, version] = /model-package\/([^/]+)\/(\d+)$/.exec(arn) ?? [];
  return {
    ...modelPackageSample,
    id: `evt-${Math.random().toString(16).slice(2)}`,
    resources: [arn],
    detail: {
      ...modelPackageSample.detail,
      ModelPackageGroupName: group,
      ModelPackageVersion: Number(version),
      ModelPackageArn: arn,
      ModelApprovalStatus: status ?? modelPackageSample.detail.ModelApprovalStatus,
      ...extra,
    },
  };
}

function modelMetrics(slots: Record<string, string>) {
  const metrics: Record<string, Record<string, { ContentType: string; S3Uri: string }>> = {};
  for (const [slot, s3Uri] of Object.entries(slots)) {
    const [section, name] = slot.split('.') as [string, string];
    metrics[section] = { ...metrics[section], [name]: { ContentType: 'application/json', S3Uri: s3Uri } };
  }
  return metrics;
}
