import { createHash, randomBytes } from 'node:crypto';
import type { MotoClient } from './moto-client';
import {
  arn,
  type CallContext,
  callerIdentity,
  epochSeconds,
  LINEAGE_NAME,
  notFound,
  requireOneOf,
  requireString,
  ServiceError,
  validation,
} from './protocol';

type Json = Record<string, unknown>;
type LineageType = 'Artifact' | 'Context' | 'Action';

interface Entity {
  lineageType: LineageType;
  arn: string;
  name?: string;
  type: string;
  source: Json;
  description?: string;
  status?: string;
  properties: Record<string, string>;
  metadataProperties?: Json;
  createdBy: Json;
  creationTime: Date;
  lastModifiedTime: Date;
  lastModifiedBy: Json;
  /** Created by SageMaker itself (does not count against the manual limits). */
  auto: boolean;
}

interface Association {
  sourceArn: string;
  destinationArn: string;
  type?: string;
  creationTime: Date;
  createdBy: Json;
  auto: boolean;
}

/** The documented limits on manually created lineage entities. */
export interface LineageLimits {
  actions: number;
  artifacts: number;
  associations: number;
  contexts: number;
}
export const SERVICE_LINEAGE_LIMITS: LineageLimits = {
  actions: 3000,
  artifacts: 6000,
  associations: 6000,
  contexts: 500,
};

const ASSOCIATION_TYPES = ['ContributedTo', 'AssociatedWith', 'DerivedFrom', 'Produced', 'SameAs'] as const;
const ACTION_STATUSES = ['Unknown', 'InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped'] as const;
const CONTEXT_NAME = /^[a-zA-Z0-9]([-_]*[a-zA-Z0-9]){0,119}$/;
const ENTITY_ARN =
  /^arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:[0-9]{12}:(experiment|experiment-trial-component|artifact|action|context)\/.*/;

/**
 * SageMaker ML Lineage Tracking, which moto lacks: artifacts, contexts, actions and associations with
 * the service's rules (one artifact per SourceUri, an entity that exists cannot be created again, the
 * manual-entity limits), QueryLineage, and the entities SageMaker creates on its own for model
 * package groups, model packages and endpoints.
 */
export class Lineage {
  private readonly entities = new Map<string, Entity>();
  private associations: Association[] = [];
  limits: LineageLimits = { ...SERVICE_LINEAGE_LIMITS };
  /** Every lineage write, for the tests and the benchmark: operation names in order. */
  readonly writes: string[] = [];

  constructor(private readonly moto: MotoClient) {}

  reset(): void {
    this.entities.clear();
    this.associations = [];
    this.writes.length = 0;
    this.limits = { ...SERVICE_LINEAGE_LIMITS };
  }

  // ---- the API ---------------------------------------------------------------------------------

  createArtifact(ctx: CallContext, body: Json): Json {
    this.writes.push('CreateArtifact');
    const source = requireSource(body);
    const type = requireString(body, 'ArtifactType', undefined, 256);
    if (body.ArtifactName !== undefined) requireString(body, 'ArtifactName', LINEAGE_NAME, 120);
    const existing = this.findBySourceUri('Artifact', String(source.SourceUri));
    if (existing) {
      throw validation(
        `An artifact with SourceUri "${String(source.SourceUri)}" already exists: ${existing.arn}.`,
      );
    }
    this.checkLimit('Artifact', 'artifacts');
    const entity = this.add(ctx, {
      lineageType: 'Artifact',
      arn: arn(ctx, `artifact/${randomBytes(16).toString('hex')}`),
      name: body.ArtifactName as string | undefined,
      type,
      source,
      properties: readProperties(body),
      metadataProperties: body.MetadataProperties as Json | undefined,
      auto: false,
    });
    return { ArtifactArn: entity.arn };
  }

