/**
 * Provenance and audit timeline, read back from lineage and the registry. Pure: the adapters fetch
 * a graph; this turns it into answers and renders them as text, JSON or a Mermaid diagram.
 */

export interface LineageVertex {
  readonly arn: string;
  /** ArtifactType / ContextType / ActionType. */
  readonly type: string;
  readonly lineageType: 'Artifact' | 'Context' | 'Action' | 'TrialComponent' | string;
  readonly sourceUri?: string;
  readonly name?: string;
  readonly properties: Readonly<Record<string, string>>;
  readonly createdAt?: string;
}

export interface LineageEdge {
  readonly source: string;
  readonly destination: string;
  readonly type?: string;
}

export interface LineageGraph {
  readonly vertices: readonly LineageVertex[];
  readonly edges: readonly LineageEdge[];
}

export interface Approval {
  readonly status: string;
  readonly previousStatus?: string;
  readonly by?: string;
  readonly reason?: string;
  readonly at: string;
}

export interface Deployment {
  readonly endpoint: string;
  readonly kind: string;
  readonly version: number;
  readonly previousVersion?: number;
  readonly strategy?: string;
  readonly endpointConfig?: string;
  readonly failureReason?: string;
  readonly at: string;
}

export interface VersionProvenance {
  readonly modelPackageArn: string;
  readonly group?: string;
  readonly version?: number;
  /** What the version came from: training job, datasets, model artifacts, images. */
  readonly inputs: readonly { readonly kind: string; readonly uri: string }[];
  readonly approvals: readonly Approval[];
  readonly deployments: readonly Deployment[];
}

export interface EndpointProvenance {
  readonly endpoint: string;
  /** The version the endpoint serves now (its newest recorded deployment), if any. */
  readonly serving?: VersionProvenance;
  readonly history: readonly Deployment[];
}

const byTime = <T extends { at: string }>(a: T, b: T) => a.at.localeCompare(b.at);

export function approvalsIn(graph: LineageGraph, modelPackageArn: string): Approval[] {
  return graph.vertices
    .filter(
      (v) =>
        v.lineageType === 'Action' &&
        v.type === 'ModelApproval' &&
        v.properties.modelPackageArn === modelPackageArn,
    )
    .map((v) => ({
      status: v.properties.status ?? 'unknown',
      previousStatus: v.properties.previousStatus,
      by: v.properties.approvedBy,
      reason: v.properties.reason,
      at: v.properties.at ?? v.createdAt ?? '',
    }))
    .sort(byTime);
}

/** The monitoring executions that found violations on a version (lineage-plan.ts monitoringViolationAction). */
export function violationsIn(graph: LineageGraph, modelPackageArn: string): LineageVertex[] {
  return graph.vertices.filter(
    (v) =>
      v.lineageType === 'Action' &&
      v.type === 'GovernedMonitoringViolation' &&
      v.properties.modelPackageArn === modelPackageArn,
  );
}

export function deploymentsIn(
  graph: LineageGraph,
  filter: { modelPackageArn?: string; endpoint?: string },
): Deployment[] {
  return graph.vertices
    .filter(
      (v) =>
        v.lineageType === 'Action' &&
        v.type === 'GovernedDeployment' &&
        (!filter.modelPackageArn || v.properties.modelPackageArn === filter.modelPackageArn) &&
        (!filter.endpoint || v.properties.endpoint === filter.endpoint),
    )
    .map((v) => ({
      endpoint: v.properties.endpoint ?? '',
      kind: v.properties.kind ?? 'deployment',
      version: Number(v.properties.version),
      previousVersion: v.properties.previousVersion ? Number(v.properties.previousVersion) : undefined,
      strategy: v.properties.strategy,
      endpointConfig: v.properties.endpointConfig,
      failureReason: v.properties.failureReason,
      at: v.properties.at ?? v.createdAt ?? '',
    }))
    .sort(byTime);
}

