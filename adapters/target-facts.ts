/**
 * The facts the planner (domain/target-planner.ts) decides from, read in one place for the reconciler
 * and mgov alike: the registry's versions, the endpoint, each candidate's gate facts, and the shadow
 * step's experiments and figures. Where a fact comes from (tags, LastModifiedBy, the audit bucket)
 * is this module's business only.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { DeploymentTarget, ModelPackageGroupConfig } from '../core/config/types';
import { modelCardName } from '../core/model-card-naming';
import { versionOfName } from '../core/naming';
import { jsonFingerprint } from '../domain/approval-check';
import { deployedImageStates } from '../domain/artifact-pins';
import { versionApprover } from '../domain/card-review';
import { type GateFacts, versionGateFacts } from '../domain/deployment-gates';
import type { ObservedEndpoint } from '../domain/endpoint-request';
import { type RecordedVersion, recordedRequest, recordedVersion } from '../domain/governance-record';
import { describeIdentity } from '../domain/model-version';
import { servedConfigMismatch } from '../domain/ownership';
import { describePrincipal, type Principal, principalOf } from '../domain/principal';
import { EXPERIMENT_IN_PROGRESS, type ObservedExperiment, shadowExperimentName } from '../domain/shadow-plan';
import { STAGE_CHECK_KEY } from '../domain/stage-check';
import type {
  Decision,
  MonitoringSetup,
  Need,
  PlannerTrigger,
  TargetObservation,
} from '../domain/target-planner';
import { applyGates, type Gated, planTarget } from '../domain/target-planner';
import type { VersionSummary } from '../domain/version-selection';
import { artifactStates } from './artifacts';
import { describeEndpoint, describeServedConfig, listVersions } from './endpoints';
import { readEndpointEntries, readRecordEntries } from './governance-record';
import {
  describeExperiment,
  describeLiveVariant,
  listShadowExperiments,
  measureVariants,
} from './inference-experiments';
import { describeModelCard } from './model-cards';
import { monitoringExecution, observeMonitoring, readViolationHolds, servedVersion } from './monitoring';
import { describeModelVersion } from './sagemaker';
import { readVerdict } from './verdicts';

/** Where the facts are read from. What a reader cannot read, it says so here. */
export interface FactSources {
  readonly sagemaker: SageMakerClient;
  /** How to name a group to ListModelPackages (its ARN when the registry is another account's). */
  readonly groupReference?: (groupName: string) => string;
  /**
   * The policy handler's principal: its change to a version is its check (approval-check.ts). The
   * reconciler is told it (unset: no check is recognised, fail closed). `latest-change`: the reader
   * (mgov) cannot know it and takes the version's latest change for the check, which only the
   * reconciler verifies (a wait of about a second).
   */
  readonly checker?: Principal | 'latest-change';
  /**
   * The quality gate's verdicts, and S3 and ECR to check the pinned model data and images; unset: the
   * gate's facts are unreadable here.
   */
  readonly verdicts?: { readonly s3: S3Client; readonly ecr: ECRClient; readonly uri: string };
  /**
   * The SHA-256 of the content the model-cards handler generated for a card; unset: none (fail
   * closed). `as-written`: the reader (mgov) cannot read the audit bucket and takes the card's content
   * as generated, which only the reconciler verifies.
   */
  readonly recordedCardContent?: ((cardName: string) => Promise<string | undefined>) | 'as-written';
  /**
   * `record`: the cards are the registry account's, which this reader cannot read (model cards have
   * no resource policy); the card gate decides from the review the model-cards handler recorded in
   * the version's governance record (governance-record.ts `card-reviewed`). Without a record, no
   * card is taken as reviewed (fail closed).
   */
  readonly cards?: 'record';
  /**
   * The governance record (domain/governance-record.ts); unset: the record is unreadable here, and
   * the gates decide from the registry's facts alone. `account`: the account whose endpoints the
   * reader reconciles, whose endpoint records it reads (the deployments asked of them); unset (mgov),
   * those are not read.
   */
  readonly record?: RecordSource;
  /**
   * A client of the target endpoint's own account, whose lineage holds the endpoint's monitoring
   * holds and clears (mgov with --account-profile, for another account's target); default `sagemaker`.
   */
  readonly endpointSageMaker?: SageMakerClient;
  /** CloudWatch, for the figures of shadow tests. */
  readonly cloudwatch?: CloudWatchClient;
  /** S3, to read the violations a monitoring execution reports; unset: no execution is read. */
  readonly monitoringReports?: S3Client;
  readonly now?: () => Date;
}

