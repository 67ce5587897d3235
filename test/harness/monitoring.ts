/**
 * Model monitoring in local mode, for integration tests: baselines of one numeric feature, versions
 * registered with them, captured requests, and an execution run now.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateModelPackageCommand,
  DescribeEndpointCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type { LocalApp } from '../../local/runner/local-app';
import { setApproval } from './registry';

/** A baseline of one numeric feature, its values spread evenly over [low, low + 10), in bucket `baselines`. */
export async function putBaseline(
  s3: S3Client,
  group: string,
  version: number,
  low: number,
): Promise<{ constraints: string; statistics: string }> {
  const key = (name: string) => `${group}/v${version}/${name}.json`;
  const buckets = Array.from({ length: 10 }, (_, i) => ({
    lower_bound: low + i,
    upper_bound: low + i + 1,
    count: 10,
  }));
  await s3.send(
    new PutObjectCommand({
      Bucket: 'baselines',
      Key: key('constraints'),
      Body: JSON.stringify({
        version: 0,
        features: [{ name: '_c0', inferred_type: 'Fractional', completeness: 1 }],
        monitoring_config: {
          distribution_constraints: { perform_comparison: 'Enabled', comparison_threshold: 0.1 },
        },
      }),
    }),
  );
  await s3.send(
    new PutObjectCommand({
      Bucket: 'baselines',
      Key: key('statistics'),
      Body: JSON.stringify({
        version: 0,
        dataset: { item_count: 100 },
        features: [
          {
            name: '_c0',
            inferred_type: 'Fractional',
            numerical_statistics: { distribution: { kll: { buckets } } },
          },
        ],
      }),
    }),
  );
  return {
    constraints: `s3://baselines/${key('constraints')}`,
    statistics: `s3://baselines/${key('statistics')}`,
  };
}

/** Registers a version with data-quality baselines over [low, low + 10), and approves it. */
export async function registerApproved(
  sagemaker: SageMakerClient,
  s3: S3Client,
  group: string,
  version: number,
  low: number,
): Promise<string> {
  const b = await putBaseline(s3, group, version, low);
  const out = await sagemaker.send(
    new CreateModelPackageCommand({
      ModelPackageGroupName: group,
      ModelApprovalStatus: 'PendingManualApproval',
      InferenceSpecification: {
        Containers: [
          {
            Image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
            ModelDataUrl: `s3://example-models/${group}/v${version}/model.tar.gz`,
          },
        ],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['text/csv'],
      },
      DriftCheckBaselines: {
        ModelDataQuality: {
          Constraints: { ContentType: 'application/json', S3Uri: b.constraints },
          Statistics: { ContentType: 'application/json', S3Uri: b.statistics },
        },
      },
    }),
  );
  const arn = out.ModelPackageArn ?? '';
  await setApproval(sagemaker, arn, 'Approved', 'good');
  return arn;
}

/** Writes captured requests (one numeric feature) where the endpoint's data capture puts them. */
export async function capture(
  sagemaker: SageMakerClient,
  s3: S3Client,
  endpointName: string,
  file: string,
  values: readonly number[],
): Promise<void> {
  const endpoint = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: endpointName }));
  const destination = endpoint.DataCaptureConfig?.DestinationS3Uri ?? '';
  const [, bucket, prefix] = /^s3:\/\/([^/]+)\/(.*)$/.exec(destination) ?? [];
  const lines = values.map((v, i) =>
    JSON.stringify({
      captureData: {
        endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: String(v), encoding: 'CSV' },
      },
      eventMetadata: { eventId: `${file}-${i}`, inferenceTime: new Date().toISOString() },
    }),
  );
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: `${prefix}/${endpointName}/AllTraffic/2026/12/04/18/${file}.jsonl`,
      Body: lines.join('\n'),
    }),
  );
}

/** Runs the schedule's execution now (local mode's /_local/monitoring/run). */
export async function runMonitoring(
  app: LocalApp,
  scheduleName: string,
  options: { readonly hold?: boolean } = {},
): Promise<{ MonitoringExecutionStatus: string; ProcessingJobArn: string }> {
  return localMonitoring(app, 'run', { MonitoringScheduleName: scheduleName, Hold: options.hold === true });
}

/** Ends an execution runMonitoring started with `hold` (it stays InProgress until then). */
export async function releaseMonitoring(
  app: LocalApp,
  processingJobArn: string,
): Promise<{ MonitoringExecutionStatus: string; ProcessingJobArn: string }> {
  return localMonitoring(app, 'release', { ProcessingJobName: processingJobArn.split('/').pop() });
}

async function localMonitoring(app: LocalApp, path: 'run' | 'release', body: Record<string, unknown>) {
  const res = await fetch(`${app.sagemaker.url}/_local/monitoring/${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  if (res.status !== 200)
    throw new Error(`/_local/monitoring/${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { MonitoringExecutionStatus: string; ProcessingJobArn: string };
}
