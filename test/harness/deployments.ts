import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeEndpointCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { versionOfName } from '../../core/naming';
import type { TargetOutcome, TargetReport } from '../../domain/deployment-report';
import type { PolicyResult } from '../../handlers/policy-gate';
import type { LocalApp } from '../../local/runner/local-app';
import type { EmittedEvent } from '../../local/sagemaker/events';
import { eventually } from './local-aws';

/** Resolves when the endpoint is InService serving the version, and nothing is left to deliver. */
export async function serving(
  app: LocalApp,
  sagemaker: SageMakerClient,
  endpointName: string,
  version: number,
  timeoutMs = 20_000,
) {
  await eventually(
    async () => {
      const out = await sagemaker
        .send(new DescribeEndpointCommand({ EndpointName: endpointName }))
        .catch(() => undefined);
      return out?.EndpointStatus === 'InService' &&
        versionOfName(endpointName, out.EndpointConfigName ?? '') === version
        ? true
        : undefined;
    },
    `${endpointName} InService on v${version}`,
    timeoutMs,
  );
  // The endpoint's own IN_SERVICE event is on the bus (it follows the status change), then delivered.
  await eventually(
    async () =>
      app.sagemaker.events.emitted.some(
        (e) =>
          e.detail.EndpointName === endpointName &&
          e.detail.EndpointStatus === 'IN_SERVICE' &&
          versionOfName(endpointName, String(e.detail.EndpointConfigName)) === version,
      )
        ? true
        : undefined,
    `${endpointName}'s IN_SERVICE event for v${version}`,
    timeoutMs,
  );
  await app.idle();
}

/** The endpoint lifecycle calls the local endpoint received for an endpoint. */
export function lifecycleCalls(app: LocalApp, endpointName: string) {
  return app.sagemaker.endpoints.calls
    .filter((c) => c.endpointName === endpointName)
    .map((c) => ({
      operation: c.operation,
      version: versionOfName(endpointName, c.endpointConfigName ?? ''),
      deploymentConfig: c.deploymentConfig,
    }));
}

/** Puts events the local endpoint emitted earlier on the bus again (a late, duplicate or replayed delivery). */
export async function replay(app: LocalApp, events: readonly EmittedEvent[]) {
  const bus = new EventBridgeClient({
    endpoint: app.moto.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'replay', secretAccessKey: 'x' },
  });
  for (const e of events) {
    await bus.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'aws.sagemaker',
            DetailType: e.detailType,
            Resources: [...e.resources],
            Detail: JSON.stringify(e.detail),
          },
        ],
      }),
    );
  }
}

/** The reconciler's reports for an endpoint, in order. */
export function reconcileOutcomes(app: LocalApp, endpointName: string): string[] {
  return app.invocations
    .filter((i) => i.functionName === 'reconcile-endpoint' && i.outcome.ok)
    .flatMap(
      (i) =>
        (
          (i.outcome.ok ? i.outcome.result : undefined) as {
            targets?: { endpointName: string; result: { outcome: string } }[];
          }
        )?.targets ?? [],
    )
    .filter((t) => t.endpointName === endpointName)
    .map((t) => t.result.outcome);
}

/** The reconciler's typed outcomes for an endpoint, in order: tests branch on their codes. */
export function reconcileReports(app: LocalApp, endpointName: string): TargetOutcome[] {
  return app.invocations
    .filter((i) => i.functionName === 'reconcile-endpoint' && i.outcome.ok)
    .flatMap(
      (i) => ((i.outcome.ok ? i.outcome.result : undefined) as { targets?: TargetReport[] })?.targets ?? [],
    )
    .filter((t) => t.endpointName === endpointName)
    .map((t) => t.result);
}

/** The policy handler's typed results for a version, in order. */
export function policyResults(app: LocalApp, modelPackageArn: string): PolicyResult[] {
  return app.invocations
    .filter((i) => i.functionName === 'policy-gate' && i.outcome.ok)
    .map((i) => (i.outcome.ok ? i.outcome.result : undefined) as PolicyResult)
    .filter((r) => r !== undefined && 'modelPackageArn' in r && r.modelPackageArn === modelPackageArn);
}

/** A held outcome, narrowed: its code, version and servingHeld are typed. */
export const isHeld = (r: TargetOutcome): r is Extract<TargetOutcome, { outcome: 'held' }> =>
  r.outcome === 'held';
