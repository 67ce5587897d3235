#!/usr/bin/env node
/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy`.
 * Configuration: governance.config.json, or another file with `-c config=path/to/file.json`.
 */
import { App } from 'aws-cdk-lib';
import { buildGovernanceApp } from '../lib/app';
import { loadGovernanceConfig } from '../lib/config/load';
import { ConfigurationError } from '../lib/config/parse';

const context = new App();
const configPath = (context.node.tryGetContext('config') as string | undefined) ?? 'governance.config.json';
const stackName = context.node.tryGetContext('stackName') as string | undefined;

try {
  const { app } = buildGovernanceApp({ config: loadGovernanceConfig(configPath), stackName });
  app.synth();
} catch (error) {
  if (error instanceof ConfigurationError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
