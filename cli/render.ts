/**
 * What mgov prints, as pure functions of what it read: the status table, a model card as Markdown
 * or HTML. Colour only when asked (a TTY without NO_COLOR).
 */
import type { LastMonitorResult } from '../adapters/monitoring';

import type { HoldCode } from '../domain/hold';

export interface VersionRow {
  readonly group: string;
  readonly version: number;
  readonly approvalStatus: string;
  readonly stage?: string;
  readonly cardStatus?: string;
  readonly gate?: string;
  readonly servedBy: readonly string[];
  readonly approvalDescription?: string;
  readonly registeredAt: string;
}

export interface EndpointRow {
  readonly group: string;
  readonly endpoint: string;
  /** The account the endpoint is in, when not the registry's (multi-account). */
  readonly account?: string;
  readonly status: string;
  readonly version?: number;
  readonly config?: string;
  /** When the endpoint last settled InService (DescribeEndpoint LastModifiedTime). */
  readonly settledAt?: Date;
  /** From the served version's approval to the endpoint settling on it. */
  readonly approvalToServingSeconds?: number;
  /** The newest shadow test of the target and its verdict, with the figures. */
  readonly shadowTest?: string;
  /** The version the target should serve and does not, and the gate's reason for holding it. */
  readonly held?: { readonly version: number; readonly code: HoldCode; readonly reason: string };
  /** The reconciler's newest failure on the target since the endpoint last settled (or ever, if never created). */
  readonly lastFailure?: { readonly at: Date; readonly error: string };
  /** Each monitor's newest execution (model monitoring). */
  readonly monitors?: readonly LastMonitorResult[];
}

export interface Status {
  readonly groups: readonly {
    readonly name: string;
    /** How many versions the group has; `versions` holds the newest (--limit). */
    readonly total: number;
    readonly versions: readonly VersionRow[];
  }[];
  readonly endpoints: readonly EndpointRow[];
}

const COLOURS: Record<string, string> = {
  Approved: '32',
  InService: '32',
  Rejected: '31',
  Failed: '31',
  PendingManualApproval: '33',
  Creating: '33',
  Updating: '33',
  RollingBack: '33',
};

export function table(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  colour = false,
): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[], paint: boolean) =>
    cells
      .map((c, i) => {
        const padded = i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0);
        const code = paint ? COLOURS[c] : undefined;
        return code ? `\u001b[${code}m${padded}\u001b[0m` : padded;
      })
      .join('  ')
      .trimEnd();
  return [
    line(headers, false),
    line(
      widths.map((w) => '-'.repeat(w)),
      false,
    ),
    ...rows.map((r) => line(r, colour)),
  ].join('\n');
}

/** 75 → "1m 15s", 3725 → "1h 2m". */
export function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

export function renderStatus(status: Status, colour = false): string {
  const parts: string[] = [];
  for (const g of status.groups) {
    const shown = g.versions.length < g.total ? ` (the newest ${g.versions.length} shown)` : '';
    parts.push(`${g.name}: ${g.total} version${g.total === 1 ? '' : 's'}${shown}`);
    if (g.versions.length > 0) {
      parts.push(
        table(
          ['VERSION', 'APPROVAL', 'STAGE', 'CARD', 'GATE', 'SERVED BY', 'REASON'],
          g.versions.map((v) => [
            `v${v.version}`,
            v.approvalStatus,
            v.stage ?? '-',
            v.cardStatus ?? '-',
            v.gate ?? '-',
            v.servedBy.join(', ') || '-',
            shorten(v.approvalDescription ?? '', 100),
          ]),
          colour,
        ),
      );
    }
    parts.push('');
  }
  if (status.endpoints.length > 0) {
    const accounts = status.endpoints.some((e) => e.account);
    parts.push(
      table(
        [
          'ENDPOINT',
          ...(accounts ? ['ACCOUNT'] : []),
          'GROUP',
          'STATUS',
          'SERVES',
          'CONFIG',
          'APPROVAL TO SERVING',
        ],
        status.endpoints.map((e) => [
          e.endpoint,
          ...(accounts ? [e.account ?? '-'] : []),
          e.group,
          e.status,
          e.version === undefined ? '-' : `v${e.version}`,
          e.config ?? '-',
          e.approvalToServingSeconds === undefined ? '-' : duration(e.approvalToServingSeconds),
        ]),
        colour,
      ),
    );
    for (const e of status.endpoints) {
      if (e.shadowTest) parts.push(`${e.endpoint} shadow test: ${e.shadowTest}`);
      if (e.held) parts.push(`${e.endpoint} holds v${e.held.version}: ${e.held.reason}`);
      for (const m of e.monitors ?? [])
        parts.push(
          `${e.endpoint} ${m.type} monitor: ${m.status ? `${m.status}${m.scheduledAt ? ` (scheduled ${m.scheduledAt.toISOString()})` : ''}${m.failureReason ? `: ${m.failureReason}` : ''}` : 'not run yet'}`,
        );
      if (e.lastFailure)
        parts.push(
          `${e.endpoint} reconciler failed at ${e.lastFailure.at.toISOString()}: ${e.lastFailure.error}`,
        );
    }
  }
  return parts.join('\n').trimEnd();
}

function shorten(text: string, max: number): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}

// ---- model cards ----------------------------------------------------------------------------------

type Json = Record<string, unknown>;

