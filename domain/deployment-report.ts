import type { Notification } from './audit';
import { toSubject } from './audit';
import { type HoldCode, isQuietWait, type QuietHoldCode } from './hold';

/** Why a run did nothing (logged, never notified). */
export type SkipCode =
  /** The endpoint is changing; its next state-change event reconciles it again. */
  | 'endpoint-busy'
  /** Another run's change reached the endpoint first. */
  | 'lost-race'
  /** No approved version, and no endpoint to keep or delete. */
  | 'nothing-to-serve'
  /** No approved version; the endpoint keeps serving (told when the version went, not on every event). */
  | 'keep-serving'
  /** The endpoint already serves the version it should (not settled by this event). */
  | 'in-sync'
  /** SageMaker rolled the version back and people were told; not retried. */
  | 'rollback-notified'
  /** The periodic shadow check found no shadow test to carry forward. */
  | 'no-shadow-step'
  /** An older version's shadow test was stopped; the newer version is tested next. */
  | 'shadow-stopped'
  /** Another run started the same shadow test. */
  | 'shadow-started-elsewhere'
  /** The version failed its shadow test, told when measured. */
  | 'shadow-failed-notified'
  /** A monitoring event for a target this app does not monitor, or an execution it cannot find. */
  | 'not-monitored'
  /** A monitoring execution without violations (or on a version no longer in the registry). */
  | 'monitoring-clean'
  /** A monitoring execution's violations are recorded already (a replayed event). */
  | 'violation-recorded';

/** Why the config an endpoint serves is drift that no update puts back (told). */
export type DriftCode =
  /** Not a config this app made for a version of the group (someone else's, or squatted under our name). */
  | 'served-config-not-ours'
  /** Ours, but not what the governance record says this app last asked for, nor SageMaker's rollback of it. */
  | 'served-config-not-requested';

/** Why a run waits for something that comes by itself (logged, never notified). */
export type WaitCode = QuietHoldCode | 'shadow-running';

/** What one reconcile run did for one target: logged, notified and returned. */
export type TargetOutcome =
  | {
      readonly outcome: 'deploy-started';
      readonly action: 'create' | 'update';
      readonly version: number;
      readonly modelPackageArn: string;
      readonly configName: string;
      readonly fromConfig?: string;
      /** fromConfig was put there by someone else's UpdateEndpoint, not by this app nor a rollback. */
      readonly drift?: true;
      /** A newer approved version a deployment gate holds back (this one is the newest that may deploy). */
      readonly passedOver?: { readonly version: number; readonly code: HoldCode; readonly reason: string };
      /** The shadow test this deployment passed first: its figures. */
      readonly shadowPassed?: string;
    }
  /** A shadow test of the version started; the deployment waits for its verdict. */
  | {
      readonly outcome: 'shadow-started';
      readonly version: number;
      readonly modelPackageArn: string;
      readonly experimentName: string;
      readonly endsAt: string;
      readonly servingConfig: string;
    }
  | {
      readonly outcome: 'deploy-completed';
      readonly version: number;
      readonly modelPackageArn: string;
      readonly configName: string;
    }
  | {
      readonly outcome: 'rolled-back';
      readonly intendedVersion: number;
      readonly modelPackageArn: string;
      readonly servingConfig: string;
      /** SageMaker's FailureReason, or a note that it gave none. */
      readonly reason: string;
      /** The config rolled back from, and the endpoint whose tags record that this was notified. */
      readonly rolledBackConfig: string;
      readonly endpointArn: string;
      readonly requestedAfter: string;
    }
  | {
      readonly outcome: 'no-approved-version';
      readonly action: 'keep-serving' | 'delete-endpoint';
      readonly servingConfig: string;
    }
  /** The newest version the target would serve is held back by a deployment gate. */
  | {
      readonly outcome: 'held';
      readonly code: HoldCode;
      readonly version: number;
      readonly modelPackageArn: string;
      readonly reason: string;
      readonly servingConfig?: string;
      /** The version the endpoint serves is held too (say, its model data changed under it). */
      readonly servingHeld?: { readonly version: number; readonly code: HoldCode; readonly reason: string };
      /** The version failed its shadow test: the figures measured. */
      readonly shadowFailed?: string;
    }
  /**
   * The endpoint serves a config this app did not put there, and this run does not put it back
   * (nothing may deploy, or the config under the desired name is not ours).
   */
  | {
      readonly outcome: 'drift-found';
      readonly code: DriftCode;
      readonly servingConfig: string;
      readonly reason: string;
      /** The version the served config's name carries, when it is one of ours. */
      readonly servedVersion?: number;
      /** The newest version that would deploy is held, and why. */
      readonly held?: { readonly version: number; readonly code: HoldCode };
    }
  /** The endpoint is Failed or UpdateRollbackFailed: only a person can bring it back. */
  | {
      readonly outcome: 'needs-operator';
      readonly status: string;
      readonly version: number;
      readonly modelPackageArn: string;
      readonly reason: string;
    }
  /** A monitoring execution found violations on the version the endpoint serves. */
  | {
      readonly outcome: 'monitoring-violation';
      readonly version: number;
      readonly modelPackageArn: string;
      readonly monitorType: string;
      readonly response: 'notify' | 'hold' | 'rollback';
      readonly violations: readonly {
        readonly featureName: string;
        readonly checkType: string;
        readonly description: string;
      }[];
      readonly report?: string;
      /** The version was rejected for it (onViolation: rollback). */
      readonly rejected: boolean;
      /** Newer versions are held until a person clears it (onViolation: hold). */
      readonly held: boolean;
    }
  /** The version waits for the policy handler's check or verdict, or for its running shadow test. */
  | {
      readonly outcome: 'waiting';
      readonly code: WaitCode;
      readonly version: number;
      readonly reason: string;
    }
  | {
      readonly outcome: 'skipped';
      readonly code: SkipCode;
      readonly reason: string;
      readonly version?: number;
    };

