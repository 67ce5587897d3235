import { createHash } from 'node:crypto';
import type { ApprovalStatus } from './model-version';

/**
 * What the project records in SageMaker ML Lineage Tracking, decided here (pure); the adapters
 * only look up and write. Within the service's limits on manually created entities: one action per
 * approval change and per deployment, never a context per version; SageMaker's own model package
 * artifacts and endpoint contexts are reused and created only when missing.
 */

export const APPROVAL_ACTION_TYPE = 'ModelApproval';
/** Not SageMaker's own `ModelDeployment`, so the two never mix when reading the latest one back. */
export const DEPLOYMENT_ACTION_TYPE = 'GovernedDeployment';

const hash = (...parts: readonly unknown[]) =>
  createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);

export interface ApprovalFacts {
  readonly modelPackageArn: string;
  readonly groupName: string;
  readonly version: number;
  readonly status: ApprovalStatus;
  readonly previousStatus?: ApprovalStatus;
  readonly approvedBy?: string;
  readonly description?: string;
  /** When the registry says the change was made (LastModifiedTime), ISO 8601. */
  readonly at: string;
}

/**
 * One action per approval change: its name is derived from the version, the status and the time
 * of the change, so a redelivered event finds the action it already made.
 */
export function approvalAction(f: ApprovalFacts) {
  return {
    ActionName: `approval-${hash(f.modelPackageArn, f.status, f.at)}`,
    ActionType: APPROVAL_ACTION_TYPE,
    Source: { SourceUri: f.modelPackageArn, SourceType: 'ModelPackage' },
    Status: 'Completed' as const,
    Description: `${f.groupName} v${f.version} ${f.status}${f.approvedBy ? ` by ${f.approvedBy}` : ''}`.slice(
      0,
      3072,
    ),
    Properties: compactStrings({
      status: f.status,
      previousStatus: f.previousStatus,
      approvedBy: f.approvedBy,
      reason: f.description,
      at: f.at,
      group: f.groupName,
      version: String(f.version),
      modelPackageArn: f.modelPackageArn,
    }),
  };
}

export type DeploymentKind = 'deployment' | 'rollback' | 'rolled-back';

export interface DeploymentFacts {
  readonly endpointName: string;
  readonly endpointArn: string;
  readonly configName: string;
  readonly modelPackageArn: string;
  readonly groupName: string;
  readonly version: number;
  readonly strategy: string;
  readonly kind: DeploymentKind;
  /** The endpoint's LastModifiedTime when it settled, ISO 8601: one deployment per settle. */
  readonly at: string;
  readonly failureReason?: string;
  readonly previousVersion?: number;
}

export function deploymentAction(f: DeploymentFacts) {
  const what =
    f.kind === 'rolled-back'
      ? `rolled back: v${f.version} did not go live on ${f.endpointName}`
      : f.kind === 'rollback'
        ? `${f.endpointName} rolled back to v${f.version}${f.previousVersion ? ` from v${f.previousVersion}` : ''}`
        : `${f.endpointName} serves v${f.version}`;
  return {
    // Identity: the endpoint settling on a config at a time. Not the kind, which depends on what was
    // recorded before (a redelivered event must find this action, not classify afresh).
    ActionName: `deploy-${hash(f.endpointArn, f.configName, f.at)}`,
    ActionType: DEPLOYMENT_ACTION_TYPE,
    Source: { SourceUri: f.endpointArn, SourceType: 'Endpoint' },
    Status: f.kind === 'rolled-back' ? ('Failed' as const) : ('Completed' as const),
    Description: `${f.groupName}: ${what}`.slice(0, 3072),
    Properties: compactStrings({
      kind: f.kind,
      endpoint: f.endpointName,
      endpointConfig: f.configName,
      strategy: f.strategy,
      version: String(f.version),
      previousVersion: f.previousVersion === undefined ? undefined : String(f.previousVersion),
      group: f.groupName,
      modelPackageArn: f.modelPackageArn,
      failureReason: f.failureReason,
      at: f.at,
    }),
  };
}

/**
 * A deployment to an older version than the one last recorded on the endpoint is a rollback; an
 * endpoint that settled on another config than the one it was last asked to serve, with a failure
 * reason, rolled back on its own (an alarm).
 */
export function classifyDeployment(version: number, previousVersion: number | undefined): DeploymentKind {
  return previousVersion !== undefined && version < previousVersion ? 'rollback' : 'deployment';
}

/** Lineage properties are strings of at most 2,500 characters, 30 of them. */
function compactStrings(o: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(o)
      .filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '')
      .map(([k, v]) => [k, v.slice(0, 2500)]),
  );
}
