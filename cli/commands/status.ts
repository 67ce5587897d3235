import { COMMON_HELP, type Command, colour, expectArgs, positiveInt } from '../command';
import { findGroupConfig, readStatus } from '../registry';
import { renderStatus } from '../render';

export const status: Command = {
  help: `mgov status [GROUP] [--limit N] [--json]

The governed groups (all, or GROUP), their newest versions (N, default 10) with approval status,
lifecycle stage, model card status, quality-gate decision and the endpoints serving them, then every
deployment target's endpoint and the version it serves.

${COMMON_HELP}`,
  options: ['limit'],
  async run(ctx) {
    const [group] = expectArgs(ctx, 0, 1, 'GROUP');
    const cfg = ctx.config();
    const groups = group ? [findGroupConfig(cfg, group)] : cfg.groups;
    const limit = positiveInt(ctx.values.limit ?? '10', '--limit', ctx.command);
    const result = await readStatus(ctx.sagemaker, groups, {
      limit,
      registryAccount: cfg.registry?.account,
      clientFor: ctx.clientFor,
    });
    ctx.print(result, () => renderStatus(result, colour(ctx.io)));
  },
};
