#!/usr/bin/env node
/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy`.
 * Configuration: governance.config.json, or another file with `-c config=path/to/file.json`.
 */
import { App } from 'aws-cdk-lib';
import { loadGovernanceConfig } from '../core/config/load';
import { ConfigurationError } from '../core/config/parse';
import { buildGovernanceApp } from './governance-app';

const app = new App();
const configPath = (app.node.tryGetContext('config') as string | undefined) ?? 'governance.config.json';
const stackName = app.node.tryGetContext('stackName') as string | undefined;

try {
  buildGovernanceApp({ app, config: loadGovernanceConfig(configPath), stackName });
  app.synth();
} catch (error) {
  if (error instanceof ConfigurationError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
