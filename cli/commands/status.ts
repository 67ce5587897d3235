import { S3Client } from '@aws-sdk/client-s3';
import { COMMON_HELP, type Command, colour, expectArgs, positiveInt, UsageError } from '../command';
import { findGroupConfig, readStatus } from '../registry';
import { renderStatus } from '../render';

export const status: Command = {
  help: `mgov status [GROUP] [--limit N] [--record S3URI] [--json]

The governed groups (all, or GROUP), their newest versions (N, default 10) with approval status,
lifecycle stage, model card status, quality-gate decision and the endpoints serving them, then every
deployment target's endpoint and the version it serves, and what holds a newer version back.
  --record S3URI  read the governance record (the stack output GovernanceRecordUri) as the reconciler
                  does: a monitoring violation's hold, a content change or a failed verdict then come
                  from the record only the app writes; without it, a violation hold is read from its
                  lineage copy, which anyone with sagemaker:CreateAction can add to

${COMMON_HELP}`,
  options: ['limit', 'record'],
  async run(ctx) {
    const [group] = expectArgs(ctx, 0, 1, 'GROUP');
    const cfg = ctx.config();
    const groups = group ? [findGroupConfig(cfg, group)] : cfg.groups;
    const limit = positiveInt(ctx.values.limit ?? '10', '--limit', ctx.command);
    const uri = ctx.values.record;
    if (uri !== undefined && !uri.startsWith('s3://'))
      throw new UsageError(
        `--record "${uri}" is not an s3:// URI: give s3://<audit bucket>/governance-record (the stack output GovernanceRecordUri).`,
        ctx.command,
      );
    const result = await readStatus(ctx.sagemaker, groups, {
      limit,
      registryAccount: cfg.registry?.account,
      clientFor: ctx.clientFor,
      ...(uri
        ? {
            record: {
              s3: new S3Client({ ...ctx.clientConfig, forcePathStyle: !!ctx.io.env.AWS_ENDPOINT_URL }),
              uri,
            },
          }
        : {}),
    });
    ctx.print(result, () => renderStatus(result, colour(ctx.io)));
  },
};
