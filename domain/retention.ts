/**
 * Housekeeping: which of the target's configs (or models), by name, may go. Keeps the one in use,
 * the one being deployed, and the newest `keep` other versions; never touches names that are not ours.
 */
export function namesToDelete(
  names: readonly string[],
  versionOf: (name: string) => number | undefined,
  protectedNames: readonly string[],
  keep: number,
): string[] {
  const protectedVersions = new Set(
    protectedNames.map(versionOf).filter((v): v is number => v !== undefined),
  );
  const others = [
    ...new Set(names.map(versionOf).filter((v): v is number => v !== undefined && !protectedVersions.has(v))),
  ].sort((a, b) => b - a);
  const kept = new Set([...protectedVersions, ...others.slice(0, keep)]);
  return names.filter((n) => {
    const v = versionOf(n);
    return v !== undefined && !kept.has(v) && !protectedNames.includes(n);
  });
}
