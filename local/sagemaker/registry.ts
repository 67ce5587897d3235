import { accessDenied, evaluate, type PolicyDocument, parseArn, requestPrincipal } from './access';
import type { EventEmitter } from './events';
import { DETAIL_TYPES } from './events';
import type { Lineage } from './lineage';
import type { MotoClient } from './moto-client';
import {
  type CallContext,
  callerIdentity,
  ENTITY_NAME,
  inAccount,
  notFound,
  requireOneOf,
  requireString,
  validation,
} from './protocol';

type Json = Record<string, unknown>;

interface Overlay {
  modelLifeCycle?: Json;
  createdBy: Json;
  lastModifiedBy?: Json;
  lastModifiedTime?: number;
  /** Set by UpdateModelPackage, which moto ignores: what DescribeModelPackage and CreateModel then see. */
  inferenceSpecification?: Json;
  sourceUri?: string;
}

const APPROVAL_STATUSES = ['Approved', 'Rejected', 'PendingManualApproval'] as const;
/** Fields of UpdateModelPackage that moto does not keep (or erases when they are not sent). */
const OVERLAY_FIELDS = ['ModelLifeCycle'] as const;

/**
 * The model registry with the service's semantics, on top of moto's:
 * - UpdateModelPackage keeps what it is not sent (moto erases the description and metadata);
 * - ModelLifeCycle (Stage/StageStatus/StageDescription), which moto does not know, is kept here;
 * - CreatedBy/LastModifiedBy name the caller;
 * - UpdateModelPackage replaces InferenceSpecification and SourceUri, as botocore's
 *   UpdateModelPackageInput allows ("Specifies details about inference jobs…", "The URI of the source
 *   for the model package"); moto ignores both;
 * - every create and update emits `SageMaker Model Package State Change`, with the documented
 *   sample's fields (no CreatedBy, LastModifiedBy or ApprovalDescription);
 * - SageMaker's own lineage entities are created with each group and version;
 * - groups have resource policies (PutModelPackageGroupPolicy, which moto lacks), and a caller from
 *   another account reads, lists, updates or makes a model of a group's versions only where the
 *   group's policy allows it (access.ts), naming the group or version by ARN, as SageMaker requires
 *   across accounts.
 */
export class Registry {
  private readonly overlays = new Map<string, Overlay>();
  /** Group resource policies, by `<account>/<region>/<group name, lower case>`. */
  private readonly policies = new Map<string, string>();

  constructor(
    private readonly moto: MotoClient,
    private readonly events: EventEmitter,
    private readonly lineage: Lineage,
  ) {}

  reset(): void {
    this.overlays.clear();
    this.policies.clear();
  }

  async putModelPackageGroupPolicy(ctx: CallContext, body: Json): Promise<Json> {
    const name = requireString(body, 'ModelPackageGroupName', ENTITY_NAME, 63);
    const policy = requireString(body, 'ResourcePolicy', undefined, 20480);
    try {
      JSON.parse(policy);
    } catch {
      throw validation(`The resource policy of model package group "${name}" is not valid JSON.`);
    }
    const group = await this.moto.sagemaker(ctx, 'DescribeModelPackageGroup', {
      ModelPackageGroupName: name,
    });
    this.policies.set(policyKey(ctx.account, ctx.region, name), policy);
    return { ModelPackageGroupArn: group.ModelPackageGroupArn };
  }

  getModelPackageGroupPolicy(ctx: CallContext, body: Json): Json {
    const name = requireString(body, 'ModelPackageGroupName', ENTITY_NAME, 63);
    const policy = this.policies.get(policyKey(ctx.account, ctx.region, name));
    if (!policy) throw notFound(`Model package group "${name}" has no resource policy.`);
    return { ResourcePolicy: policy };
  }

  deleteModelPackageGroupPolicy(ctx: CallContext, body: Json): Json {
    const name = requireString(body, 'ModelPackageGroupName', ENTITY_NAME, 63);
    this.policies.delete(policyKey(ctx.account, ctx.region, name));
    return {};
  }

  /** DescribeModelPackageGroup, by name in the caller's account or by ARN in any (as its policy allows). */
  async describeModelPackageGroup(ctx: CallContext, body: Json): Promise<Json> {
    const name = requireString(body, 'ModelPackageGroupName', undefined, 2048);
    const owner = await this.authorize(ctx, 'sagemaker:DescribeModelPackageGroup', name);
    return this.moto.sagemaker(owner, 'DescribeModelPackageGroup', {
      ModelPackageGroupName: name.startsWith('arn:') ? name.split('/').at(-1) : name,
    });
  }

  /**
   * CreateModel from another account's version (a container's ModelPackageName is its ARN): allowed
   * only where the version's group grants the caller `sagemaker:CreateModel`.
   */
  async authorizeCreateModel(ctx: CallContext, body: Json): Promise<void> {
    const containers = [body.PrimaryContainer, ...((body.Containers as unknown[] | undefined) ?? [])];
    for (const c of containers) {
      const source = (c as Json | undefined)?.ModelPackageName;
      if (typeof source === 'string') await this.authorize(ctx, 'sagemaker:CreateModel', source);
    }
  }