  createContext(ctx: CallContext, body: Json): Json {
    this.writes.push('CreateContext');
    const name = requireString(body, 'ContextName', CONTEXT_NAME, 120);
    const source = requireSource(body);
    const type = requireString(body, 'ContextType', undefined, 256);
    const contextArn = arn(ctx, `context/${name.toLowerCase()}`);
    if (this.entities.has(contextArn)) throw validation(`Context ${contextArn} already exists.`);
    this.checkLimit('Context', 'contexts');
    this.add(ctx, {
      lineageType: 'Context',
      arn: contextArn,
      name,
      type,
      source,
      description: body.Description as string | undefined,
      properties: readProperties(body),
      auto: false,
    });
    return { ContextArn: contextArn };
  }

  createAction(ctx: CallContext, body: Json): Json {
    this.writes.push('CreateAction');
    const name = requireString(body, 'ActionName', LINEAGE_NAME, 120);
    const source = requireSource(body);
    const type = requireString(body, 'ActionType', undefined, 256);
    if (body.Status !== undefined) requireOneOf(body, 'Status', ACTION_STATUSES);
    const actionArn = arn(ctx, `action/${name.toLowerCase()}`);
    if (this.entities.has(actionArn)) throw validation(`Action ${actionArn} already exists.`);
    this.checkLimit('Action', 'actions');
    this.add(ctx, {
      lineageType: 'Action',
      arn: actionArn,
      name,
      type,
      source,
      description: body.Description as string | undefined,
      status: (body.Status as string | undefined) ?? 'Unknown',
      properties: readProperties(body),
      metadataProperties: body.MetadataProperties as Json | undefined,
      auto: false,
    });
    return { ActionArn: actionArn };
  }

  updateAction(ctx: CallContext, body: Json): Json {
    this.writes.push('UpdateAction');
    const action = this.byNameOrArn('Action', requireString(body, 'ActionName', undefined, 256));
    if (body.Status !== undefined) action.status = requireOneOf(body, 'Status', ACTION_STATUSES);
    if (typeof body.Description === 'string') action.description = body.Description;
    action.properties = { ...action.properties, ...readProperties(body) };
    for (const key of (body.PropertiesToRemove as string[] | undefined) ?? []) delete action.properties[key];
    action.lastModifiedTime = new Date();
    action.lastModifiedBy = callerIdentity(ctx);
    return { ActionArn: action.arn };
  }

  describeArtifact(_ctx: CallContext, body: Json): Json {
    const entity = this.byArn('Artifact', requireString(body, 'ArtifactArn', undefined, 256));
    return {
      ArtifactName: entity.name,
      ArtifactArn: entity.arn,
      ArtifactType: entity.type,
      ...common(entity),
    };
  }

  describeContext(_ctx: CallContext, body: Json): Json {
    const entity = this.byNameOrArn('Context', requireString(body, 'ContextName', undefined, 256));
    return {
      ContextName: entity.name,
      ContextArn: entity.arn,
      ContextType: entity.type,
      Description: entity.description,
      ...common(entity),
    };
  }

  describeAction(_ctx: CallContext, body: Json): Json {
    const entity = this.byNameOrArn('Action', requireString(body, 'ActionName', undefined, 256));
    return {
      ActionName: entity.name,
      ActionArn: entity.arn,
      ActionType: entity.type,
      Description: entity.description,
      Status: entity.status,
      ...common(entity),
    };
  }

  listArtifacts(_ctx: CallContext, body: Json): Json {
    const items = this.list('Artifact', body, body.ArtifactType).map((e) => ({
      ArtifactArn: e.arn,
      ArtifactName: e.name,
      Source: e.source,
      ArtifactType: e.type,
      CreationTime: epochSeconds(e.creationTime),
      LastModifiedTime: epochSeconds(e.lastModifiedTime),
    }));
    return paginate(items, body, 'ArtifactSummaries');
  }

  listContexts(_ctx: CallContext, body: Json): Json {
    const items = this.list('Context', body, body.ContextType).map((e) => ({
      ContextArn: e.arn,
      ContextName: e.name,
      Source: e.source,
      ContextType: e.type,
      CreationTime: epochSeconds(e.creationTime),
      LastModifiedTime: epochSeconds(e.lastModifiedTime),
    }));
    return paginate(items, body, 'ContextSummaries');
  }

