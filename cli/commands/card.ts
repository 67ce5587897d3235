import { describeModelCard } from '../../adapters/model-cards';
import { modelCardName } from '../../core/model-card-naming';
import { COMMON_HELP, type Command, expectArgs, oneOf, versionNumber } from '../command';
import { CliError, findVersion } from '../registry';
import { cardHtml, cardMarkdown } from '../render';

export const card: Command = {
  help: `mgov card GROUP VERSION [--format markdown|html]

The version's model card (GROUP-vVERSION), rendered readable: Markdown (default) or a standalone HTML page.
--json prints the card's raw content and status.

${COMMON_HELP}`,
  options: ['format'],
  async run(ctx) {
    const [groupName, versionText] = expectArgs(ctx, 2, 2, 'GROUP VERSION') as [string, string];
    const n = versionNumber(versionText, ctx.command);
    const format = oneOf(ctx.values.format ?? 'markdown', ['markdown', 'html'], ctx.command);
    await findVersion(ctx.sagemaker, groupName, n);
    const name = modelCardName(groupName, n);
    const found = await describeModelCard(ctx.sagemaker, name);
    if (!found) {
      throw new CliError(
        `${groupName} v${n} has no model card (${name}) yet.`,
        'the model-cards handler writes it when the version is registered; is the stack deployed (or npm run local running)?',
      );
    }
    const input = {
      name,
      status: found.status,
      version: found.version,
      content: found.content as Record<string, unknown>,
    };
    ctx.print(input, () => (format === 'html' ? cardHtml(input) : cardMarkdown(input)));
  },
};
