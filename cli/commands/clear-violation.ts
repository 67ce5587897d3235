import { createActionOnce } from '../../adapters/lineage';
import { readViolationHolds } from '../../adapters/monitoring';
import { violationClearAction } from '../../domain/lineage-plan';
import { openViolationHold, violationHoldDetail } from '../../domain/monitoring-plan';
import { COMMON_HELP, type Command, expectArgs, UsageError } from '../command';
import { CliError } from '../registry';

export const clearViolation: Command = {
  help: `mgov clear-violation ENDPOINT --reason TEXT

With onViolation: "hold", model monitoring that finds violations on the version ENDPOINT serves
holds every newer version of its group (hold code monitoring-violation-hold) until a person has
looked at the report. This records that you have: a lineage action on ENDPOINT's name, with your
reason, whose creator SageMaker records (CreatedBy). Newer versions deploy on the target's next
event, or within five minutes (the reconciler's periodic check). A violation found later holds again.
Refused when ENDPOINT holds nothing. Needs sagemaker:CreateAction, ListActions and DescribeAction.

${COMMON_HELP}`,
  options: ['reason'],
  async run(ctx) {
    const { sagemaker, values, command } = ctx;
    const [endpointName] = expectArgs(ctx, 1, 1, 'ENDPOINT') as [string];
    const reason = values.reason?.trim();
    if (!reason)
      throw new UsageError(
        `${command} needs --reason "…": what you found in the report, kept with the clear for the audit trail.`,
        command,
      );
    const cfg = ctx.config();
    const target = cfg.groups.flatMap((g) => g.deployments).find((t) => t.endpointName === endpointName);
    if (!target)
      throw new CliError(
        `no deployment target of the configuration is named ${endpointName}.`,
        `the targets are: ${cfg.groups.flatMap((g) => g.deployments.map((t) => t.endpointName)).join(', ') || 'none'}`,
      );
    const hold = openViolationHold(await readViolationHolds(sagemaker, endpointName));
    if (!hold)
      throw new CliError(
        `${endpointName} has no violation hold in force: nothing to clear.`,
        target.monitoring?.onViolation === 'hold'
          ? 'mgov status shows what each endpoint serves and why a version waits'
          : `its monitoring's onViolation is ${target.monitoring?.onViolation ?? 'unset (no monitoring)'}, which holds nothing`,
      );
    const at = new Date().toISOString();
    await createActionOnce(
      sagemaker,
      violationClearAction({ endpointName, holdAction: hold.name, reason, at }),
    );
    ctx.print(
      { endpoint: endpointName, cleared: hold.name, version: hold.version, reason, at },
      () =>
        `${endpointName}: cleared the hold (${violationHoldDetail(endpointName, hold)}).\nNewer versions deploy on the target's next event, or within five minutes.`,
    );
  },
};
