import type { Construct } from 'constructs';

/**
 * The children a governance construct builds from its configuration. Building again (after
 * `addGroup()`) removes exactly those and builds them anew under the same ids, so the template is
 * the one the whole configuration makes, and children someone else added to the construct stay.
 */
export class BuiltChildren {
  private ids: readonly string[] = [];

  constructor(private readonly owner: Construct) {}

  /** Removes what the last build made, then builds and remembers what this build makes. */
  replace<T>(build: () => T): T {
    for (const id of this.ids) this.owner.node.tryRemoveChild(id);
    const before = new Set(this.owner.node.children.map((c) => c.node.id));
    const result = build();
    this.ids = this.owner.node.children.map((c) => c.node.id).filter((id) => !before.has(id));
    return result;
  }
}