export interface RecordSource {
  readonly s3: S3Client;
  readonly uri: string;
  readonly account?: string;
}

/** What the planner needs besides what it reads. */
export interface TargetSetup {
  readonly executionRoleArn: string;
  readonly dataCaptureS3Uri?: string;
  readonly shadowRoleArn?: string;
  readonly monitoringSetup?: MonitoringSetup;
}

/** The first facts of a target: its group's versions and its endpoint. */
export async function observeTarget(
  sources: FactSources,
  group: ModelPackageGroupConfig,
  target: DeploymentTarget,
  setup: TargetSetup,
  endpointClient: SageMakerClient = sources.sagemaker,
): Promise<TargetObservation> {
  const record = sources.record;
  const [versions, described, requests] = await Promise.all([
    listVersions(sources.sagemaker, sources.groupReference?.(group.name) ?? group.name),
    describeEndpoint(endpointClient, target.endpointName),
    record?.account
      ? readEndpointEntries(record.s3, record.uri, record.account, target.endpointName)
      : undefined,
  ]);
  // The request decided from is the governance record's; the endpoint's tags are a copy for people.
  const recorded = requests ? recordedRequest(requests) : undefined;
  const endpoint = described && {
    ...withoutRequest(described),
    ...(recorded ? { request: recorded } : {}),
  };
  return {
    ...setup,
    group,
    target,
    versions,
    endpoint,
    verdictsReadable: sources.verdicts !== undefined,
    recordReadable: sources.record !== undefined,
    gates: new Map(),
    now: sources.now?.() ?? new Date(),
  };
}

function withoutRequest(endpoint: ObservedEndpoint): ObservedEndpoint {
  const { request: _tagged, ...rest } = endpoint;
  return rest;
}

/** Plans until the planner needs nothing more: gathers each fact it asks for, then plans again. */
export async function decideTarget(
  sources: FactSources,
  observation: TargetObservation,
  trigger: PlannerTrigger,
): Promise<{ decision: Decision; observation: TargetObservation }> {
  let o = observation;
  for (;;) {
    const step = planTarget(o, trigger);
    if (step.kind === 'decided') return { decision: step, observation: o };
    o = await gatherFact(sources, o, step.need);
  }
}

