/**
 * How model cards are named, and which groups' cards need a reviewer: the constructs scope IAM and
 * event rules with these, the handlers and mgov find cards with them. Pure.
 */
import { createHash } from 'node:crypto';

/**
 * A valid SageMaker model card name for a version of any group (at most 63 characters): the group
 * name and version, shortened with a hash when that would be too long.
 */
export function modelCardName(groupName: string, version: number): string {
  return `${modelCardPrefix(groupName)}-v${version}`;
}

/**
 * What every card name of a group starts with (before `-v<version>`): the group name, or for a
 * name over 54 characters its first 47 and a hash, leaving room for versions up to 9,999,999.
 * The stack scopes the model-card handler's IAM to `model-card/<prefix>-v*`.
 */
export function modelCardPrefix(groupName: string): string {
  if (groupName.length <= 54) return groupName;
  const hash = createHash('sha256').update(groupName).digest('hex').slice(0, 6);
  return `${groupName.slice(0, 47).replace(/-+$/, '')}-${hash}`;
}

/**
 * The group (of `groups`) whose version a card is, from the card's name: exactly
 * `<prefix>-v<version>`, so the card of group "churn-v2" never passes for one of group "churn".
 */
export function groupOfCard<G extends { readonly name: string }>(
  groups: readonly G[],
  cardName: string,
): G | undefined {
  return groups.find((g) => {
    const prefix = `${modelCardPrefix(g.name)}-v`;
    return cardName.startsWith(prefix) && /^\d+$/.test(cardName.slice(prefix.length));
  });
}

/** Whether the group's cards need a reviewer's approval (some target deploys only reviewed cards). */
export function cardReviewRequired(group: {
  readonly deployments: readonly { readonly requireApprovedModelCard: boolean }[];
}): boolean {
  return group.deployments.some((d) => d.requireApprovedModelCard);
}
