/**
 * Model cards: every version of a governed group gets a SageMaker Model Card built from what the
 * registry knows (its metrics files, its training job, the group's configuration), validated
 * against AWS's schema, with its status kept in step with the approval, and exported as a PDF to
 * the audit bucket when approved.
 *
 * Trigger: the governed groups' model package state changes. Level-triggered: the card is rebuilt
 * from the registry each time, and written only when something changed.
 */

import { isDeepStrictEqual } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { readMetrics } from '../../adapters/artifacts';
import { readCardContentRecord, writeCardContentRecord } from '../../adapters/card-records';
import { appendRecordEntry } from '../../adapters/governance-record';
import {
  describeForCard,
  findTrainingJob,
  type MetricsLocation,
  readEvaluations,
} from '../../adapters/model-card-inputs';
import {
  createModelCard,
  describeModelCard,
  type ExistingCard,
  ensureExport,
  updateModelCardContent,
  updateModelCardStatus,
} from '../../adapters/model-cards';
import { isAlreadyExists } from '../../adapters/sagemaker';
import { readVerdict } from '../../adapters/verdicts';
import { MODEL_CARD_STATE_CHANGE } from '../../core/events';
import { findGroup } from '../../core/manifest';
import {
  cardReviewRequired,
  groupOfCard,
  modelCardName,
  modelCardPrefix,
} from '../../core/model-card-naming';
import { jsonFingerprint } from '../../domain/approval-check';
import { parseModelCardStateChange, parseModelPackageStateChange } from '../../domain/events';
import { cardReviewDraft } from '../../domain/governance-record';
import { cardWrites, modelCardStatus, renderModelCard } from '../../domain/model-card';
import { validateModelCardContent } from '../../domain/model-card-validate';
import { describeIdentity } from '../../domain/model-version';
import { principalOf } from '../../domain/principal';
import { requiredEnv } from '../runtime/env';
import { governedHandler, type Ignored, ignored } from '../runtime/handler';
import { logger } from '../runtime/logger';
import { loadManifest } from '../runtime/manifest';
import { countCardWritten } from '../runtime/metrics';

const exportS3Uri = requiredEnv('AUDIT_EXPORT_S3_URI');
/** Where this handler keeps the fingerprint of the content it generated per card (only it writes there). */
const contentStore = requiredEnv('CARD_CONTENT_S3_URI');
/** The quality gate's verdicts, whose pins say which metrics it evaluated (set when a group is gated). */
const verdictStore = process.env.VERDICT_S3_URI;
/**
 * The governance record (card-gated groups): this handler records each card's review there, the
 * evidence the deployment accounts' reconcilers decide the card gate from (they cannot read the card).
 */
const recordUri = process.env.GOVERNANCE_RECORD_S3_URI;
const manifest = loadManifest();
const sagemaker = new SageMakerClient({ maxAttempts: 5 });
const s3 = new S3Client({ maxAttempts: 3 });

export type CardResult =
  | {
      readonly outcome: 'created' | 'updated' | 'unchanged';
      readonly modelCardName: string;
      readonly status: string;
      readonly omitted: readonly string[];
      readonly unreadable: readonly string[];
      readonly exportJobArn?: string;
    }
  | {
      /** A reviewed card whose content is not what this handler generated: not exported, back to review. */
      readonly outcome: 'refused';
      readonly modelCardName: string;
      readonly status: string;
      readonly reason: string;
    }
  | Ignored;

export const handler = governedHandler(handle);

