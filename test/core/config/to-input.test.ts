import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseGovernanceConfig } from '../../../core/config/parse';
import { toInput } from '../../../core/config/to-input';

const ROOT = join(__dirname, '..', '..', '..');
const read = (file: string): unknown => JSON.parse(readFileSync(join(ROOT, file), 'utf8'));

// The JSON front end hands the constructs toInput(config): it must give back the same configuration.
it.each(['governance.config.json', 'examples/multi-account.config.json', 'demo/governance.demo.json'])(
  'toInput writes %s back in the shape it was parsed from',
  (file) => {
    const config = parseGovernanceConfig(read(file));
    expect(parseGovernanceConfig(toInput(config))).toEqual(config);
  },
);

it('keeps every kind of threshold, selector, compute and strategy', () => {
  const config = parseGovernanceConfig({
    groups: [
      {
        name: 'g',
        qualityGate: {
          thresholds: [
            { metric: 'mse', atMost: 6 },
            { metric: 'auc', group: 'Evaluation', atLeast: 0.8 },
            { metric: 'bias', absAtMost: 0.1 },
            { metric: 'f1', notWorseThanLive: { better: 'higher', margin: 0.02 } },
          ],
          liveEndpoint: 'g-b',
        },
        deployments: [
          { endpointName: 'g-a', serverless: { memorySizeMb: 3072 }, rollbackAlarms: false },
          {
            endpointName: 'g-b',
            serve: { stage: 'Production' },
            strategy: { type: 'linear', stepPercent: 25 },
            rollbackAlarms: { maxModelLatencyMs: 900 },
          },
          { endpointName: 'g-c', strategy: { type: 'canary' }, whenNoneApproved: 'delete-endpoint' },
        ],
      },
    ],
  });
  expect(parseGovernanceConfig(toInput(config))).toEqual(config);
});
