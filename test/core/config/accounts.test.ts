import {
  accountsSharedWith,
  deploymentAccounts,
  groupsDeployedIn,
  isMultiAccount,
} from '../../../core/config/accounts';
import { parseGovernanceConfig } from '../../../core/config/parse';

const REGISTRY = '111111111111';
const config = parseGovernanceConfig({
  registry: { account: REGISTRY, region: 'eu-west-1' },
  groups: [
    {
      name: 'churn',
      shareWithAccounts: ['444444444444', '222222222222'],
      deployments: [
        { endpointName: 'churn-dev' },
        { endpointName: 'churn-staging', account: '222222222222' },
        { endpointName: 'churn-prod', account: '333333333333' },
      ],
    },
    { name: 'fraud', deployments: [{ endpointName: 'fraud-prod', account: '333333333333' }] },
    { name: 'archive-only' },
  ],
});

it('knows a configuration with targets in other accounts, and only then', () => {
  expect(isMultiAccount(config)).toBe(true);
  expect(
    isMultiAccount(parseGovernanceConfig({ groups: [{ name: 'g', deployments: [{ endpointName: 'e' }] }] })),
  ).toBe(false);
  const sameAccount = parseGovernanceConfig({
    registry: { account: REGISTRY, region: 'eu-west-1' },
    groups: [{ name: 'g', deployments: [{ endpointName: 'e', account: REGISTRY }] }],
  });
  expect(isMultiAccount(sameAccount)).toBe(false);
});

it('lists every account with targets, the registry first when it has some', () => {
  expect(deploymentAccounts(config)).toEqual([REGISTRY, '222222222222', '333333333333']);
});

it('gives each account only its own targets, and leaves out groups with none there', () => {
  const prod = groupsDeployedIn(config, REGISTRY, '333333333333');
  expect(prod.map((g) => [g.name, g.deployments.map((d) => d.endpointName)])).toEqual([
    ['churn', ['churn-prod']],
    ['fraud', ['fraud-prod']],
  ]);
  expect(groupsDeployedIn(config, REGISTRY, REGISTRY).map((g) => g.name)).toEqual(['churn']);
});

it("shares a group with the listed accounts and its deployment accounts, once each, never the registry's own", () => {
  const [churn, fraud, archive] = config.groups;
  if (!churn || !fraud || !archive) throw new Error('groups missing');
  expect(accountsSharedWith(churn, REGISTRY)).toEqual(['444444444444', '222222222222', '333333333333']);
  expect(accountsSharedWith(fraud, REGISTRY)).toEqual(['333333333333']);
  expect(accountsSharedWith(archive, REGISTRY)).toEqual([]);
});
