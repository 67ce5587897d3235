import { expectedMinutes, followTimeoutMinutes } from '../../cli/follow';
import { renderStatus } from '../../cli/render';
import { parseGovernanceConfig } from '../../core/config/parse';

const targets =
  parseGovernanceConfig({
    groups: [
      {
        name: 'g',
        deployments: [
          { endpointName: 'once' },
          {
            endpointName: 'canary',
            strategy: { type: 'canary', waitMinutes: 10, terminationWaitMinutes: 5 },
          },
          { endpointName: 'linear', strategy: { type: 'linear', stepPercent: 25, waitMinutes: 5 } },
          { endpointName: 'shadowed', shadow: { minutes: 60 } },
        ],
      },
    ],
  }).groups[0]?.deployments ?? [];

it('allows each target its creation, traffic shifting, termination wait and shadow test', () => {
  expect(targets.map((t) => [t.endpointName, expectedMinutes(t)])).toEqual([
    ['once', 15 + 5],
    ['canary', 15 + 10 + 5],
    ['linear', 15 + 4 * 5 + 5],
    ['shadowed', 15 + 5 + 60],
  ]);
  expect(followTimeoutMinutes(targets)).toBe(80);
  expect(followTimeoutMinutes(targets.slice(0, 1))).toBe(20);
});

it('counts every version of a group when --limit shows fewer', () => {
  const version = (n: number) => ({
    group: 'g',
    version: n,
    approvalStatus: 'Approved',
    servedBy: [],
    registeredAt: '2026-12-04T10:00:00.000Z',
  });
  const text = (total: number, shown: number) =>
    renderStatus({
      groups: [{ name: 'g', total, versions: Array.from({ length: shown }, (_, i) => version(total - i)) }],
      endpoints: [],
    }).split('\n')[0];
  expect(text(3, 2)).toBe('g: 3 versions (the newest 2 shown)');
  expect(text(1, 1)).toBe('g: 1 version');
});
