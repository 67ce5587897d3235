import { createHash } from 'node:crypto';
import type { GovernanceConfig, ModelPackageGroupConfig } from './types';

/**
 * Groups per stack that stay inside CloudFormation's limits: measured with every optional feature
 * on (63-character names, two targets each with rollback alarms, a quality gate comparing with the
 * live version, separation of duties, a card gate), a stack of 60 groups is 695 KB and 401 resources
 * (limits: 1 MB and 500). `npm run bench` prints the figures.
 */
export const MAX_GROUPS_PER_STACK = 60;

/** The stack (0-based) a group belongs to: fixed by its name, whatever other groups there are. */
export function stackIndexOf(groupName: string, stacks: number): number {
  if (stacks <= 1) return 0;
  const hash = createHash('sha256').update(groupName).digest();
  return hash.readUInt32BE(0) % stacks;
}

/** The groups of each stack, in configuration order. */
export function groupsByStack(
  config: Pick<GovernanceConfig, 'groups' | 'stacks'>,
): ModelPackageGroupConfig[][] {
  const shards: ModelPackageGroupConfig[][] = Array.from({ length: Math.max(1, config.stacks) }, () => []);
  for (const g of config.groups) shards[stackIndexOf(g.name, config.stacks)]?.push(g);
  return shards;
}

/** The smallest number of stacks (at most 50) that keeps every stack within MAX_GROUPS_PER_STACK. */
export function stacksNeeded(groupNames: readonly string[]): number {
  for (let n = Math.max(1, Math.ceil(groupNames.length / MAX_GROUPS_PER_STACK)); n <= 50; n++) {
    const counts = new Array<number>(n).fill(0);
    for (const name of groupNames) counts[stackIndexOf(name, n)] = (counts[stackIndexOf(name, n)] ?? 0) + 1;
    if (Math.max(...counts) <= MAX_GROUPS_PER_STACK) return n;
  }
  return 50;
}
