/**
 * The closed sets SageMaker's service model gives the fields we pass it, and the configuration's
 * checks against them:
 * - core/config/service-enums.generated.ts is what scripts/generate-service-enums.ts makes of the
 *   installed @aws-sdk/client-sagemaker (`npm run generate:enums` after an SDK upgrade);
 * - every instance type the model lists is accepted and anything else is refused at the field, with
 *   the nearest valid types; shadow tests run on the target's instance type, so they share the check;
 * - the strategy types are the model's TrafficRoutingConfigType, all of them.
 */
import { readFileSync } from 'node:fs';
import { TrafficRoutingConfigType } from '@aws-sdk/client-sagemaker';
import { ConfigurationError, parseGovernanceConfig } from '../../../core/config/parse';
import { ModelCardStatus, ProductionVariantInstanceType } from '../../../core/config/service-enums.generated';
import { PENDING_CARD_STATUSES, STRATEGY_TYPES } from '../../../core/config/types';
import { nearest } from '../../../core/suggest';
import { ENUMS_FILE, renderServiceEnums } from '../../../scripts/generate-service-enums';

const TYPE = 'groups[0].deployments[0].instances.type';

function withTarget(deployment: Record<string, unknown>) {
  return { groups: [{ name: 'churn', deployments: [{ endpointName: 'churn-prod', ...deployment }] }] };
}

function problemsOf(raw: unknown): string[] {
  try {
    parseGovernanceConfig(raw);
  } catch (error) {
    if (error instanceof ConfigurationError) return [...error.problems];
    throw error;
  }
  return [];
}

it('the generated enums are in step with the SageMaker model the SDK ships', () => {
  expect(readFileSync(ENUMS_FILE, 'utf8')).toBe(renderServiceEnums());
  expect(ProductionVariantInstanceType).toContain('ml.m5.large');
});

describe('instances.type', () => {
  it('accepts every instance type of the model', () => {
    for (const type of ProductionVariantInstanceType) {
      expect(problemsOf(withTarget({ instances: { type } }))).toEqual([]);
    }
  });

  it.each([
    ['ml.c5.huge', ['ml.c5.large', 'ml.c5.xlarge']],
    ['ml.m5.larg', ['ml.m5.large']],
    ['ml.g5.12xl', ['ml.g5.12xlarge']],
    ['m5.large', ['ml.m5.large']],
  ])('refuses "%s" at the field, suggesting %j', (type, suggested) => {
    const problems = problemsOf(withTarget({ instances: { type } }));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.startsWith(`${TYPE}: "${type}"`)).toBe(true);
    for (const s of suggested) expect(problems[0]).toContain(`"${s}"`);
  });

  it('refuses it for a target with a shadow test (the shadow variant runs on the same type)', () => {
    const problems = problemsOf(withTarget({ instances: { type: 'ml.c5.huge' }, shadow: { minutes: 60 } }));
    expect(problems.map((p) => p.split(':')[0])).toEqual([TYPE]);
  });

  it('asks no instance type of a serverless target', () => {
    expect(problemsOf(withTarget({ serverless: { memorySizeMb: 2048 } }))).toEqual([]);
  });

  it('nearest prefers the same family on a tie', () => {
    expect(nearest('ml.c5.huge', ProductionVariantInstanceType, 2)).toEqual(['ml.c5.large', 'ml.c5.xlarge']);
  });
});

describe('other closed sets', () => {
  it('strategy.type is each of the model’s TrafficRoutingConfigType, and a near miss is named', () => {
    expect(STRATEGY_TYPES.map((t) => t.toUpperCase().replaceAll('-', '_')).sort()).toEqual(
      Object.values(TrafficRoutingConfigType).sort(),
    );
    const problems = problemsOf(withTarget({ strategy: { type: 'canery' } }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^groups\[0\]\.deployments\[0\]\.strategy\.type: .*"canary"/);
  });

  it('a pending card status is one the model’s ModelCardStatus has', () => {
    for (const s of PENDING_CARD_STATUSES) expect(ModelCardStatus).toContain(s);
  });
});