  listActions(_ctx: CallContext, body: Json): Json {
    const items = this.list('Action', body, body.ActionType).map((e) => ({
      ActionArn: e.arn,
      ActionName: e.name,
      Source: e.source,
      ActionType: e.type,
      Status: e.status,
      CreationTime: epochSeconds(e.creationTime),
      LastModifiedTime: epochSeconds(e.lastModifiedTime),
    }));
    return paginate(items, body, 'ActionSummaries');
  }

  deleteEntity(lineageType: LineageType, _ctx: CallContext, body: Json): Json {
    this.writes.push(`Delete${lineageType}`);
    const key = lineageType === 'Artifact' ? 'ArtifactArn' : `${lineageType}Name`;
    const entity =
      lineageType === 'Artifact'
        ? this.byArn('Artifact', requireString(body, key, undefined, 256))
        : this.byNameOrArn(lineageType, requireString(body, key, undefined, 256));
    this.entities.delete(entity.arn);
    this.associations = this.associations.filter(
      (a) => a.sourceArn !== entity.arn && a.destinationArn !== entity.arn,
    );
    return { [`${lineageType}Arn`]: entity.arn };
  }

  addAssociation(ctx: CallContext, body: Json, auto = false): Json {
    if (!auto) this.writes.push('AddAssociation');
    const sourceArn = requireString(body, 'SourceArn', ENTITY_ARN, 256);
    const destinationArn = requireString(body, 'DestinationArn', ENTITY_ARN, 256);
    const type =
      body.AssociationType === undefined
        ? undefined
        : requireOneOf(body, 'AssociationType', ASSOCIATION_TYPES);
    for (const a of [sourceArn, destinationArn]) {
      if (!this.entities.has(a)) throw notFound(`Entity ${a} does not exist.`);
    }
    if (this.associations.some((a) => a.sourceArn === sourceArn && a.destinationArn === destinationArn)) {
      throw validation(`An association from ${sourceArn} to ${destinationArn} already exists.`);
    }
    if (!auto && this.associations.filter((a) => !a.auto).length >= this.limits.associations) {
      throw new ServiceError(
        'ResourceLimitExceeded',
        `You have reached the limit of ${this.limits.associations} associations.`,
      );
    }
    this.associations.push({
      sourceArn,
      destinationArn,
      type,
      creationTime: new Date(),
      createdBy: callerIdentity(ctx),
      auto,
    });
    return { SourceArn: sourceArn, DestinationArn: destinationArn };
  }

  deleteAssociation(_ctx: CallContext, body: Json): Json {
    this.writes.push('DeleteAssociation');
    const sourceArn = requireString(body, 'SourceArn', ENTITY_ARN, 256);
    const destinationArn = requireString(body, 'DestinationArn', ENTITY_ARN, 256);
    const before = this.associations.length;
    this.associations = this.associations.filter(
      (a) => !(a.sourceArn === sourceArn && a.destinationArn === destinationArn),
    );
    if (this.associations.length === before) {
      throw notFound(`Association from ${sourceArn} to ${destinationArn} does not exist.`);
    }
    return { SourceArn: sourceArn, DestinationArn: destinationArn };
  }

  listAssociations(_ctx: CallContext, body: Json): Json {
    const items = this.associations
      .filter(
        (a) =>
          (body.SourceArn === undefined || a.sourceArn === body.SourceArn) &&
          (body.DestinationArn === undefined || a.destinationArn === body.DestinationArn) &&
          (body.AssociationType === undefined || a.type === body.AssociationType) &&
          (body.SourceType === undefined || this.entities.get(a.sourceArn)?.type === body.SourceType) &&
          (body.DestinationType === undefined ||
            this.entities.get(a.destinationArn)?.type === body.DestinationType) &&
          inTimeRange(a.creationTime, body),
      )
      .sort(byTime(body))
      .map((a) => {
        const source = this.entities.get(a.sourceArn);
        const destination = this.entities.get(a.destinationArn);
        return {
          SourceArn: a.sourceArn,
          DestinationArn: a.destinationArn,
          SourceType: source?.type,
          DestinationType: destination?.type,
          AssociationType: a.type,
          SourceName: source?.name,
          DestinationName: destination?.name,
          CreationTime: epochSeconds(a.creationTime),
          CreatedBy: a.createdBy,
        };
      });
    return paginate(items, body, 'AssociationSummaries');
  }