/** Reads one fact the planner asked for, and adds it to what it knows. */
export async function gatherFact(
  sources: FactSources,
  o: TargetObservation,
  need: Need,
): Promise<TargetObservation> {
  switch (need.kind) {
    case 'gate-facts': {
      // What the endpoint runs of the version it serves: its images as SageMaker resolved them.
      const serves =
        o.endpoint && versionOfName(o.target.endpointName, o.endpoint.configName) === need.version.version;
      const facts = await readGateFacts(
        sources,
        o.group as ModelPackageGroupConfig,
        o.target,
        need.version,
        o.now,
        serves ? o.endpoint?.deployedImages : undefined,
      );
      return { ...o, gates: new Map([...o.gates, [need.version.arn, facts]]) };
    }
    case 'served-config': {
      const { endpointName } = o.target;
      const found = await describeServedConfig(
        sources.sagemaker,
        need.configName,
        (name) => versionOfName(endpointName, name) !== undefined,
      );
      const mismatch = found
        ? servedConfigMismatch(need.configName, found, {
            endpointName,
            version: need.version,
            ...(need.arn ? { modelPackageArn: need.arn } : {}),
            groupName: o.group.name,
            executionRoleArn: o.executionRoleArn,
            versionOfName,
          })
        : `the endpoint serves ${need.configName}, which no longer exists`;
      return { ...o, served: { configName: need.configName, ...(mismatch ? { mismatch } : {}) } };
    }
    case 'shadow-facts': {
      const { sagemaker } = sources;
      const endpoint = o.endpoint;
      const live = endpoint
        ? await describeLiveVariant(sagemaker, endpoint.configName, o.target.endpointName)
        : undefined;
      const desiredName =
        live && o.target.shadow
          ? shadowExperimentName(o.target.endpointName, need.deployment, live.modelName, o.target.shadow)
          : undefined;
      const summaries = await listShadowExperiments(sagemaker, o.target.endpointName);
      const wanted = summaries.filter(
        (e) => e.name === desiredName || EXPERIMENT_IN_PROGRESS.includes(e.status),
      );
      const experiments = (
        await Promise.all(wanted.map((e) => describeExperiment(sagemaker, e.name)))
      ).filter((e): e is ObservedExperiment => e !== undefined);
      return { ...o, shadow: { ...(live ? { live } : {}), experiments } };
    }
    case 'shadow-figures': {
      if (!sources.cloudwatch)
        throw new Error(
          `${o.target.endpointName} has a shadow test to measure, but no CloudWatch client was given`,
        );
      const measured = await measureVariants(
        sources.cloudwatch,
        o.target.endpointName,
        need.variants,
        need.window,
        o.now,
      );
      return { ...o, shadow: { experiments: [], ...o.shadow, measured } };
    }
    case 'monitoring-state': {
      const [observed, served] = await Promise.all([
        observeMonitoring(sources.sagemaker, o.target.endpointName),
        servedVersion(sources.sagemaker, o.target.endpointName, o.endpoint, o.versions),
      ]);
      return { ...o, monitoring: { ...observed, ...(served ? { served } : {}) } };
    }
    case 'monitoring-execution': {
      if (!sources.monitoringReports)
        throw new Error(
          `${o.target.endpointName}: a monitoring execution ended, but no S3 client was given to read its report`,
        );
      const execution = await monitoringExecution(
        sources.sagemaker,
        sources.monitoringReports,
        o.target.endpointName,
        need.scheduleName,
        need.processingJobName,
        endpointRecord(sources, o.target.endpointName),
      );
      return { ...o, execution };
    }
    case 'violation-holds':
      return {
        ...o,
        violations: await readViolationHolds(
          sources.sagemaker,
          o.target.endpointName,
          endpointRecord(sources, o.target.endpointName),
        ),
      };
  }
}

/** The reader of an endpoint's governance record, when the reader reconciles its account's endpoints. */
function endpointRecord(sources: FactSources, endpointName: string) {
  const record = sources.record;
  if (!record?.account) return undefined;
  const account = record.account;
  return () => readEndpointEntries(record.s3, record.uri, account, endpointName);
}

/** What the deployment gates know of one candidate (deployment-gates.ts). */
export async function readGateFacts(
  sources: FactSources,
  group: ModelPackageGroupConfig,
  target: DeploymentTarget,
  candidate: VersionSummary,
  now: Date,
  /** The endpoint's images, as SageMaker resolved them, when it serves this candidate. */
  deployedImages?: ObservedEndpoint['deployedImages'],
): Promise<GateFacts> {
  const { sagemaker } = sources;
  const cardName = modelCardName(group.name, candidate.version);
  const carded = target.requireApprovedModelCard;
  const verdicts = group.qualityGate ? sources.verdicts : undefined;
  const staged = target.serve.kind === 'lifecycle-stage';
  const monitored = target.monitoring !== undefined && !target.monitoring.deployUnmonitored;
  const record = sources.record;
  const cardsInRecord = sources.cards === 'record';
  const [card, described, gate, entries] = await Promise.all([
    carded && !cardsInRecord ? describeModelCard(sagemaker, cardName) : undefined,
    group.separationOfDuties || staged || carded || verdicts || monitored || record
      ? describeModelVersion(sagemaker, candidate.arn)
      : undefined,
    verdicts ? verdictFacts(verdicts, candidate, now, deployedImages) : undefined,
    record ? readRecordEntries(record.s3, record.uri, candidate.arn) : undefined,
  ]);
  const versionRecord = entries ? recordedVersion(entries) : undefined;
  const content = card ? jsonFingerprint(card.content) : undefined;
  const recordedSource = sources.recordedCardContent;
  const recorded = !carded
    ? undefined
    : recordedSource === 'as-written'
      ? content
      : await recordedSource?.(cardName);
  // Only the checked gates (separation of duties, stages) make the policy handler's change the latest.
  // A stage's check writes its answer (STAGE_CHECK_KEY): a version without one is not checked yet,
  // which the reader takes as the short wait it is, not as a stage the handler refused.
  const checker =
    sources.checker === 'latest-change'
      ? group.separationOfDuties || (staged && described?.metadata?.[STAGE_CHECK_KEY] !== undefined)
        ? described?.lastModifiedByPrincipal
        : undefined
      : sources.checker;
  const reviewer = card?.lastModifiedBy;
  const cardFacts =
    carded && cardsInRecord
      ? recordedCardFacts(cardName, versionRecord)
      : {
          cardStatus: card?.status,
          ...(content ? { cardContentSha256: content } : {}),
          ...(recorded ? { cardRecordedSha256: recorded } : {}),
          ...(reviewer
            ? { cardReviewedBy: describeIdentity(reviewer), cardReviewerPrincipal: principalOf(reviewer) }
            : {}),
        };
  return {
    cardName,
    ...cardFacts,
    ...(carded ? versionApprover(described, checker, versionRecord) : {}),
    ...(versionRecord ? { record: versionRecord } : {}),
    ...versionGateFacts(described),
    ...(described ? { checker } : {}),
    ...(gate ? { gate } : {}),
  };
}

