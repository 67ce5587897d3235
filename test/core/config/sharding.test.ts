/**
 * Splitting many groups over stacks: stable and bounded. That 500 groups synthesize within
 * CloudFormation's limits is a figure of the bench (npm run bench scale), which fails when they do not.
 */
import { type ConfigurationError, parseGovernanceConfig } from '../../../core/config/parse';
import { groupsByStack, MAX_GROUPS_PER_STACK, stacksNeeded } from '../../../core/config/sharding';

const names = (n: number, prefix = 'group') =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);

it('keeps every group in its stack when other groups come and go', () => {
  const before = names(300);
  const after = [...before.filter((_, i) => i % 7 !== 0), ...names(40, 'new')];
  const byStack = (list: string[]) =>
    new Map(
      groupsByStack({ stacks: 6, groups: list.map((name) => ({ name }) as never) }).flatMap((g, i) =>
        g.map((x) => [x.name, i]),
      ),
    );
  const a = byStack(before);
  const b = byStack(after);
  let kept = 0;
  for (const [name, i] of b) {
    if (!a.has(name)) continue;
    expect(a.get(name)).toBe(i);
    kept++;
  }
  expect(kept).toBe(257);
  expect(new Set(a.values()).size).toBe(6);
});

it('refuses one stack with too many groups, and says how many stacks to use', () => {
  const groups = names(130).map((name) => ({ name }));
  let problems: readonly string[] = [];
  try {
    parseGovernanceConfig({ groups });
  } catch (e) {
    problems = (e as ConfigurationError).problems;
  }
  const needed = stacksNeeded(groups.map((g) => g.name));
  expect(problems).toEqual([
    `stacks: is 1 (the default), so one stack would hold 130 groups; CloudFormation allows 500 resources and 1 MB per stack, which about ${MAX_GROUPS_PER_STACK} groups fill. Set "stacks": ${needed} to split the 130 groups over ${needed} stacks.`,
  ]);
  const ok = parseGovernanceConfig({ groups, stacks: needed });
  expect(Math.max(...groupsByStack(ok).map((g) => g.length))).toBeLessThanOrEqual(MAX_GROUPS_PER_STACK);
});