  queryLineage(_ctx: CallContext, body: Json): Json {
    const startArns = (body.StartArns as string[] | undefined) ?? [];
    if (startArns.length > 1) {
      throw validation(
        "1 validation error detected: Value at 'startArns' failed to satisfy constraint: Member must have length less than or equal to 1",
      );
    }
    const direction =
      body.Direction === undefined
        ? 'Both'
        : requireOneOf(body, 'Direction', ['Both', 'Ascendants', 'Descendants'] as const);
    const maxDepth = typeof body.MaxDepth === 'number' ? body.MaxDepth : 10;
    if (maxDepth > 10 || maxDepth < 0) throw validation('MaxDepth must be between 0 and 10.');
    const includeEdges = body.IncludeEdges !== false;
    const filters = (body.Filters as Json | undefined) ?? {};
    for (const start of startArns) {
      if (!this.entities.has(start)) throw notFound(`Entity ${start} does not exist.`);
    }
    const seen = new Set<string>(startArns);
    const edges = new Map<string, Json>();
    let frontier = [...startArns];
    for (let depth = 0; depth < maxDepth && frontier.length > 0; depth++) {
      const next: string[] = [];
      for (const current of frontier) {
        for (const a of this.associations) {
          const down = a.sourceArn === current && direction !== 'Ascendants';
          const up = a.destinationArn === current && direction !== 'Descendants';
          if (!down && !up) continue;
          edges.set(`${a.sourceArn}>${a.destinationArn}`, {
            SourceArn: a.sourceArn,
            DestinationArn: a.destinationArn,
            AssociationType: a.type,
          });
          const other = down ? a.destinationArn : a.sourceArn;
          if (!seen.has(other)) {
            seen.add(other);
            next.push(other);
          }
        }
      }
      frontier = next;
    }
    const vertices = [...seen]
      .map((a) => this.entities.get(a))
      .filter((e): e is Entity => e !== undefined)
      .filter(
        (e) =>
          (!Array.isArray(filters.Types) || filters.Types.includes(e.type)) &&
          (!Array.isArray(filters.LineageTypes) || filters.LineageTypes.includes(e.lineageType)) &&
          inTimeRange(e.creationTime, filters),
      )
      .map((e) => ({ Arn: e.arn, Type: e.type, LineageType: e.lineageType }));
    const kept = new Set(vertices.map((v) => v.Arn));
    return {
      Vertices: vertices,
      Edges: includeEdges
        ? [...edges.values()].filter(
            (e) => kept.has(String(e.SourceArn)) && kept.has(String(e.DestinationArn)),
          )
        : [],
    };
  }

  // ---- what SageMaker creates on its own -------------------------------------------------------

  recordModelPackageGroup(ctx: CallContext, groupArn: string, groupName: string): Entity {
    return this.ensureAuto(
      ctx,
      'Context',
      groupArn,
      'ModelPackageGroup',
      `${groupName}-${shortHash(groupArn)}`,
    );
  }

  recordModelPackage(ctx: CallContext, described: Json): void {
    const packageArn = String(described.ModelPackageArn);
    const groupName = String(described.ModelPackageGroupName);
    const groupArn = packageArn.replace(/:model-package\/([^/]+)\/\d+$/, ':model-package-group/$1');
    const group = this.recordModelPackageGroup(ctx, groupArn, groupName);
    const artifact = this.ensureAuto(ctx, 'Artifact', packageArn, 'ModelPackage');
    this.ensureAutoAssociation(ctx, artifact.arn, group.arn, 'ContributedTo');
    const containers =
      ((described.InferenceSpecification as Json | undefined)?.Containers as Json[] | undefined) ?? [];
    for (const c of containers) {
      if (typeof c.Image === 'string') {
        const image = this.ensureAuto(ctx, 'Artifact', c.Image, 'Image');
        this.ensureAutoAssociation(ctx, image.arn, artifact.arn, 'ContributedTo');
      }
      if (typeof c.ModelDataUrl === 'string') {
        const model = this.ensureAuto(ctx, 'Artifact', c.ModelDataUrl, 'Model');
        this.ensureAutoAssociation(ctx, model.arn, artifact.arn, 'ContributedTo');
      }
    }
  }

