import { endpointGraph, versionGraph } from '../../adapters/provenance';
import {
  endpointProvenance,
  renderEndpointMermaid,
  renderEndpointText,
  renderVersionText,
  versionProvenance,
} from '../../domain/provenance';
import { COMMON_HELP, type Command, expectArgs, oneOf, UsageError } from '../command';

export const lineage: Command = {
  help: `mgov lineage --endpoint NAME [--format text|json|mermaid]
mgov lineage --version MODEL_PACKAGE_ARN [--format text|json]

What an endpoint serves and where it came from (version, approvals, deployments, rollbacks), or
one version's inputs, approvals and deployments, from SageMaker ML Lineage Tracking.

${COMMON_HELP}`,
  options: ['endpoint', 'version', 'format'],
  async run(ctx) {
    const { values, command, io } = ctx;
    expectArgs(ctx, 0, 0, '');
    const fallback = ctx.json ? 'json' : 'text';
    if (values.endpoint) {
      const format = oneOf(values.format ?? fallback, ['text', 'json', 'mermaid'], command);
      const p = endpointProvenance(await endpointGraph(ctx.sagemaker, values.endpoint), values.endpoint);
      return io.out(
        format === 'json'
          ? JSON.stringify(p, null, 2)
          : format === 'mermaid'
            ? renderEndpointMermaid(p)
            : renderEndpointText(p),
      );
    }
    if (values.version) {
      const format = oneOf(values.format ?? fallback, ['text', 'json'], command);
      const p = versionProvenance(await versionGraph(ctx.sagemaker, values.version), values.version);
      return io.out(format === 'json' ? JSON.stringify(p, null, 2) : renderVersionText(p));
    }
    throw new UsageError('lineage needs --endpoint NAME or --version MODEL_PACKAGE_ARN.', command);
  },
};
