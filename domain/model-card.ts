import type { ModelPackageGroupConfig, PendingCardStatus } from '../core/config/types';
import type { MetricGroup } from './metrics';
import type { ApprovalStatus } from './model-version';

/** SageMaker's limit on a model card's Content. */
export const MODEL_CARD_CONTENT_LIMIT = 100_000;

/** What the card is built from: the registry's description of the version, nothing typed twice. */
export interface CardVersion {
  readonly arn: string;
  readonly groupName: string;
  readonly version: number;
  readonly description?: string;
  readonly approvalStatus: ApprovalStatus;
  readonly approvalDescription?: string;
  readonly createdBy?: string;
  readonly containers: readonly {
    readonly image?: string;
    readonly modelDataUrl?: string;
    readonly framework?: string;
    readonly frameworkVersion?: string;
  }[];
  readonly customerMetadata: Readonly<Record<string, string>>;
  readonly domain?: string;
  readonly task?: string;
}

export interface TrainingDetails {
  readonly jobArn: string;
  readonly datasets: readonly string[];
  readonly images: readonly string[];
  readonly metrics: readonly { readonly name: string; readonly value: number }[];
  readonly hyperParameters: Readonly<Record<string, string>>;
}

/** One ModelMetrics file, translated. */
export interface Evaluation {
  /** Where it came from: the ModelMetrics slot, e.g. "ModelQuality.Statistics". */
  readonly slot: string;
  readonly s3Uri: string;
  readonly groups: readonly MetricGroup[];
}

export interface CardInputs {
  readonly version: CardVersion;
  readonly group: ModelPackageGroupConfig;
  readonly training?: TrainingDetails;
  readonly evaluations: readonly Evaluation[];
  /** Inputs that could not be read, and why (shown in the card). */
  readonly unreadable: readonly string[];
}

export type CardContent = Record<string, unknown>;

/**
 * The card's status for a version's approval status. Without review, the card follows the approval.
 * With review (a target of the group deploys only reviewed cards), approving the version asks for a
 * review (PendingReview) and only a reviewer sets the card Approved; that approval is kept until the
 * version is rejected or the card's content is rebuilt differently (then it is reviewed again).
 */
export function modelCardStatus(
  approval: ApprovalStatus,
  pending: PendingCardStatus,
  review: {
    readonly required: boolean;
    readonly current?: string;
    /** The card's content is about to change: a review of the old content no longer holds. */
    readonly contentChanged?: boolean;
  } = { required: false },
): 'Draft' | 'PendingReview' | 'Approved' | 'Archived' {
  if (approval === 'Rejected') return 'Archived';
  if (!review.required) return approval === 'Approved' ? 'Approved' : pending;
  if (review.current === 'Approved' && !review.contentChanged) return 'Approved';
  return approval === 'Approved' ? 'PendingReview' : pending;
}

/** One UpdateModelCard call: SageMaker takes the content or the status, never both at once. */
export type CardWrite = 'content' | 'status';

/**
 * The UpdateModelCard calls that bring an existing card to the wanted content and status, in order.
 * SageMaker refuses content and status in one call (API reference, UpdateModelCard) and refuses any
 * content update of an Archived card, whose status may still change (API reference,
 * ModelPackageModelCard: "Model Card is in Archived state."). So:
 * - content first, then status: the content goes in while the card can still take it (a rejection
 *   records its content, then archives);
 * - an Archived card that must change leaves Archived first (re-approval), then takes the content;
 * - an Archived card that stays Archived keeps the content it had when it was archived;
 * - a reviewed (Approved) card whose content changes loses its approval first (PendingReview), then
 *   takes the content: in the other order, a failure between the calls would leave the reviewer's
 *   approval on content nobody reviewed, and the rerun, seeing no content change, would keep it.
 * - content written for a card that must not be Approved ends with its status written again: a
 *   content change keeps the card's status (it carries it to the new version), so a reviewer who
 *   approves between this run's read and its content write (the content they saw, not this one)
 *   would otherwise leave the card Approved on content nobody reviewed. The last write takes that
 *   approval back; an approval made after it is of the content written here.
 * Every prefix of the order is a state from which the same plan, recomputed by a rerun, finishes.
 */
