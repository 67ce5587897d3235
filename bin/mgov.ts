#!/usr/bin/env node
/**
 * mgov: read model-governance's records. Works against a real account (default credential chain,
 * AWS_REGION / AWS_PROFILE) and against local mode (AWS_ENDPOINT_URL).
 *
 *   mgov lineage --endpoint NAME [--format text|json|mermaid]
 *   mgov lineage --version MODEL_PACKAGE_ARN [--format text|json]
 *   mgov audit GROUP [--format text|json]
 */
import { parseArgs } from 'node:util';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { endpointGraph, groupHistory, versionGraph } from '../lambda/adapters/provenance';
import {
  auditTimeline,
  endpointProvenance,
  renderEndpointMermaid,
  renderEndpointText,
  renderTimelineText,
  renderVersionText,
  versionProvenance,
} from '../lambda/core/provenance';

const USAGE = `Usage:
  mgov lineage --endpoint NAME [--format text|json|mermaid]   what an endpoint serves, where it came from, who approved it
  mgov lineage --version ARN [--format text|json]             a version's inputs, approvals and deployments
  mgov audit GROUP [--format text|json]                       a group's registrations, approvals, deployments and rollbacks, in time order
Options: --region REGION, --profile PROFILE (or the AWS_* environment; AWS_ENDPOINT_URL for local mode)`;

class UsageError extends Error {}

export async function main(argv: string[], out: (text: string) => void): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      endpoint: { type: 'string' },
      version: { type: 'string' },
      format: { type: 'string', default: 'text' },
      region: { type: 'string' },
      profile: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) return out(USAGE);
  if (values.profile) process.env.AWS_PROFILE = values.profile;
  const client = new SageMakerClient(values.region ? { region: values.region } : {});
  const format = values.format ?? 'text';
  const allowed = command === 'lineage' && values.endpoint ? ['text', 'json', 'mermaid'] : ['text', 'json'];
  if (!allowed.includes(format))
    throw new UsageError(`--format ${format} is not available here; use one of ${allowed.join(', ')}.`);

  if (command === 'lineage') {
    if (values.endpoint) {
      const p = endpointProvenance(await endpointGraph(client, values.endpoint), values.endpoint);
      return out(
        format === 'json'
          ? JSON.stringify(p, null, 2)
          : format === 'mermaid'
            ? renderEndpointMermaid(p)
            : renderEndpointText(p),
      );
    }
    if (values.version) {
      const p = versionProvenance(await versionGraph(client, values.version), values.version);
      return out(format === 'json' ? JSON.stringify(p, null, 2) : renderVersionText(p));
    }
    throw new UsageError('lineage needs --endpoint NAME or --version MODEL_PACKAGE_ARN.');
  }
  if (command === 'audit') {
    const [group] = rest;
    if (!group) throw new UsageError('audit needs a group name: mgov audit GROUP.');
    const { versions, graph } = await groupHistory(client, group);
    const timeline = auditTimeline(group, versions, graph);
    return out(format === 'json' ? JSON.stringify(timeline, null, 2) : renderTimelineText(timeline));
  }
  throw new UsageError(`unknown command "${command}".`);
}

if (require.main === module) {
  main(process.argv.slice(2), (text) => console.log(text)).catch((error: unknown) => {
    if (error instanceof UsageError || (error as Error).name === 'TypeError') {
      console.error(`mgov: ${(error as Error).message}\n\n${USAGE}`);
    } else {
      console.error(`mgov: ${(error as Error).name}: ${(error as Error).message}`);
      console.error('hint: check your credentials and region, or AWS_ENDPOINT_URL for local mode.');
    }
    process.exit(1);
  });
}
