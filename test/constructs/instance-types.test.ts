/**
 * A plausible but wrong instance type stops `cdk synth`, naming the field and the nearest types the
 * service model offers, both for the JSON-configured app and for a team's own app that embeds the
 * constructs; it never reaches a deployed reconciler to fail there.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { ModelGovernance } from '../../constructs/model-governance';
import { ConfigurationError } from '../../core/config/parse';

const ROOT = join(__dirname, '..', '..');
const FIELD = 'groups[0].deployments[0].instances.type';

it('npx cdk synth of the JSON-configured app fails on "ml.c5.huge", naming the field and ml.c5.large', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mgov-bad-type-'));
  const config = join(dir, 'governance.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      groups: [
        { name: 'churn', deployments: [{ endpointName: 'churn-prod', instances: { type: 'ml.c5.huge' } }] },
      ],
    }),
  );
  const synth = spawnSync(
    'npx',
    ['cdk', 'synth', '-q', '-c', `config=${config}`, '-o', join(dir, 'cdk.out')],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  expect(synth.status).not.toBe(0);
  expect(synth.stderr).toContain(`${FIELD}: "ml.c5.huge"`);
  expect(synth.stderr).toContain('"ml.c5.large"');
});

it('an app embedding ModelGovernance is refused with the same problem', () => {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'mgov-bad-type-')) });
  const stack = new Stack(app, 'MlPlatform');
  let thrown: unknown;
  try {
    // The construct builds its resources in its constructor, so the configuration is refused there.
    new ModelGovernance(stack, 'Governance', {
      groups: [
        { name: 'churn', deployments: [{ endpointName: 'churn-prod', instances: { type: 'ml.c5.huge' } }] },
      ],
    });
    app.synth();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ConfigurationError);
  expect((thrown as ConfigurationError).problems.map((p) => p.split(':')[0])).toEqual([FIELD]);
});
