import {
  DescribeActionCommand,
  DescribeArtifactCommand,
  DescribeContextCommand,
  DescribeEndpointCommand,
  ListArtifactsCommand,
  ListContextsCommand,
  QueryLineageCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type { LineageEdge, LineageGraph, LineageVertex, RegisteredVersion } from '../domain/provenance';
import { listVersions } from './endpoints';

/** The lineage graph around an entity (both directions, up to depth 10), with every vertex described. */
export async function lineageGraph(client: SageMakerClient, startArn: string): Promise<LineageGraph> {
  const vertices = new Map<string, { arn: string; type: string; lineageType: string }>();
  const edges: LineageEdge[] = [];
  let NextToken: string | undefined;
  do {
    const out = await client.send(
      new QueryLineageCommand({
        StartArns: [startArn],
        Direction: 'Both',
        IncludeEdges: true,
        MaxDepth: 10,
        MaxResults: 50,
        NextToken,
      }),
    );
    for (const v of out.Vertices ?? [])
      if (v.Arn) vertices.set(v.Arn, { arn: v.Arn, type: v.Type ?? '', lineageType: v.LineageType ?? '' });
    for (const e of out.Edges ?? [])
      if (e.SourceArn && e.DestinationArn)
        edges.push({ source: e.SourceArn, destination: e.DestinationArn, type: e.AssociationType });
    NextToken = out.NextToken;
  } while (NextToken);
  const described = await Promise.all([...vertices.values()].map((v) => describeVertex(client, v)));
  return { vertices: described, edges };
}

async function describeVertex(
  client: SageMakerClient,
  v: { arn: string; type: string; lineageType: string },
): Promise<LineageVertex> {
  const base = { arn: v.arn, type: v.type, lineageType: v.lineageType, properties: {} };
  if (v.lineageType === 'Artifact') {
    const a = await client.send(new DescribeArtifactCommand({ ArtifactArn: v.arn }));
    return {
      ...base,
      sourceUri: a.Source?.SourceUri,
      name: a.ArtifactName,
      properties: a.Properties ?? {},
      createdAt: a.CreationTime?.toISOString(),
    };
  }
  if (v.lineageType === 'Action') {
    const a = await client.send(new DescribeActionCommand({ ActionName: v.arn }));
    return {
      ...base,
      sourceUri: a.Source?.SourceUri,
      name: a.ActionName,
      properties: a.Properties ?? {},
      createdAt: a.CreationTime?.toISOString(),
    };
  }
  if (v.lineageType === 'Context') {
    const c = await client.send(new DescribeContextCommand({ ContextName: v.arn }));
    return {
      ...base,
      sourceUri: c.Source?.SourceUri,
      name: c.ContextName,
      properties: c.Properties ?? {},
      createdAt: c.CreationTime?.toISOString(),
    };
  }
  return base;
}

/** The lineage graph of an endpoint, from SageMaker's context for it. */
export async function endpointGraph(client: SageMakerClient, endpointName: string): Promise<LineageGraph> {
  const endpoint = await client.send(new DescribeEndpointCommand({ EndpointName: endpointName }));
  const contexts = await client.send(
    new ListContextsCommand({ SourceUri: endpoint.EndpointArn, MaxResults: 1 }),
  );
  const context = contexts.ContextSummaries?.[0]?.ContextArn;
  if (!context) return { vertices: [], edges: [] };
  return lineageGraph(client, context);
}

/** The lineage graph of a version, from its model package artifact. */
export async function versionGraph(client: SageMakerClient, modelPackageArn: string): Promise<LineageGraph> {
  const artifacts = await client.send(
    new ListArtifactsCommand({ SourceUri: modelPackageArn, MaxResults: 1 }),
  );
  const artifact = artifacts.ArtifactSummaries?.[0]?.ArtifactArn;
  return artifact ? lineageGraph(client, artifact) : { vertices: [], edges: [] };
}

/** The group's versions and the union of their lineage graphs (for the audit timeline). */
export async function groupHistory(
  client: SageMakerClient,
  group: string,
): Promise<{ versions: RegisteredVersion[]; graph: LineageGraph }> {
  const versions: RegisteredVersion[] = (await listVersions(client, group)).map((v) => ({
    arn: v.arn,
    version: v.version,
    registeredAt: v.creationTime.toISOString(),
  }));
  const graphs = await Promise.all(versions.map((v) => versionGraph(client, v.arn)));
  const vertices = new Map<string, LineageVertex>();
  const edges = new Map<string, LineageEdge>();
  for (const g of graphs) {
    for (const v of g.vertices) vertices.set(v.arn, v);
    for (const e of g.edges) edges.set(`${e.source}>${e.destination}`, e);
  }
  return {
    versions: versions.sort((a, b) => a.version - b.version),
    graph: { vertices: [...vertices.values()], edges: [...edges.values()] },
  };
}