  /** An endpoint reached InService on a config: its context, the deployment action, what it deployed. */
  async recordDeployment(
    ctx: CallContext,
    endpointArn: string,
    endpointName: string,
    configName: string,
    _variants: Json[],
  ): Promise<void> {
    const context = this.ensureAuto(
      ctx,
      'Context',
      endpointArn,
      'Endpoint',
      `${endpointName}-${shortHash(endpointArn)}`,
    );
    const configArn = endpointArn.replace(/:endpoint\/.*/, `:endpoint-config/${configName.toLowerCase()}`);
    const action = this.ensureAuto(
      ctx,
      'Action',
      configArn,
      'ModelDeployment',
      `${configName}-${shortHash(configArn)}`,
    );
    this.ensureAutoAssociation(ctx, action.arn, context.arn, 'AssociatedWith');
    const config = await this.moto.sagemaker(ctx, 'DescribeEndpointConfig', {
      EndpointConfigName: configName,
    });
    for (const variant of (config.ProductionVariants as Json[] | undefined) ?? []) {
      const model = await this.moto
        .sagemaker(ctx, 'DescribeModel', { ModelName: variant.ModelName })
        .catch((e: unknown) => (e instanceof ServiceError ? undefined : Promise.reject(e)));
      const containers = [
        model?.PrimaryContainer,
        ...((model?.Containers as Json[] | undefined) ?? []),
      ].filter((c): c is Json => typeof c === 'object' && c !== null);
      for (const c of containers) {
        const packageArn = typeof c.ModelPackageName === 'string' ? c.ModelPackageName : undefined;
        if (packageArn?.startsWith('arn:')) {
          const pkg = this.ensureAuto(ctx, 'Artifact', packageArn, 'ModelPackage');
          this.ensureAutoAssociation(ctx, pkg.arn, action.arn, 'ContributedTo');
        }
        if (typeof c.Image === 'string') {
          const image = this.ensureAuto(ctx, 'Artifact', c.Image, 'Image');
          this.ensureAutoAssociation(ctx, image.arn, action.arn, 'ContributedTo');
        }
      }
    }
  }

  // ---- internals -------------------------------------------------------------------------------

  private ensureAuto(
    ctx: CallContext,
    lineageType: LineageType,
    sourceUri: string,
    type: string,
    name?: string,
  ): Entity {
    const existing = this.findBySourceUri(lineageType, sourceUri);
    if (existing) return existing;
    const resource =
      lineageType === 'Artifact'
        ? `artifact/${randomBytes(16).toString('hex')}`
        : `${lineageType.toLowerCase()}/${(name ?? shortHash(sourceUri)).toLowerCase().slice(0, 120)}`;
    return this.add(ctx, {
      lineageType,
      arn: arn(ctx, resource),
      name: lineageType === 'Artifact' ? undefined : name,
      type,
      source: { SourceUri: sourceUri },
      status: lineageType === 'Action' ? 'Completed' : undefined,
      properties: {},
      auto: true,
    });
  }

  private ensureAutoAssociation(
    ctx: CallContext,
    sourceArn: string,
    destinationArn: string,
    type: string,
  ): void {
    if (this.associations.some((a) => a.sourceArn === sourceArn && a.destinationArn === destinationArn))
      return;
    this.addAssociation(
      ctx,
      { SourceArn: sourceArn, DestinationArn: destinationArn, AssociationType: type },
      true,
    );
  }

  private add(
    ctx: CallContext,
    e: Omit<Entity, 'createdBy' | 'creationTime' | 'lastModifiedTime' | 'lastModifiedBy'>,
  ): Entity {
    const now = new Date();
    const entity: Entity = {
      ...e,
      createdBy: callerIdentity(ctx),
      lastModifiedBy: callerIdentity(ctx),
      creationTime: now,
      lastModifiedTime: now,
    };
    this.entities.set(entity.arn, entity);
    return entity;
  }

