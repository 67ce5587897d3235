import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildGovernanceApp } from '../../bin/governance-app';
import type { GovernanceStack } from '../../constructs/governance-stack';
import { parseGovernanceConfig } from '../../core/config/parse';

/** Synthesizes the whole app (with cdk-nag) from raw configuration JSON, into a fresh directory. */
export function synthGovernance(raw: unknown): {
  stack: GovernanceStack;
  template: Template;
  outdir: string;
} {
  const outdir = mkdtempSync(join(tmpdir(), 'mgov-synth-'));
  const { app, stack } = buildGovernanceApp({ config: parseGovernanceConfig(raw), appProps: { outdir } });
  app.synth();
  return { stack, template: Template.fromStack(stack), outdir };
}