async function handle(event: unknown): Promise<CardResult> {
  if (isModelCardEvent(event)) return exportReviewedCard(event);
  const parsed = parseModelPackageStateChange(event);
  if (!parsed.ok) return ignored('unrecognised-event', parsed.reason);
  const group = findGroup(manifest, parsed.value.groupName);
  if (!group)
    return ignored(
      'not-governed',
      `model package group "${parsed.value.groupName}" is not governed by this stack`,
    );
  const described = await describeForCard(sagemaker, parsed.value.modelPackageArn);
  if (!described)
    return ignored('gone', 'the model package version no longer exists (deleted since the event)');

  const { evaluations, unreadable } = await cardEvaluations(
    group.qualityGate !== undefined,
    parsed.value.modelPackageArn,
    described.metrics,
  );
  const training = await findTrainingJob(sagemaker, described.trainingJobCandidates);
  if (training && !training.ok) unreadable.push(training.reason);
  if (unreadable.length > 0) logger.warn('card inputs that could not be read', { unreadable });

  const { content, omitted } = renderModelCard({
    version: described.version,
    group,
    training: training?.ok ? training.value : undefined,
    evaluations,
    unreadable,
  });
  const problems = validateModelCardContent(content);
  if (problems.length > 0) {
    // A bug, not bad input: fail loudly (retries, then the dead-letter queue) rather than write it.
    throw new Error(`The generated model card does not match AWS's schema: ${problems.join('; ')}`);
  }

  const name = modelCardName(group.name, described.version.version);
  const existing = await describeModelCard(sagemaker, name);
  const status = modelCardStatus(described.version.approvalStatus, group.modelCard.pendingStatus, {
    required: cardReviewRequired(group),
    current: existing?.status,
    contentChanged: existing !== undefined && !isDeepStrictEqual(existing.content, content),
  });
  const { outcome, current } = await writeIfChanged(name, content, status, existing);
  // The card now holds what was generated, unless it stays Archived with the content it was archived with.
  if (outcome !== 'unchanged' || isDeepStrictEqual(existing?.content, content))
    await recordGeneratedContent(name, content);
  if (recordUri && cardReviewRequired(group))
    await recordCardReview(described.version.arn, name, await describeModelCard(sagemaker, name));

  let exportJobArn: string | undefined;
  if (status === 'Approved') {
    const card = outcome === 'unchanged' ? current : await describeModelCard(sagemaker, name);
    const exported = await ensureExport(sagemaker, name, card?.version ?? 1, exportS3Uri);
    exportJobArn = exported.jobArn;
  }
  const result = {
    outcome,
    modelCardName: name,
    status,
    omitted,
    unreadable,
    ...(exportJobArn ? { exportJobArn } : {}),
  };
  if (outcome !== 'unchanged') countCardWritten(group.name);
  logger.info('model card written', {
    outcome,
    modelCard: result,
    modelPackageArn: described.version.arn,
  });
  return result;
}

/**
 * Creates the card, or brings it to the wanted content and status with one UpdateModelCard call for
 * each (SageMaker takes them only separately), in the order `cardWrites` gives, which a rerun after
 * a failure between the two calls finishes. Two deliveries of a version's events may race to create
 * the card: the one that loses compares with what the other wrote.
 */
async function writeIfChanged(
  name: string,
  content: Record<string, unknown>,
  status: string,
  existing: ExistingCard | undefined,
): Promise<{ outcome: 'created' | 'updated' | 'unchanged'; current?: ExistingCard }> {
  let current = existing;
  if (!current) {
    try {
      await createModelCard(sagemaker, name, content, status);
      return { outcome: 'created' };
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      current = await describeModelCard(sagemaker, name);
      if (!current) throw error;
    }
  }
  const first = current;
  // A concurrent run (another event of the same version) may archive the card between our read and
  // our content write: SageMaker then refuses the content ("Model Card is in Archived state."), and
  // the plan is made again from what the card is now.
  for (let attempt = 1; ; attempt++) {
    const writes = cardWrites(
      { status: current.status, contentChanged: !isDeepStrictEqual(current.content, content) },
      status,
    );
    if (writes.length === 0) return { outcome: attempt === 1 ? 'unchanged' : 'updated', current: first };
    try {
      for (const write of writes) {
        if (write === 'content') await updateModelCardContent(sagemaker, name, content);
        else await updateModelCardStatus(sagemaker, name, status);
      }
      return { outcome: 'updated', current: first };
    } catch (error) {
      if (attempt >= 3 || !isArchivedRefusal(error)) throw error;
      const now = await describeModelCard(sagemaker, name);
      if (!now) throw error;
      current = now;
    }
  }
}

/** SageMaker's refusal of a content update on an Archived card (API reference, ModelPackageModelCard). */
function isArchivedRefusal(error: unknown): boolean {
  return /Model Card is in Archived state/i.test((error as Error)?.message ?? '');
}

/** Records the fingerprint of the generated content (only when it differs from the one kept). */
async function recordGeneratedContent(name: string, content: Record<string, unknown>): Promise<void> {
  const sha256 = jsonFingerprint(content);
  const kept = await readCardContentRecord(s3, contentStore, name);
  if (kept?.sha256 === sha256) return;
  await writeCardContentRecord(s3, contentStore, {
    cardName: name,
    sha256,
    recordedAt: new Date().toISOString(),
  });
}

/**
 * Brings the version's record in step with its card's review (governance-record.ts cardReviewDraft):
 * reviewed while the card is Approved with the content this handler generated, by the card's
 * LastModifiedBy (who set Approved: any later content change moves the card off the generated
 * content); withdrawn otherwise.
 */