export function cardWrites(
  current: { readonly status: string; readonly contentChanged: boolean },
  wantedStatus: string,
): CardWrite[] {
  const statusChanged = current.status !== wantedStatus;
  if (!current.contentChanged) return statusChanged ? ['status'] : [];
  if (current.status === 'Archived')
    return statusChanged ? endsUnapproved(['status', 'content'], wantedStatus) : [];
  if (current.status === 'Approved' && wantedStatus !== 'Archived' && statusChanged)
    return endsUnapproved(['status', 'content'], wantedStatus);
  return statusChanged ? ['content', 'status'] : endsUnapproved(['content'], wantedStatus);
}

/** Content written for a card that must not be Approved is followed by its status (see cardWrites). */
function endsUnapproved(writes: CardWrite[], wantedStatus: string): CardWrite[] {
  return wantedStatus === 'Approved' || writes[writes.length - 1] === 'status'
    ? writes
    : [...writes, 'status'];
}

/**
 * Builds the card content. Keeps it under SageMaker's 100,000 characters by dropping the least
 * important detail first, and says in the card what was left out.
 */
export function renderModelCard(inputs: CardInputs): { content: CardContent; omitted: string[] } {
  const { content, omitted } = reduceToLimit(inputs);
  // Exactly what SageMaker will store (no undefined sections), so it compares equal to a read-back.
  return { content: JSON.parse(JSON.stringify(content)) as CardContent, omitted };
}

function reduceToLimit(inputs: CardInputs): { content: CardContent; omitted: string[] } {
  const full = buildContent(inputs, []);
  if (size(full) <= MODEL_CARD_CONTENT_LIMIT) return { content: full, omitted: [] };
  let reduced = inputs;
  const omitted: string[] = [];
  for (const step of REDUCTIONS) {
    reduced = step.apply(reduced);
    omitted.push(step.note);
    const content = buildContent(reduced, omitted);
    if (size(content) <= MODEL_CARD_CONTENT_LIMIT) return { content, omitted };
  }
  return { content: buildContent(reduced, omitted), omitted };
}

const size = (content: CardContent) => JSON.stringify(content).length;

/** Least important first. */
const REDUCTIONS: { note: string; apply: (i: CardInputs) => CardInputs }[] = [
  {
    note: 'data-quality distributions',
    apply: (i) =>
      mapGroups(i, (g) => ({
        ...g,
        metric_data: g.metric_data.filter(
          (m) => !(g.name.startsWith('Data quality') && m.type === 'bar_chart'),
        ),
      })),
  },
  {
    note: 'curves and explainability charts',
    apply: (i) =>
      mapGroups(i, (g) => ({
        ...g,
        metric_data: g.metric_data.filter((m) => m.type !== 'linear_graph' && m.type !== 'bar_chart'),
      })),
  },
  {
    note: 'per-feature data-quality statistics and constraints',
    apply: (i) => ({
      ...i,
      evaluations: i.evaluations.map((e) => ({
        ...e,
        groups: e.groups.filter((g) => !g.name.startsWith('Data quality')),
      })),
    }),
  },
  {
    note: 'training hyperparameters',
    apply: (i) => (i.training ? { ...i, training: { ...i.training, hyperParameters: {} } } : i),
  },
  {
    note: 'all but the first 50 metrics of each group',
    apply: (i) => mapGroups(i, (g) => ({ ...g, metric_data: g.metric_data.slice(0, 50) })),
  },
  {
    note: 'evaluation details',
    apply: (i) => ({ ...i, evaluations: [] }),
  },
];

function mapGroups(i: CardInputs, f: (g: MetricGroup) => MetricGroup): CardInputs {
  return { ...i, evaluations: i.evaluations.map((e) => ({ ...e, groups: e.groups.map(f) })) };
}