  private checkLimit(lineageType: LineageType, limit: keyof LineageLimits): void {
    const manual = [...this.entities.values()].filter((e) => e.lineageType === lineageType && !e.auto).length;
    if (manual >= this.limits[limit]) {
      throw new ServiceError(
        'ResourceLimitExceeded',
        `You have reached the limit of ${this.limits[limit]} ${limit}.`,
      );
    }
  }

  private findBySourceUri(lineageType: LineageType, sourceUri: string): Entity | undefined {
    for (const e of this.entities.values()) {
      if (e.lineageType === lineageType && e.source.SourceUri === sourceUri) return e;
    }
    return undefined;
  }

  private byArn(lineageType: LineageType, entityArn: string): Entity {
    const entity = this.entities.get(entityArn);
    if (!entity || entity.lineageType !== lineageType)
      throw notFound(`${lineageType} ${entityArn} does not exist.`);
    return entity;
  }

  private byNameOrArn(lineageType: LineageType, nameOrArn: string): Entity {
    if (nameOrArn.startsWith('arn:')) return this.byArn(lineageType, nameOrArn);
    for (const e of this.entities.values()) {
      if (e.lineageType === lineageType && e.name?.toLowerCase() === nameOrArn.toLowerCase()) return e;
    }
    throw notFound(`${lineageType} ${nameOrArn} does not exist.`);
  }

  private list(lineageType: LineageType, body: Json, type: unknown): Entity[] {
    return [...this.entities.values()]
      .filter(
        (e) =>
          e.lineageType === lineageType &&
          (body.SourceUri === undefined || e.source.SourceUri === body.SourceUri) &&
          (type === undefined || e.type === type) &&
          inTimeRange(e.creationTime, body),
      )
      .sort((a, b) => {
        const order = body.SortOrder === 'Ascending' ? 1 : -1;
        if (body.SortBy === 'Name') return order * String(a.name).localeCompare(String(b.name));
        return order * (a.creationTime.getTime() - b.creationTime.getTime());
      });
  }
}

function common(e: Entity): Json {
  return {
    Source: e.source,
    Properties: e.properties,
    CreationTime: epochSeconds(e.creationTime),
    CreatedBy: e.createdBy,
    LastModifiedTime: epochSeconds(e.lastModifiedTime),
    LastModifiedBy: e.lastModifiedBy,
    ...(e.metadataProperties ? { MetadataProperties: e.metadataProperties } : {}),
  };
}

function requireSource(body: Json): Json {
  const source = body.Source;
  if (typeof source !== 'object' || source === null || typeof (source as Json).SourceUri !== 'string') {
    throw validation(
      "1 validation error detected: Value null at 'source.sourceUri' failed to satisfy constraint: Member must not be null",
    );
  }
  const uri = String((source as Json).SourceUri);
  if (uri.length > 2048) throw validation('SourceUri must be at most 2048 characters.');
  return source as Json;
}

function readProperties(body: Json): Record<string, string> {
  const props = (body.Properties as Record<string, unknown> | undefined) ?? {};
  const entries = Object.entries(props);
  if (entries.length > 30) {
    throw validation(
      "1 validation error detected: Value at 'properties' failed to satisfy constraint: Member must have length less than or equal to 30",
    );
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, String(v)]));
}

function inTimeRange(time: Date, body: Json): boolean {
  const t = time.getTime() / 1000;
  return (
    (typeof body.CreatedAfter !== 'number' || t > body.CreatedAfter) &&
    (typeof body.CreatedBefore !== 'number' || t < body.CreatedBefore)
  );
}

function byTime(body: Json) {
  const order = body.SortOrder === 'Ascending' ? 1 : -1;
  return (a: { creationTime: Date }, b: { creationTime: Date }) =>
    order * (a.creationTime.getTime() - b.creationTime.getTime());
}

/** List pagination: NextToken is the offset, MaxResults at most 100. */
function paginate(items: Json[], body: Json, key: string): Json {
  const start = typeof body.NextToken === 'string' ? Number(body.NextToken) || 0 : 0;
  const size = Math.min(typeof body.MaxResults === 'number' ? body.MaxResults : 10, 100);
  const page = items.slice(start, start + size);
  return { [key]: page, ...(start + size < items.length ? { NextToken: String(start + size) } : {}) };
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}