  /**
   * The context to serve a request on `nameOrArn` in: the caller's own for a name or an ARN of its
   * account; the owner's for another account's ARN, once the group's resource policy allows the
   * caller `action` on it (a version's ARN, the group's, or for ListModelPackages the group's
   * versions, `model-package/<group>/*`). Refused otherwise, in IAM's words.
   */
  private async authorize(ctx: CallContext, action: string, nameOrArn: string): Promise<CallContext> {
    const arn = parseArn(nameOrArn);
    if (!arn || arn.account === ctx.account) return ctx;
    const [kind, group, version] = arn.resource.toLowerCase().split('/');
    const resource =
      kind === 'model-package-group' && action === 'sagemaker:ListModelPackages'
        ? `arn:aws:sagemaker:${arn.region}:${arn.account}:model-package/${group}/*`
        : `arn:aws:sagemaker:${arn.region}:${arn.account}:${[kind, group, version].filter(Boolean).join('/')}`;
    const raw = group ? this.policies.get(policyKey(arn.account, arn.region, group)) : undefined;
    const principal = requestPrincipal(ctx);
    const decision = evaluate(
      raw ? (JSON.parse(raw) as PolicyDocument) : undefined,
      principal,
      action,
      resource,
    );
    if (decision !== 'allow') throw accessDenied(principal, action, resource, decision);
    return inAccount(ctx, arn.account, arn.region);
  }

  async createModelPackageGroup(ctx: CallContext, body: Json): Promise<Json> {
    const out = await this.moto.sagemaker(ctx, 'CreateModelPackageGroup', body);
    this.lineage.recordModelPackageGroup(
      ctx,
      String(out.ModelPackageGroupArn),
      String(body.ModelPackageGroupName),
    );
    return out;
  }

  async createModelPackage(ctx: CallContext, body: Json): Promise<Json> {
    if (body.ModelApprovalStatus !== undefined) requireOneOf(body, 'ModelApprovalStatus', APPROVAL_STATUSES);
    const lifeCycle = body.ModelLifeCycle === undefined ? undefined : readLifeCycle(body.ModelLifeCycle);
    const forwarded = { ...body };
    for (const f of OVERLAY_FIELDS) delete forwarded[f];
    const out = await this.moto.sagemaker(ctx, 'CreateModelPackage', forwarded);
    const arn = String(out.ModelPackageArn);
    this.overlays.set(arn, { modelLifeCycle: lifeCycle, createdBy: callerIdentity(ctx) });
    const described = await this.describeModelPackage(ctx, { ModelPackageName: arn });
    if (described.ModelPackageGroupName) {
      this.lineage.recordModelPackage(ctx, described);
    }
    await this.emitStateChange(ctx, described);
    return out;
  }

  async updateModelPackage(ctx: CallContext, body: Json): Promise<Json> {
    const arn = requireString(body, 'ModelPackageArn');
    // Served in the version's account; who changed it is still the caller (an UpdateModelPackage
    // from another account needs the group's policy to grant it).
    const owner = await this.authorize(ctx, 'sagemaker:UpdateModelPackage', arn);
    if (body.ModelApprovalStatus !== undefined) requireOneOf(body, 'ModelApprovalStatus', APPROVAL_STATUSES);
    const lifeCycle = body.ModelLifeCycle === undefined ? undefined : readLifeCycle(body.ModelLifeCycle);
    const inferenceSpecification =
      body.InferenceSpecification === undefined
        ? undefined
        : readInferenceSpecification(body.InferenceSpecification);
    if (body.SourceUri !== undefined) requireString(body, 'SourceUri', undefined, 1024);
    const current = await this.describeModelPackage(owner, { ModelPackageName: arn });
    const metadata: Record<string, string> = {
      ...((current.CustomerMetadataProperties as Record<string, string> | undefined) ?? {}),
      ...((body.CustomerMetadataProperties as Record<string, string> | undefined) ?? {}),
    };
    for (const key of (body.CustomerMetadataPropertiesToRemove as string[] | undefined) ?? [])
      delete metadata[key];
    // The version keeps one CustomerMetadataMap, at most 50 entries (botocore's service model:
    // CustomerMetadataMap max 50): an update that would leave more is refused, whatever it sets.
    if (Object.keys(metadata).length > 50)
      throw validation(
        `1 validation error detected: Value at 'customerMetadataProperties' failed to satisfy constraint: Member must have length less than or equal to 50`,
      );
    await this.moto.sagemaker(owner, 'UpdateModelPackage', {
      ModelPackageArn: arn,
      ModelApprovalStatus: body.ModelApprovalStatus ?? current.ModelApprovalStatus,
      ApprovalDescription: body.ApprovalDescription ?? current.ApprovalDescription,
      CustomerMetadataProperties: Object.keys(metadata).length > 0 ? metadata : undefined,
      AdditionalInferenceSpecificationsToAdd: body.AdditionalInferenceSpecificationsToAdd,
    });
    const key = String(current.ModelPackageArn);
    const overlay = this.overlays.get(key) ?? { createdBy: callerIdentity(ctx) };
    this.overlays.set(key, {
      ...overlay,
      ...(lifeCycle ? { modelLifeCycle: lifeCycle } : {}),
      ...(inferenceSpecification ? { inferenceSpecification } : {}),
      ...(typeof body.SourceUri === 'string' ? { sourceUri: body.SourceUri } : {}),
      lastModifiedBy: callerIdentity(ctx),
      lastModifiedTime: Date.now(),
    });
    const updatedFields = Object.keys(body).filter((k) => k !== 'ModelPackageArn' && body[k] !== undefined);
    const described = await this.describeModelPackage(owner, { ModelPackageName: arn });
    await this.emitStateChange(owner, described, updatedFields);
    return { ModelPackageArn: key };
  }