function buildContent(inputs: CardInputs, omitted: readonly string[]): CardContent {
  const { version, group, training } = inputs;
  const meta = version.customerMetadata;
  const card = group.modelCard;
  const images = unique(version.containers.map((c) => c.image));
  const artifacts = unique(version.containers.map((c) => c.modelDataUrl));
  const notes = [
    ...inputs.unreadable.map((u) => `Could not read ${u}.`),
    ...(omitted.length > 0
      ? [`Left out to stay within SageMaker's 100,000-character limit: ${omitted.join('; ')}.`]
      : []),
  ];
  const content: CardContent = {
    model_overview: compact({
      model_description: clip(meta.model_description ?? version.description ?? group.description, 1024),
      model_creator: clip(version.createdBy, 1024),
      model_owner: clip(meta.model_owner ?? card.owner, 1024),
      model_artifact: artifacts.length > 0 ? artifacts.slice(0, 15).map((a) => clip(a, 1024)) : undefined,
      algorithm_type: clip(meta.algorithm_type ?? algorithmOf(images[0]), 1024),
      problem_type: meta.problem_type ?? version.task,
    }),
    intended_uses: compact({
      purpose_of_model: clip(meta.purpose_of_model ?? card.purpose, 2048),
      intended_uses: clip(meta.intended_uses ?? card.intendedUses, 2048),
      factors_affecting_model_efficiency: clip(
        meta.factors_affecting_model_efficiency ?? card.factorsAffectingEfficiency,
        2048,
      ),
      risk_rating: riskRating(meta.risk_rating) ?? card.riskRating,
      explanations_for_risk_rating: clip(
        meta.explanations_for_risk_rating ?? card.riskRatingExplanation,
        2048,
      ),
    }),
    business_details: compact({
      business_problem: clip(card.businessProblem, 2048),
      business_stakeholders: clip(card.businessStakeholders, 2048),
      line_of_business: clip(card.lineOfBusiness, 2048),
    }),
    model_package_details: compact({
      model_package_arn: version.arn,
      model_package_group_name: version.groupName,
      model_package_version: version.version,
      model_package_description: clip(version.description, 1024),
      model_approval_status: version.approvalStatus,
      approval_description: clip(version.approvalDescription, 1024),
      domain: version.domain,
      task: version.task,
      inference_specification:
        version.containers.length > 0
          ? {
              containers: version.containers.map((c) =>
                compact({
                  image: c.image,
                  model_data_url: c.modelDataUrl,
                  framework: c.framework,
                  framework_version: c.frameworkVersion,
                }),
              ),
            }
          : undefined,
    }),
  };
  if (training) {
    content.training_details = {
      training_job_details: compact({
        training_arn: clip(training.jobArn, 1024),
        training_datasets:
          training.datasets.length > 0 ? training.datasets.slice(0, 15).map((d) => clip(d, 1024)) : undefined,
        training_environment:
          training.images.length > 0
            ? { container_image: training.images.slice(0, 15).map((d) => clip(d, 1024)) }
            : undefined,
        training_metrics:
          training.metrics.length > 0
            ? training.metrics.slice(0, 50).map((m) => ({ name: m.name.slice(0, 255), value: m.value }))
            : undefined,
        hyper_parameters:
          Object.keys(training.hyperParameters).length > 0
            ? Object.entries(training.hyperParameters)
                .slice(0, 100)
                .map(([name, value]) => ({ name: name.slice(0, 255), value: String(value).slice(0, 255) }))
            : undefined,
      }),
    };
  }
  const evaluations = inputs.evaluations.filter((e) => e.groups.length > 0);
  if (evaluations.length > 0) {
    content.evaluation_details = evaluations.map((e) => ({
      name: `${e.slot}`.slice(0, 63),
      evaluation_observation: clip(`Read from ${e.s3Uri}`, 2096),
      datasets: [clip(e.s3Uri, 1024)],
      metric_groups: e.groups,
    }));
  }
  content.additional_information = compact({
    caveats_and_recommendations: notes.length > 0 ? clip(notes.join(' '), 2048) : undefined,
    custom_details: compact({
      generated_by: 'model-governance, from the SageMaker Model Registry',
      model_package_arn: clip(version.arn, 1024),
    }),
  });
  return content;
}

function algorithmOf(image: string | undefined): string | undefined {
  if (!image) return undefined;
  const repository = image.split('/').pop() ?? image;
  return repository.split('@')[0];
}

function riskRating(value: string | undefined): 'High' | 'Medium' | 'Low' | 'Unknown' | undefined {
  return value === 'High' || value === 'Medium' || value === 'Low' || value === 'Unknown' ? value : undefined;
}

function clip(text: string | undefined, max: number): string | undefined {
  if (text === undefined || text === '') return undefined;
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function unique(values: readonly (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v.length > 0))];
}

/** Drops undefined fields (and returns undefined for an object left empty). */
function compact<T extends Record<string, unknown>>(o: T): T | undefined {
  const kept = Object.entries(o).filter(([, v]) => v !== undefined);
  return kept.length > 0 ? (Object.fromEntries(kept) as T) : undefined;
}
