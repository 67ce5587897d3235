/**
 * `mgov stage`: a version's ModelLifeCycle stage (SageMaker's staging construct), which a target with
 * `serve: { stage, stageStatus }` deploys from. The stage is honoured only when someone other than
 * the version's registrant set it (domain/stage-check.ts), so --wait shows that hold as it shows an
 * approval's.
 */
import { updateStage } from '../../adapters/sagemaker';
import { didYouMean } from '../../core/suggest';
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

/**
 * The statuses the developer guide's staging examples use ("Set up Staging Construct Examples");
 * the API takes any EntityName, but a target matches its stageStatus exactly, so a typo would
 * quietly serve nothing.
 */
const STAGE_STATUSES = ['Approved', 'Rejected', 'PendingApproval'] as const;
/** ModelLifeCycle: Stage and StageStatus are EntityNames; StageDescription at most 1024 characters. */
const ENTITY_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

async function setStage(ctx: CommandContext): Promise<void> {
  const { command, values, json } = ctx;
  const [groupName, versionText, stage] = expectArgs(ctx, 3, 3, 'GROUP VERSION STAGE') as [
    string,
    string,
    string,
  ];
  const n = versionNumber(versionText, command);
  if (!ENTITY_NAME.test(stage)) {
    throw new UsageError(
      `"${stage}" is not a stage name SageMaker takes: 1 to 63 letters, digits and hyphens (e.g. Production).`,
      command,
    );
  }
  const stageStatus = values.status ?? 'Approved';
  if (!(STAGE_STATUSES as readonly string[]).includes(stageStatus)) {
    const meant = didYouMean(stageStatus, STAGE_STATUSES);
    throw new UsageError(
      `--status ${stageStatus} is not a stage status here.${meant ? ` Did you mean ${meant}?` : ''} Use one of ${STAGE_STATUSES.join(', ')}.`,
      command,
    );
  }
  const reason = values.reason?.trim();
  if (reason && reason.length > 1024) {
    throw new UsageError(`--reason is ${reason.length} characters; SageMaker keeps at most 1024.`, command);
  }
  const cfg = ctx.config();
  const group = findGroupConfig(cfg, groupName);
  const version = await findVersion(ctx.sagemaker, group.name, n);
  const current = version.lifeCycle;
  if (current?.stage === stage && current.stageStatus === stageStatus && !values.force) {
    throw new CliError(
      `${group.name} v${n} is already at ${stage}/${stageStatus}.`,
      `add --force to set it again${reason ? '' : ' (with --reason)'}`,
    );
  }
  const serving = group.deployments.filter(
    (t) =>
      t.serve.kind === 'lifecycle-stage' && t.serve.stage === stage && t.serve.stageStatus === stageStatus,
  );
  const since = new Date(Date.now() - CLOCK_SKEW_MS);
  await updateStage(ctx.sagemaker, version.arn, {
    stage,
    stageStatus,
    ...(reason ? { description: reason } : {}),
  });
  const done = {
    group: group.name,
    version: n,
    stage,
    stageStatus,
    modelPackageArn: version.arn,
    targets: serving.map((t) => t.endpointName),
  };
  const servedBy = serving.length
    ? `served by ${serving.map((t) => t.endpointName).join(', ')}`
    : `no target of ${group.name} serves ${stage}/${stageStatus}`;
  const notApproved =
    version.approvalStatus === 'Approved'
      ? ''
      : `; it is ${version.approvalStatus}, and a target serves only an Approved version at its stage`;
  if (!values.wait)
    return ctx.print(
      done,
      () => `${group.name} v${n} is at ${stage}/${stageStatus} (${servedBy}${notApproved}).`,
    );
  if (serving.length === 0 || version.approvalStatus !== 'Approved') {
    throw new CliError(
      `${group.name} v${n} is at ${stage}/${stageStatus}, but nothing follows: ${servedBy}${notApproved}.`,
      serving.length === 0
        ? 'mgov status shows what each target serves'
        : `mgov approve ${group.name} ${n} --reason "…"`,
    );
  }
  if (!json)
    ctx.io.out(
      `${group.name} v${n} is at ${stage}/${stageStatus}; following ${serving.map((t) => t.endpointName).join(', ')}…`,
    );
  const timeoutMin = positiveInt(
    values.timeout ?? String(followTimeoutMinutes(serving)),
    '--timeout',
    command,
  );
  const result = await followTargets(
    ctx,
    { ...group, deployments: serving },
    n,
    'Approved',
    timeoutMin * 60_000,
    cfg.registry?.account,
    since,
  );
  ctx.print({ ...done, ...result }, () => result.lines.join('\n'));
  if (!result.ok) throw new CliError(result.problem ?? 'the deployment did not end as expected.');
}

export const stage: Command = {
  help: `mgov stage GROUP VERSION STAGE [--status Approved|Rejected|PendingApproval] [--reason TEXT] [--force] [--wait] [--timeout MINUTES]

Sets the version's lifecycle stage (UpdateModelPackage ModelLifeCycle: Stage, StageStatus, and your
reason as StageDescription), as SageMaker's staging construct does. A deployment target with
"serve": { "stage": STAGE, "stageStatus": STATUS } deploys the newest Approved version at that stage
(--status defaults to Approved). The stage is honoured only when someone other than the version's
registrant sets it. Refuses an unknown version, and one already at that stage and status unless
--force. With --wait, follows the targets that serve the stage.

${COMMON_HELP}`,
  options: ['status', 'reason', 'force', 'wait', 'timeout'],
  run: setStage,
};