/**
 * The card gate's facts from the version's governance record (`cards: 'record'`): the card counts as
 * Approved with the generated content while the record's latest review of it stands, reviewed by
 * whom the record says; a withdrawn review says the status the card had then.
 */
function recordedCardFacts(cardName: string, record: RecordedVersion | undefined) {
  const review = record?.card?.cardName === cardName ? record.card : undefined;
  if (!review?.reviewed)
    return {
      cardStatus:
        review?.status ?? (review ? 'PendingReview' : 'not reviewed (as the governance record shows)'),
    };
  return {
    cardStatus: 'Approved',
    ...(review.contentSha256
      ? { cardContentSha256: review.contentSha256, cardRecordedSha256: review.contentSha256 }
      : {}),
    ...(review.by
      ? { cardReviewedBy: review.byName ?? describePrincipal(review.by), cardReviewerPrincipal: review.by }
      : {}),
  };
}

/** The gate's verdict on a candidate, and its pinned model data as S3 shows it now. */
async function verdictFacts(
  verdicts: NonNullable<FactSources['verdicts']>,
  candidate: VersionSummary,
  now: Date,
  deployedImages: ObservedEndpoint['deployedImages'],
) {
  const verdict = await readVerdict(verdicts.s3, verdicts.uri, candidate.arn);
  const pins = verdict?.artifacts?.modelData ?? [];
  const observed = await artifactStates(verdicts, pins, { pinned: pins });
  for (const image of deployedImageStates(pins, deployedImages ?? [])) observed.set(image.uri, image);
  return { ...(verdict ? { verdict } : {}), observed, registeredAt: candidate.creationTime, now };
}

/**
 * The deployment gates' answer for a target's candidates (domain/target-planner.ts applyGates), with
 * the gate facts read as the planner asks for them: mgov's view of what the reconciler holds.
 */
export async function decideGates(
  sources: FactSources,
  group: ModelPackageGroupConfig,
  target: DeploymentTarget,
  versions: readonly VersionSummary[],
): Promise<Gated> {
  const now = sources.now?.() ?? new Date();
  const gates = new Map<string, GateFacts>();
  let violations: Awaited<ReturnType<typeof readViolationHolds>> | undefined;
  for (;;) {
    const step = applyGates({
      group,
      target,
      versions,
      verdictsReadable: sources.verdicts !== undefined,
      recordReadable: sources.record !== undefined,
      gates,
      ...(violations ? { violations } : {}),
    });
    if (!('kind' in step)) return step;
    if (step.kind === 'violation-holds') {
      violations = await readViolationHolds(
        sources.endpointSageMaker ?? sources.sagemaker,
        target.endpointName,
        endpointRecord(sources, target.endpointName),
      );
      continue;
    }
    if (step.kind !== 'gate-facts') throw new Error(`the gates asked for ${step.kind}`);
    gates.set(step.version.arn, await readGateFacts(sources, group, target, step.version, now));
  }
}