/** The artifacts upstream of the version's artifact (model data, images, datasets, training jobs). */
export function inputsOf(graph: LineageGraph, modelPackageArn: string): { kind: string; uri: string }[] {
  const pkg = graph.vertices.find((v) => v.lineageType === 'Artifact' && v.sourceUri === modelPackageArn);
  if (!pkg) return [];
  const seen = new Set<string>([pkg.arn]);
  const inputs: { kind: string; uri: string }[] = [];
  let frontier = [pkg.arn];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const arn of frontier) {
      for (const e of graph.edges.filter((x) => x.destination === arn && !seen.has(x.source))) {
        seen.add(e.source);
        const v = graph.vertices.find((x) => x.arn === e.source);
        if (!v || v.lineageType === 'Action') continue;
        inputs.push({ kind: v.type, uri: v.sourceUri ?? v.arn });
        next.push(v.arn);
      }
    }
    frontier = next;
  }
  return inputs;
}

export function versionProvenance(graph: LineageGraph, modelPackageArn: string): VersionProvenance {
  const [, group, version] = /model-package\/([^/]+)\/(\d+)$/.exec(modelPackageArn) ?? [];
  return {
    modelPackageArn,
    group,
    version: version ? Number(version) : undefined,
    inputs: inputsOf(graph, modelPackageArn),
    approvals: approvalsIn(graph, modelPackageArn),
    deployments: deploymentsIn(graph, { modelPackageArn }),
  };
}

export function endpointProvenance(graph: LineageGraph, endpoint: string): EndpointProvenance {
  const history = deploymentsIn(graph, { endpoint });
  const live = [...history].reverse().find((d) => d.kind !== 'rolled-back');
  const liveArn = live
    ? graph.vertices.find(
        (v) =>
          v.type === 'GovernedDeployment' &&
          v.properties.endpoint === endpoint &&
          v.properties.at === live.at,
      )?.properties.modelPackageArn
    : undefined;
  return { endpoint, serving: liveArn ? versionProvenance(graph, liveArn) : undefined, history };
}

// ---- audit timeline -------------------------------------------------------------------------------

export interface TimelineEntry {
  readonly at: string;
  readonly version: number;
  readonly what:
    | 'registered'
    | 'approval'
    | 'deployment'
    | 'rollback'
    | 'rolled-back'
    | 'monitoring-violation';
  readonly text: string;
}

export interface RegisteredVersion {
  readonly arn: string;
  readonly version: number;
  readonly registeredAt: string;
  readonly registeredBy?: string;
}

/** Every version's registration, approval changes, deployments and rollbacks, in time order. */
export function auditTimeline(
  group: string,
  versions: readonly RegisteredVersion[],
  graph: LineageGraph,
): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  for (const v of versions) {
    entries.push({
      at: v.registeredAt,
      version: v.version,
      what: 'registered',
      text: `${group} v${v.version} registered${v.registeredBy ? ` by ${v.registeredBy}` : ''}`,
    });
    for (const a of approvalsIn(graph, v.arn)) {
      if (a.status === 'PendingManualApproval' && !a.previousStatus) continue; // the registration itself
      entries.push({
        at: a.at,
        version: v.version,
        what: 'approval',
        text: `${group} v${v.version} ${statusChange(a.status, a.previousStatus)}${a.by ? ` by ${a.by}` : ''}${a.reason ? `: "${a.reason}"` : ''}`,
      });
    }
    for (const d of deploymentsIn(graph, { modelPackageArn: v.arn })) {
      const what =
        d.kind === 'rollback' ? 'rollback' : d.kind === 'rolled-back' ? 'rolled-back' : 'deployment';
      const text =
        what === 'rollback'
          ? `${d.endpoint} rolled back to ${group} v${d.version}${d.previousVersion ? ` from v${d.previousVersion}` : ''}`
          : what === 'rolled-back'
            ? `${d.endpoint}: deployment rolled back by SageMaker (${d.failureReason ?? 'no reason given'})`
            : `${d.endpoint} serves ${group} v${d.version}${d.strategy ? ` (${d.strategy})` : ''}`;
      entries.push({ at: d.at, version: v.version, what, text });
    }
    for (const m of violationsIn(graph, v.arn)) {
      const p = m.properties;
      entries.push({
        at: m.createdAt ?? '',
        version: v.version,
        what: 'monitoring-violation',
        text: `${p.endpoint ?? 'endpoint'}: ${p.monitorType ?? 'a'} monitor found violations on ${group} v${v.version} (${p.checks ?? 'no checks named'}); onViolation: ${p.onViolation ?? 'notify'}${p.report ? `; report ${p.report}` : ''}`,
      });
    }
  }
  return entries.sort((a, b) => a.at.localeCompare(b.at) || a.version - b.version);
}

