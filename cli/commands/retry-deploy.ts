import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { carryOut } from '../../adapters/endpoint-actions';
import { describeEndpoint, listVersions } from '../../adapters/endpoints';
import { versionOfName } from '../../core/naming';
import { rolledBackFrom } from '../../domain/endpoint-request';
import { desiredVersion } from '../../domain/version-selection';
import { COMMON_HELP, type Command, expectArgs, positiveInt } from '../command';
import { followTargets, followTimeoutMinutes, gatesOf } from '../follow';
import { CliError } from '../registry';

export const retryDeploy: Command = {
  help: `mgov retry-deploy ENDPOINT [--wait] [--timeout MINUTES]

SageMaker rolled back the last deployment the reconciler asked of ENDPOINT (an auto-rollback alarm,
a failed health check, capacity): the endpoint settled InService on its previous config. The
reconciler notifies that once and never retries the version by itself, until a newer version is
approved. When you have fixed the cause, this asks SageMaker for the same deployment again
(UpdateEndpoint with the target's blue/green DeploymentConfig), recorded on the endpoint as the
reconciler records its own. Refused when ENDPOINT has no rolled-back deployment, when the version
rolled back is no longer the one the target should serve, or when a deployment gate holds it.
With --wait, follows the deployment (exit 1 if SageMaker rolls it back again).
Needs sagemaker:UpdateEndpoint, AddTags and ListTags on the endpoint.

${COMMON_HELP}`,
  options: ['wait', 'timeout'],
  async run(ctx) {
    const { sagemaker, values, json, command } = ctx;
    const [endpointName] = expectArgs(ctx, 1, 1, 'ENDPOINT') as [string];
    const cfg = ctx.config();
    const found = cfg.groups.flatMap((g) =>
      g.deployments.filter((t) => t.endpointName === endpointName).map((t) => ({ group: g, target: t })),
    )[0];
    if (!found) {
      throw new CliError(
        `no deployment target of the configuration is named ${endpointName}.`,
        `the targets are: ${cfg.groups.flatMap((g) => g.deployments.map((t) => t.endpointName)).join(', ') || 'none'}`,
      );
    }
    const { group, target } = found;
    const endpoint = await describeEndpoint(sagemaker, endpointName);
    if (!endpoint?.arn) throw new CliError(`endpoint ${endpointName} does not exist.`);
    const from = rolledBackFrom(endpoint);
    if (!from) {
      throw new CliError(
        `${endpointName} has no rolled-back deployment to retry: it is ${endpoint.status} on ${endpoint.configName}.`,
        'mgov status shows what each endpoint serves',
      );
    }
    const version = versionOfName(endpointName, from);
    // The reconciler's gates, as its planner applies them: what it would hold, mgov refuses.
    const gated = await gatesOf(sagemaker, group, target, await listVersions(sagemaker, group.name));
    const held = gated.all.find((h) => h.version.version === version);
    if (held) {
      throw new CliError(
        `${group.name} v${version} is held (${held.hold.code}): ${held.hold.detail}.`,
        'the reconciler deploys it by itself once the gate lets it through',
      );
    }
    const desired = desiredVersion(gated.versions, target);
    if (!desired || desired.version !== version) {
      throw new CliError(
        `${endpointName} rolled back ${group.name} v${version}, but the version it should serve now is ${desired ? `v${desired.version}` : 'none'}.`,
        'the reconciler deploys the version it should serve on its own',
      );
    }
    // The reconciler's own action (recorded, scaling made ready), carried out by the same code.
    const setback = await carryOut(
      {
        sagemaker,
        autoscaling: new ApplicationAutoScalingClient(ctx.clientConfig),
        target,
        groupName: group.name,
        endpoint,
      },
      [{ kind: 'update-endpoint', configName: from }],
    );
    if (setback) throw new CliError(`${endpointName} is busy; try again when it is InService.`);
    const done = { endpoint: endpointName, group: group.name, version, configName: from };
    if (!values.wait)
      return ctx.print(done, () => `${endpointName}: deploying ${group.name} v${version} again (${from}).`);
    if (!json) ctx.io.out(`${endpointName}: deploying ${group.name} v${version} again; following it…`);
    const timeoutMin = positiveInt(
      values.timeout ?? String(followTimeoutMinutes([target])),
      '--timeout',
      command,
    );
    const result = await followTargets(
      ctx,
      { ...group, deployments: [target] },
      version,
      'Approved',
      timeoutMin * 60_000,
      cfg.registry?.account,
    );
    ctx.print({ ...done, ...result }, () => result.lines.join('\n'));
    if (!result.ok) throw new CliError(result.problem ?? 'the deployment did not end as expected.');
  },
};