/** A card as sections of labelled fields and metric tables: one model, two renderings. */
interface Section {
  readonly title: string;
  readonly fields: readonly [string, string][];
  readonly tables: readonly { readonly title: string; readonly rows: readonly [string, string][] }[];
}

const LABELS: Record<string, string> = {
  model_description: 'Description',
  model_owner: 'Owner',
  model_creator: 'Creator',
  problem_type: 'Problem type',
  algorithm_type: 'Algorithm',
  model_artifact: 'Artifacts',
  inference_environment: 'Inference environment',
  purpose_of_model: 'Purpose',
  intended_uses: 'Intended uses',
  factors_affecting_model_efficiency: 'Factors affecting efficiency',
  risk_rating: 'Risk rating',
  explanations_for_risk_rating: 'Risk rating explanation',
  business_problem: 'Business problem',
  business_stakeholders: 'Stakeholders',
  line_of_business: 'Line of business',
  model_package_arn: 'Model package',
  model_package_group_name: 'Group',
  model_package_version: 'Version',
  model_approval_status: 'Approval',
  approval_description: 'Approval reason',
  created_by: 'Registered by',
};

const SECTION_TITLES: [string, string][] = [
  ['model_overview', 'Model overview'],
  ['intended_uses', 'Intended uses'],
  ['business_details', 'Business details'],
  ['model_package_details', 'Model package'],
  ['training_details', 'Training'],
  ['additional_information', 'Additional information'],
];

function cardSections(content: Json): Section[] {
  const sections: Section[] = [];
  for (const [key, title] of SECTION_TITLES) {
    const value = content[key];
    if (typeof value !== 'object' || value === null) continue;
    sections.push({ title, fields: flatten(value as Json), tables: [] });
  }
  const evaluations = Array.isArray(content.evaluation_details) ? (content.evaluation_details as Json[]) : [];
  for (const e of evaluations) {
    const fields = flatten(Object.fromEntries(Object.entries(e).filter(([k]) => k !== 'metric_groups')));
    const groups = Array.isArray(e.metric_groups) ? (e.metric_groups as Json[]) : [];
    sections.push({
      title: `Evaluation: ${String(e.name ?? 'unnamed')}`,
      fields,
      tables: groups.map((g) => ({
        title: String(g.name ?? ''),
        rows: (Array.isArray(g.metric_data) ? (g.metric_data as Json[]) : []).map(
          (m) => [String(m.name), metricValue(m)] as [string, string],
        ),
      })),
    });
  }
  return sections;
}

function metricValue(m: Json): string {
  if (m.type === 'number' && typeof m.value === 'number') return String(Number(m.value.toPrecision(6)));
  if (m.type === 'string' || m.type === 'boolean') return String(m.value);
  const size = Array.isArray(m.value) ? m.value.length : 0;
  return `(${String(m.type).replace('_', ' ')}, ${size} values)`;
}

function flatten(obj: Json, prefix = ''): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(obj)) {
    const name = LABELS[k] ?? k.replace(/_/g, ' ');
    const label = prefix ? `${prefix} / ${name}` : name;
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) {
      if (v.every((x) => typeof x !== 'object')) out.push([label, v.join(', ')]);
      else {
        for (const [i, x] of v.entries()) out.push(...flatten(x as Json, `${label} ${i + 1}`));
      }
    } else if (typeof v === 'object') out.push(...flatten(v as Json, label));
    else out.push([label, String(v)]);
  }
  return out;
}

export interface RenderedCardInput {
  readonly name: string;
  readonly status: string;
  readonly version: number;
  readonly content: Json;
}

export function cardMarkdown(card: RenderedCardInput): string {
  const lines = [
    `# Model card ${card.name}`,
    '',
    `Status: **${card.status}** (card version ${card.version})`,
  ];
  for (const s of cardSections(card.content)) {
    lines.push('', `## ${s.title}`, '');
    for (const [k, v] of s.fields) lines.push(`- **${mdEscape(k)}**: ${mdEscape(v)}`);
    for (const t of s.tables) {
      lines.push('', `### ${mdEscape(t.title)}`, '', '| metric | value |', '| --- | --- |');
      for (const [k, v] of t.rows) lines.push(`| ${mdCell(k)} | ${mdCell(v)} |`);
    }
  }
  return lines.join('\n');
}

export function cardHtml(card: RenderedCardInput): string {
  const h = htmlEscape;
  const body: string[] = [
    `<h1>Model card ${h(card.name)}</h1>`,
    `<p>Status: <strong>${h(card.status)}</strong> (card version ${card.version})</p>`,
  ];
  for (const s of cardSections(card.content)) {
    body.push(`<h2>${h(s.title)}</h2>`);
    if (s.fields.length > 0) {
      body.push('<dl>', ...s.fields.map(([k, v]) => `<dt>${h(k)}</dt><dd>${h(v)}</dd>`), '</dl>');
    }
    for (const t of s.tables) {
      body.push(`<h3>${h(t.title)}</h3>`, '<table><tr><th>metric</th><th>value</th></tr>');
      body.push(...t.rows.map(([k, v]) => `<tr><td>${h(k)}</td><td>${h(v)}</td></tr>`), '</table>');
    }
  }
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${h(card.name)}</title></head>\n<body>\n${body.join('\n')}\n</body></html>`;
}

function mdEscape(text: string): string {
  return text.replace(/([\\`*_[\]<>])/g, '\\$1');
}

function mdCell(text: string): string {
  return mdEscape(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function htmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