  async describeModelPackage(ctx: CallContext, body: Json): Promise<Json> {
    const name = typeof body.ModelPackageName === 'string' ? body.ModelPackageName : '';
    const owner = await this.authorize(ctx, 'sagemaker:DescribeModelPackage', name);
    const out = await this.moto.sagemaker(owner, 'DescribeModelPackage', body);
    return this.withOverlay(out);
  }

  async listModelPackages(ctx: CallContext, body: Json): Promise<Json> {
    const group = typeof body.ModelPackageGroupName === 'string' ? body.ModelPackageGroupName : '';
    const owner = await this.authorize(ctx, 'sagemaker:ListModelPackages', group);
    const out = await this.moto.sagemaker<{ ModelPackageSummaryList?: Json[] }>(
      owner,
      'ListModelPackages',
      body,
    );
    return {
      ...out,
      ModelPackageSummaryList: (out.ModelPackageSummaryList ?? []).map((s) => {
        const lifeCycle = this.overlays.get(String(s.ModelPackageArn))?.modelLifeCycle;
        return lifeCycle ? { ...s, ModelLifeCycle: lifeCycle } : s;
      }),
    };
  }

  private withOverlay(out: Json): Json {
    const overlay = this.overlays.get(String(out.ModelPackageArn));
    if (!overlay) return out;
    return {
      ...out,
      ...(overlay.modelLifeCycle ? { ModelLifeCycle: overlay.modelLifeCycle } : {}),
      ...(overlay.inferenceSpecification ? { InferenceSpecification: overlay.inferenceSpecification } : {}),
      ...(overlay.sourceUri !== undefined ? { SourceUri: overlay.sourceUri } : {}),
      CreatedBy: overlay.createdBy,
      ...(overlay.lastModifiedBy ? { LastModifiedBy: overlay.lastModifiedBy } : {}),
      ...(overlay.lastModifiedTime ? { LastModifiedTime: overlay.lastModifiedTime / 1000 } : {}),
    };
  }

  /** The event SageMaker sends: the version's description, times in epoch milliseconds. */
  private async emitStateChange(ctx: CallContext, described: Json, updatedFields?: string[]): Promise<void> {
    const toMillis = (v: unknown) => (typeof v === 'number' ? Math.round(v * 1000) : v);
    // The documented sample (developer guide, "Events that Amazon SageMaker AI sends to Amazon
    // EventBridge", SageMaker model package state change) carries no CreatedBy, LastModifiedBy or
    // ApprovalDescription: who and why are DescribeModelPackage's to tell, so they are left out here.
    const { CreatedBy: _c, LastModifiedBy: _m, ApprovalDescription: _a, ...documented } = described;
    const detail: Json = {
      ...documented,
      CreationTime: toMillis(described.CreationTime),
      ...(described.LastModifiedTime !== undefined
        ? { LastModifiedTime: toMillis(described.LastModifiedTime) }
        : {}),
      ...(updatedFields ? { UpdatedModelPackageFields: updatedFields } : {}),
    };
    await this.events.emit(ctx, DETAIL_TYPES.modelPackage, [String(described.ModelPackageArn)], detail);
  }
}

/** botocore's InferenceSpecification: Containers is required (1 to 15 container definitions). */
function readInferenceSpecification(raw: unknown): Json {
  if (typeof raw !== 'object' || raw === null) throw validation('InferenceSpecification must be an object');
  const spec = raw as Json;
  const containers = spec.Containers;
  if (!Array.isArray(containers) || containers.length < 1 || containers.length > 15)
    throw validation('InferenceSpecification.Containers must hold 1 to 15 container definitions');
  return spec;
}

function readLifeCycle(raw: unknown): Json {
  if (typeof raw !== 'object' || raw === null) throw validation('ModelLifeCycle must be an object');
  const l = raw as Json;
  requireString(l, 'Stage', /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, 63);
  requireString(l, 'StageStatus', /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, 63);
  return {
    Stage: l.Stage,
    StageStatus: l.StageStatus,
    ...(typeof l.StageDescription === 'string' ? { StageDescription: l.StageDescription } : {}),
  };
}

function policyKey(account: string, region: string, groupName: string): string {
  return `${account}/${region}/${groupName.toLowerCase()}`;
}
