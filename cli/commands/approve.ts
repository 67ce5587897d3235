/** `mgov approve` and `mgov reject`: one approval change, as Studio makes it, and what follows it. */
import { updateApproval } from '../../adapters/sagemaker';
import {
  COMMON_HELP,
  type Command,
  type CommandContext,
  expectArgs,
  positiveInt,
  UsageError,
  versionNumber,
} from '../command';
import { CLOCK_SKEW_MS, followTargets, followTimeoutMinutes } from '../follow';
import { CliError, findGroupConfig, findVersion } from '../registry';

export async function setApproval(ctx: CommandContext, status: 'Approved' | 'Rejected'): Promise<void> {
  const { command, values, json } = ctx;
  const [groupName, versionText] = expectArgs(ctx, 2, 2, 'GROUP VERSION') as [string, string];
  const n = versionNumber(versionText, command);
  if (!values.reason?.trim()) {
    throw new UsageError(
      `${command} needs --reason "…": the reason is kept with the version for the audit trail.`,
      command,
    );
  }
  const cfg = ctx.config();
  const group = findGroupConfig(cfg, groupName);
  const version = await findVersion(ctx.sagemaker, group.name, n);
  if (version.approvalStatus === status && !values.force) {
    throw new CliError(
      `${group.name} v${n} is already ${status}.`,
      `add --force to set it ${status} again with a new reason`,
    );
  }
  // A failure the reconciler records from here on is this change's (with room for clock skew).
  const since = new Date(Date.now() - CLOCK_SKEW_MS);
  await updateApproval(ctx.sagemaker, version.arn, { status, description: values.reason.trim() });
  const done = { group: group.name, version: n, approvalStatus: status, modelPackageArn: version.arn };
  if (!values.wait) return ctx.print(done, () => `${group.name} v${n} ${status}.`);
  if (!json) ctx.io.out(`${group.name} v${n} ${status}; following the deployment…`);
  const timeoutMin = positiveInt(
    values.timeout ?? String(followTimeoutMinutes(group.deployments)),
    '--timeout',
    command,
  );
  const result = await followTargets(
    ctx,
    group,
    n,
    status,
    timeoutMin * 60_000,
    cfg.registry?.account,
    since,
  );
  ctx.print({ ...done, ...result }, () => result.lines.join('\n'));
  if (!result.ok) throw new CliError(result.problem ?? 'the deployment did not end as expected.');
}

export const approve: Command = {
  help: `mgov approve GROUP VERSION --reason TEXT [--force] [--wait] [--timeout MINUTES]

Sets the version Approved with your reason (UpdateModelPackage, as Studio does). Refuses an unknown
version, and a version already Approved unless --force. With --wait, follows the deployment it
triggers on each target of the group until the endpoints serve what they should. Exits 1 when a
target is held by a gate, rolled back, failed, or the reconciler fails on it (its error is shown),
when the approval is changed back (the policy's reason is shown), or at the timeout (default: the
slowest target's expected time: 15 minutes plus its traffic shifting and shadow test).

${COMMON_HELP}`,
  options: ['reason', 'force', 'wait', 'timeout'],
  run: (ctx) => setApproval(ctx, 'Approved'),
};