export interface TargetReport {
  readonly groupName: string;
  readonly endpointName: string;
  readonly result: TargetOutcome;
}

export function deploymentNotification(report: TargetReport): Notification {
  const { groupName, endpointName, result } = report;
  const lines: string[] = [];
  let headline: string;
  switch (result.outcome) {
    case 'deploy-started':
      headline = result.drift
        ? `${endpointName} was changed outside model-governance: putting back ${groupName} v${result.version}`
        : `${groupName} v${result.version} deploying to ${endpointName}`;
      lines.push(
        `${result.action === 'create' ? 'Creating' : 'Updating'} endpoint ${endpointName} to serve ${groupName} version ${result.version}.`,
        `Endpoint config: ${result.configName}${result.fromConfig ? ` (was ${result.fromConfig})` : ''}`,
        `Model package:   ${result.modelPackageArn}`,
        ...(result.drift
          ? [
              '',
              `WARNING: ${endpointName} was serving ${result.fromConfig}, which model-governance did not deploy (someone else's UpdateEndpoint). It is being put back to the approved version; find out who changed it.`,
            ]
          : []),
        ...(result.passedOver && !isQuietWait(result.passedOver)
          ? [
              '',
              `HELD: ${groupName} version ${result.passedOver.version} is not deployed: ${result.passedOver.reason}`,
            ]
          : []),
        ...(result.shadowPassed ? ['', `It passed its shadow test first: ${result.shadowPassed}`] : []),
        '',
        'A further notification follows when the endpoint is InService.',
      );
      break;
    case 'shadow-started':
      headline = `${groupName} v${result.version} shadow-testing on ${endpointName}`;
      lines.push(
        `${groupName} version ${result.version} runs as a shadow variant of ${endpointName} until ${result.endsAt}: it receives a copy of live requests, and its responses are never returned to callers.`,
        `Inference experiment: ${result.experimentName}`,
        `The endpoint keeps serving ${result.servingConfig}; when the test ends, its latency and errors are compared with the live version's, and it deploys only if they are good enough.`,
        `Model package: ${result.modelPackageArn}`,
      );
      break;
    case 'deploy-completed':
      headline = `${groupName} v${result.version} live on ${endpointName}`;
      lines.push(
        `Endpoint ${endpointName} is InService on ${result.configName}, serving ${groupName} version ${result.version}.`,
        `Model package: ${result.modelPackageArn}`,
      );
      break;
    case 'rolled-back':
      headline = `${groupName} v${result.intendedVersion} NOT live on ${endpointName}: rolled back`;
      lines.push(
        `Endpoint ${endpointName} was to serve ${groupName} version ${result.intendedVersion}, but it is serving ${result.servingConfig}.`,
        `SageMaker says: ${result.reason}`,
        '',
        `The reconciler will not retry this version. Approve a newer version, or fix the cause and run: mgov retry-deploy ${endpointName}`,
        `Model package: ${result.modelPackageArn}`,
      );
      break;
    case 'drift-found':
      headline = `${endpointName} was changed outside model-governance (${result.code})`;
      lines.push(
        `WARNING: ${result.reason}.`,
        result.held
          ? `Nothing puts it back: ${groupName} v${result.held.version}, the version it would serve, is held (${result.held.code}).`
          : result.code === 'served-config-not-ours' && result.servedVersion !== undefined
            ? `Its name is the one this app uses for ${groupName} v${result.servedVersion}, so the reconciler cannot make its own under that name: delete the config, then approve again.`
            : `No approved ${groupName} version may deploy to put it back. Approve one, or delete the endpoint.`,
        'Find out who changed it (CloudTrail: UpdateEndpoint, CreateEndpoint, CreateEndpointConfig).',
      );
      break;
    case 'needs-operator':
      headline = `${endpointName} is ${result.status}: ${groupName} v${result.version} cannot deploy`;
      lines.push(
        `Endpoint ${endpointName} is ${result.status}. SageMaker says: ${result.reason}`,
        result.status === 'Failed'
          ? `SageMaker allows only DeleteEndpoint on a Failed endpoint. Fix the cause, delete it (aws sagemaker delete-endpoint --endpoint-name ${endpointName}), then send the approval again (mgov approve ${groupName} ${result.version} --force): the reconciler creates the endpoint anew.`
          : 'Both the deployment and its automatic rollback failed; restore the endpoint by hand (SageMaker developer guide, rolling deployments). The reconciler does nothing to it meanwhile.',
        `Model package: ${result.modelPackageArn}`,
      );
      break;
    case 'no-approved-version':
      headline =
        result.action === 'delete-endpoint'
          ? `${endpointName} deleted: no approved ${groupName} version remains`
          : `${endpointName} has no approved ${groupName} version to serve`;
      lines.push(
        result.action === 'delete-endpoint'
          ? `No approved version of ${groupName} remains for ${endpointName}, so the endpoint is being deleted (whenNoneApproved: delete-endpoint).`
          : `No approved version of ${groupName} remains for ${endpointName}. It keeps serving ${result.servingConfig} (whenNoneApproved: keep-serving). Approve a version to replace it.`,
      );
      break;
    case 'held':
      headline = `${groupName} v${result.version} held back from ${endpointName}`;
      lines.push(
        `${groupName} version ${result.version} is approved but not deployed to ${endpointName}: ${result.reason}.`,
        result.servingConfig
          ? `The endpoint keeps serving ${result.servingConfig}.`
          : 'The endpoint is not created until a version may deploy.',
        `Model package: ${result.modelPackageArn}`,
        ...(result.servingHeld
          ? [
              '',
              `WARNING: the version it serves, ${groupName} version ${result.servingHeld.version}, is held too: ${result.servingHeld.reason}.`,
              'SageMaker loads the model data again whenever it starts an instance (scaling out, replacing one): restore the object or approve a version whose artifacts are intact, and find out who changed it.',
            ]
          : []),
      );
      break;
    case 'monitoring-violation':
      headline = `${groupName} v${result.version} on ${endpointName}: ${result.violations.length} ${result.monitorType} monitoring violation(s)`;
      lines.push(
        `The ${result.monitorType} monitor of ${endpointName} found ${result.violations.length} violation(s) of ${groupName} version ${result.version}'s baseline:`,
        ...result.violations
          .slice(0, 20)
          .map((v) => `  - ${v.checkType} on ${v.featureName}: ${v.description}`),
        `Report: ${result.report ?? 'not written'}`,
        '',
        result.rejected
          ? `The version has been rejected (onViolation: rollback): the endpoint goes back to the previous approved version.`
          : result.held
            ? `onViolation: hold. Newer versions of ${groupName} do not deploy to ${endpointName} until a person reads the report and runs: mgov clear-violation ${endpointName}`
            : `onViolation: ${result.response}. Recorded in lineage on the version.`,
        `Model package: ${result.modelPackageArn}`,
      );
      break;
    default:
      headline = `${groupName} on ${endpointName}: ${result.reason}`;
      lines.push(result.reason);
  }
  return {
    subject: toSubject(`[model-governance] ${headline}`),
    message: lines.join('\n'),
    attributes: { group: groupName, endpoint: endpointName, kind: `deployment-${result.outcome}` },
  };
}
