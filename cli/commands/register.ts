import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { COMMON_HELP, type Command, expectArgs, UsageError } from '../command';
import { CliError, findGroupConfig, parseRegisterManifest, registerFromManifest } from '../registry';

export const register: Command = {
  help: `mgov register GROUP --manifest FILE [--json]

Registers a version as PendingManualApproval from a JSON manifest:
  {
    "image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
    "modelDataUrl": "s3://my-models/churn/model.tar.gz",
    "description": "weekly retrain",
    "metrics": { "ModelQuality.Statistics": "evaluation.json" },
    "metricsBucket": "my-models"
  }
Metrics are s3:// URIs, or local files (relative to the manifest) uploaded to metricsBucket first.

${COMMON_HELP}`,
  options: ['manifest'],
  async run(ctx) {
    const [groupName] = expectArgs(ctx, 1, 1, 'GROUP') as [string];
    if (!ctx.values.manifest) throw new UsageError('register needs --manifest FILE.', ctx.command);
    const path = resolve(ctx.values.manifest);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new CliError(
        `cannot read ${path} as JSON: ${(error as Error).message}`,
        'see mgov register --help for an example',
      );
    }
    const manifest = parseRegisterManifest(raw, path);
    const group = findGroupConfig(ctx.config(), groupName);
    const s3 = new S3Client({ ...ctx.clientConfig, forcePathStyle: !!ctx.io.env.AWS_ENDPOINT_URL });
    const arn = await registerFromManifest(ctx.sagemaker, s3, group.name, manifest, dirname(path));
    const version = Number(/\/(\d+)$/.exec(arn)?.[1]);
    ctx.print(
      { group: group.name, version, modelPackageArn: arn, approvalStatus: 'PendingManualApproval' },
      () => `${group.name} v${version} registered (PendingManualApproval): ${arn}`,
    );
  },
};
