import { S3Client } from '@aws-sdk/client-s3';
import { readStoredEntries } from '../../adapters/governance-record';
import { groupHistory } from '../../adapters/provenance';
import { recordedVersion, verifyChain } from '../../domain/governance-record';
import { describePrincipal } from '../../domain/principal';
import { auditTimeline, renderTimelineText } from '../../domain/provenance';
import { COMMON_HELP, type Command, expectArgs, oneOf, UsageError, versionNumber } from '../command';
import { CliError } from '../registry';

export const audit: Command = {
  help: `mgov audit GROUP [--format text|json]
mgov audit GROUP VERSION --record S3URI [--json]

Without VERSION: the group's registrations, approval changes (including quality-gate and
separation-of-duties decisions, with their reasons), deployments and rollbacks, in time order.

With VERSION: the version's governance record (every entry the app wrote: registration, approvals
and who made them, the gate's verdict and whether it reached the registry, stage and content
changes), with its hash chain verified. Fails when an entry is missing, edited or out of order.
  --record S3URI    where the record lives: the stack output GovernanceRecordUri
                    (s3://<audit bucket>/governance-record)

${COMMON_HELP}`,
  options: ['format', 'record'],
  async run(ctx) {
    const [group, version] = expectArgs(ctx, 1, 2, 'GROUP [VERSION]') as [string, string | undefined];
    if (version !== undefined) return auditRecord(ctx, group, versionNumber(version, ctx.command));
    const format = oneOf(ctx.values.format ?? (ctx.json ? 'json' : 'text'), ['text', 'json'], ctx.command);
    const { versions, graph } = await groupHistory(ctx.sagemaker, group);
    const timeline = auditTimeline(group, versions, graph);
    ctx.io.out(format === 'json' ? JSON.stringify(timeline, null, 2) : renderTimelineText(timeline));
  },
};

async function auditRecord(ctx: Parameters<Command['run']>[0], group: string, version: number) {
  const uri = ctx.values.record;
  if (!uri?.startsWith('s3://'))
    throw new UsageError(
      'audit GROUP VERSION needs --record s3://<audit bucket>/governance-record (the stack output GovernanceRecordUri).',
      ctx.command,
    );
  const s3 = new S3Client({ ...ctx.clientConfig, forcePathStyle: !!ctx.io.env.AWS_ENDPOINT_URL });
  // The record is keyed as SageMaker names the version in its ARN (the group name in lower case).
  const arn = `arn:aws:sagemaker:any:000000000000:model-package/${group.toLowerCase()}/${version}`;
  const stored = await readStoredEntries(s3, uri, arn);
  const problems = verifyChain(stored);
  const entries = stored.flatMap((s) => (s.entry ? [s.entry] : []));
  const state = recordedVersion(entries);
  const verdict = problems.length === 0 ? (entries.length === 0 ? 'empty' : 'intact') : 'broken';
  ctx.print({ group, version, chain: verdict, problems, entries, state }, () =>
    [
      `${group} v${version}: ${entries.length} entries, chain ${verdict}`,
      ...entries.map(
        (e) =>
          `  ${String(e.seq).padStart(3)} ${e.at} ${e.kind.padEnd(16)} ${e.by ? describePrincipal(e.by) : '-'} ${JSON.stringify(e.data).slice(0, 120)}`,
      ),
      ...problems.map((p) => `  PROBLEM ${p.code} at ${p.seq}: ${p.detail}`),
    ].join('\n'),
  );
  if (problems.length > 0)
    throw new CliError(
      `the governance record of ${group} v${version} is broken: ${problems.map((p) => p.code).join(', ')}`,
      'an entry was removed or changed after the app wrote it; the bucket keeps every object version',
    );
}