// ---- rendering -------------------------------------------------------------------------------------

export function renderTimelineText(entries: readonly TimelineEntry[]): string {
  return entries.map((e) => `${e.at}  ${e.what.padEnd(11)} ${e.text}`).join('\n');
}

export function renderEndpointText(p: EndpointProvenance): string {
  const lines = [`Endpoint ${p.endpoint}`];
  const s = p.serving;
  if (!s) return [...lines, '  serves no recorded version'].join('\n');
  lines.push(`  serves ${s.group} v${s.version} (${s.modelPackageArn})`);
  for (const i of s.inputs) lines.push(`  from ${i.kind}: ${i.uri}`);
  const approved = [...s.approvals].reverse().find((a) => a.status === 'Approved');
  if (approved)
    lines.push(
      `  approved by ${approved.by ?? 'unknown'} at ${approved.at}${approved.reason ? `: "${approved.reason}"` : ''}`,
    );
  lines.push('  deployments:');
  for (const d of p.history) {
    lines.push(
      `    ${d.at}  ${d.kind} v${d.version}${d.previousVersion ? ` (from v${d.previousVersion})` : ''}${d.strategy ? `, ${d.strategy}` : ''}`,
    );
  }
  return lines.join('\n');
}

export function renderVersionText(p: VersionProvenance): string {
  const lines = [`${p.group ?? 'version'} v${p.version ?? '?'} (${p.modelPackageArn})`];
  for (const i of p.inputs) lines.push(`  from ${i.kind}: ${i.uri}`);
  lines.push('  approvals:');
  for (const a of p.approvals) {
    lines.push(
      `    ${a.at}  ${statusChange(a.status, a.previousStatus)}${a.by ? ` by ${a.by}` : ''}${a.reason ? `: "${a.reason}"` : ''}`,
    );
  }
  lines.push('  deployments:');
  for (const d of p.deployments)
    lines.push(`    ${d.at}  ${d.kind} on ${d.endpoint}${d.strategy ? `, ${d.strategy}` : ''}`);
  return lines.join('\n');
}

/**
 * A Mermaid flowchart of the endpoint's provenance: inputs → version → approval → deployment →
 * endpoint. Node ids are generated (n0, n1, ...) and labels quoted, so any ARN renders.
 */
export function renderEndpointMermaid(p: EndpointProvenance): string {
  const lines = ['flowchart LR'];
  const ids = new Map<string, string>();
  const node = (key: string, label: string, shape: 'box' | 'round' | 'db' = 'box') => {
    let id = ids.get(key);
    if (!id) {
      id = `n${ids.size}`;
      ids.set(key, id);
      const text = label.replace(/"/g, "'");
      lines.push(
        shape === 'round'
          ? `  ${id}("${text}")`
          : shape === 'db'
            ? `  ${id}[("${text}")]`
            : `  ${id}["${text}"]`,
      );
    }
    return id;
  };
  const endpoint = node(`endpoint:${p.endpoint}`, `endpoint ${p.endpoint}`, 'db');
  const s = p.serving;
  if (s) {
    const version = node(`version:${s.modelPackageArn}`, `${s.group} v${s.version}`);
    for (const i of s.inputs)
      lines.push(`  ${node(`input:${i.uri}`, `${i.kind}: ${shorten(i.uri)}`)} --> ${version}`);
    const approved = [...s.approvals].reverse().find((a) => a.status === 'Approved');
    if (approved) {
      const approval = node(
        `approval:${approved.at}`,
        `approved by ${shorten(approved.by ?? 'unknown')}<br/>${approved.at}`,
        'round',
      );
      lines.push(`  ${version} --> ${approval}`);
      lines.push(`  ${approval} -->|serves| ${endpoint}`);
    } else {
      lines.push(`  ${version} -->|serves| ${endpoint}`);
    }
  }
  return lines.join('\n');
}

function shorten(text: string): string {
  return text.length <= 60 ? text : `…${text.slice(-57)}`;
}

/**
 * An approval change as people read it: "Approved (was PendingManualApproval)", and for a change that
 * kept the status (a gate decision or a check writing its metadata) "PendingManualApproval, unchanged".
 */
export function statusChange(status: string, previous: string | undefined): string {
  if (previous === undefined) return status;
  return previous === status ? `${status}, unchanged` : `${status} (was ${previous})`;
}
