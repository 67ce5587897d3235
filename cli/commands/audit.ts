import { groupHistory } from '../../adapters/provenance';
import { auditTimeline, renderTimelineText } from '../../domain/provenance';
import { COMMON_HELP, type Command, expectArgs, oneOf } from '../command';

export const audit: Command = {
  help: `mgov audit GROUP [--format text|json]

The group's registrations, approval changes (including quality-gate and separation-of-duties
decisions, with their reasons), deployments and rollbacks, in time order.

${COMMON_HELP}`,
  options: ['format'],
  async run(ctx) {
    const [group] = expectArgs(ctx, 1, 1, 'GROUP') as [string];
    const format = oneOf(ctx.values.format ?? (ctx.json ? 'json' : 'text'), ['text', 'json'], ctx.command);
    const { versions, graph } = await groupHistory(ctx.sagemaker, group);
    const timeline = auditTimeline(group, versions, graph);
    ctx.io.out(format === 'json' ? JSON.stringify(timeline, null, 2) : renderTimelineText(timeline));
  },
};