async function recordCardReview(
  versionArn: string,
  name: string,
  card: ExistingCard | undefined,
  generatedSha256?: string,
): Promise<void> {
  if (!recordUri) return;
  const sha256 = card ? jsonFingerprint(card.content) : undefined;
  const generated = generatedSha256 ?? (await readCardContentRecord(s3, contentStore, name))?.sha256;
  const reviewed = card?.status === 'Approved' && sha256 !== undefined && sha256 === generated;
  const by = reviewed ? principalOf(card?.lastModifiedBy) : undefined;
  const byName = reviewed ? describeIdentity(card?.lastModifiedBy) : undefined;
  const now = new Date();
  await appendRecordEntry(s3, recordUri, versionArn, (entries) =>
    cardReviewDraft(
      entries,
      {
        cardName: name,
        reviewed,
        status: card?.status ?? 'missing',
        ...(sha256 ? { contentSha256: sha256 } : {}),
        ...(by ? { by } : {}),
        ...(byName ? { byName } : {}),
      },
      now,
    ),
  );
}

/** The model package version a card is of, by the card's ARN (same account and region) and its name. */
function versionArnOfCard(cardArn: string, groupName: string, cardName: string): string | undefined {
  const version = Number(cardName.slice(`${modelCardPrefix(groupName)}-v`.length));
  const base = /^(arn:[^:]+:sagemaker:[^:]*:\d*):model-card\//.exec(cardArn)?.[1];
  return base && Number.isInteger(version) ? `${base}:model-package/${groupName}/${version}` : undefined;
}

function isModelCardEvent(event: unknown): boolean {
  return (event as Record<string, unknown> | null)?.['detail-type'] === MODEL_CARD_STATE_CHANGE;
}

/** A reviewer approved a card-gated group's card: export it for the auditors, as an approval would. */
async function exportReviewedCard(event: unknown): Promise<CardResult> {
  const parsed = parseModelCardStateChange(event);
  if (!parsed.ok) return ignored('unrecognised-event', parsed.reason);
  const name = parsed.value.cardName;
  const group = groupOfCard(manifest.groups, name);
  if (!group) return ignored('not-governed', `model card "${name}" does not belong to a governed group`);
  const card = await describeModelCard(sagemaker, name);
  if (!card) return ignored('gone', `model card "${name}" no longer exists`);
  const versionArn = card.arn ? versionArnOfCard(card.arn, group.name, name) : undefined;
  const review = recordUri && cardReviewRequired(group) && versionArn;
  if (card.status !== 'Approved') {
    if (review) await recordCardReview(versionArn, name, card);
    return ignored(
      'not-applicable',
      `model card "${name}" is ${card.status}; only Approved cards are exported`,
    );
  }
  const recorded = await readCardContentRecord(s3, contentStore, name);
  if (recorded?.sha256 !== jsonFingerprint(card.content)) {
    // Someone wrote the card's content themselves and approved it: it is not taken as reviewed, and
    // not exported; back to review (the version's next change rebuilds the content, cardWrites).
    await updateModelCardStatus(sagemaker, name, 'PendingReview');
    if (review) await recordCardReview(versionArn, name, { ...card, status: 'PendingReview' });
    const refused = {
      outcome: 'refused' as const,
      modelCardName: name,
      status: 'PendingReview',
      reason: `the content of model card ${name} is not what model-governance generated for it (last changed by ${describeIdentity(card.lastModifiedBy) ?? 'an unknown identity'}); not exported, and set back to PendingReview`,
    };
    logger.warn('model card review refused', { modelCard: refused });
    return refused;
  }
  if (review) await recordCardReview(versionArn, name, card, recorded.sha256);
  const exported = await ensureExport(sagemaker, name, card.version, exportS3Uri);
  const result = {
    outcome: 'unchanged' as const,
    modelCardName: name,
    status: card.status,
    omitted: [],
    unreadable: [],
    exportJobArn: exported.jobArn,
  };
  logger.info('model card reviewed and exported', { modelCard: result });
  return result;
}

/**
 * The metrics a card shows. For a quality-gated version with a verdict: the files as the gate read
 * them (by their pinned VersionId, or checked against their pinned ETag), so the card and the
 * auditors' PDF show what was decided; a file changed since, on an unversioned bucket, is shown as
 * unreadable, not as other numbers. Otherwise (no gate, or no verdict yet: the card is written again
 * on the version's later events): the files as they are now.
 */
async function cardEvaluations(gated: boolean, arn: string, metrics: readonly MetricsLocation[]) {
  if (gated && verdictStore) {
    const verdict = await readVerdict(s3, verdictStore, arn);
    if (verdict?.artifacts) {
      const { evaluations, unreadable } = await readMetrics(s3, metrics, verdict.artifacts.metrics);
      return { evaluations, unreadable };
    }
  }
  return readEvaluations(s3, metrics);
}
