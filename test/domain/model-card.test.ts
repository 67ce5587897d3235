import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseGovernanceConfig } from '../../core/config/parse';
import type { ModelPackageGroupConfig } from '../../core/config/types';
import { groupOfCard, modelCardName } from '../../core/model-card-naming';
import { translateMetrics } from '../../domain/metrics';
import {
  type CardInputs,
  type CardVersion,
  cardWrites,
  type Evaluation,
  MODEL_CARD_CONTENT_LIMIT,
  modelCardStatus,
  renderModelCard,
} from '../../domain/model-card';
import { validateModelCardContent } from '../../domain/model-card-validate';
import { generatedValidatorSource } from '../../scripts/model-card-schema-compile';
import { readReference } from '../harness/reference';

const SAMPLES = [
  ['ModelQuality.Statistics', 'model-monitor-model-quality.binary-classification.sdk-test.json'],
  ['ModelQuality.Constraints', 'model-monitor-model-quality.constraints.regression.good.sdk-test.json'],
  ['ModelDataQuality.Statistics', 'model-monitor-data-quality.statistics.sdk-test.json'],
  ['ModelDataQuality.Constraints', 'model-monitor-data-quality.constraints.good.sdk-test.json'],
  ['Bias.Report', 'clarify-bias-report.sdk-test.json'],
  ['Explainability.Report', 'clarify-explainability-report.sdk-test.json'],
] as const;

function group(raw: Record<string, unknown> = {}): ModelPackageGroupConfig {
  const g = parseGovernanceConfig({ groups: [{ name: 'churn', ...raw }] }).groups[0];
  if (!g) throw new Error('no group');
  return g;
}

const minimalVersion: CardVersion = {
  arn: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/1',
  groupName: 'churn',
  version: 1,
  approvalStatus: 'PendingManualApproval',
  containers: [],
  customerMetadata: {},
};

const maximalVersion: CardVersion = {
  ...minimalVersion,
  version: 7,
  arn: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/7',
  description: 'XGBoost churn model, 2026-11 retrain',
  approvalStatus: 'Approved',
  approvalDescription: 'AUC 0.91 on holdout',
  createdBy: 'arn:aws:iam::123456789012:user/pipeline',
  containers: [
    {
      image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
      modelDataUrl: 's3://models/churn/7/model.tar.gz',
      framework: 'XGBOOST',
      frameworkVersion: '1.7',
    },
  ],
  customerMetadata: { problem_type: 'Binary classification', risk_rating: 'High' },
  task: 'CLASSIFICATION',
};

function evaluations(): Evaluation[] {
  return SAMPLES.map(([slot, file]) => {
    const t = translateMetrics(readReference(`metrics/${file}`));
    if (!t.ok) throw new Error(t.reason);
    return { slot, s3Uri: `s3://metrics/${file}`, groups: t.groups };
  });
}

const maximal = (): CardInputs => ({
  version: maximalVersion,
  group: group({
    description: 'Churn',
    modelCard: {
      owner: 'growth-ml@example.com',
      riskRating: 'Medium',
      purpose: 'Rank subscribers by churn risk',
      intendedUses: 'Retention outreach only',
      factorsAffectingEfficiency: 'Seasonality',
      riskRatingExplanation: 'Affects offers',
      businessProblem: 'Churn',
      businessStakeholders: 'Retention team',
      lineOfBusiness: 'Consumer',
    },
  }),
  training: {
    jobArn: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/churn-7',
    datasets: ['s3://data/train/'],
    images: ['683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1'],
    metrics: [{ name: 'validation:auc', value: 0.91 }],
    hyperParameters: { max_depth: '5', eta: '0.2' },
  },
  evaluations: evaluations(),
  unreadable: [],
});

describe('renderModelCard', () => {
  it('builds a valid card for a minimal version', () => {
    const { content, omitted } = renderModelCard({
      version: minimalVersion,
      group: group(),
      evaluations: [],
      unreadable: [],
    });
    expect(omitted).toEqual([]);
    expect(validateModelCardContent(content)).toEqual([]);
    expect(content).toEqual({
      model_overview: { model_description: 'Governed by model-governance: churn' },
      intended_uses: { risk_rating: 'Unknown' },
      model_package_details: {
        model_package_arn: minimalVersion.arn,
        model_package_group_name: 'churn',
        model_package_version: 1,
        model_approval_status: 'PendingManualApproval',
      },
      additional_information: {
        custom_details: {
          generated_by: 'model-governance, from the SageMaker Model Registry',
          model_package_arn: minimalVersion.arn,
        },
      },
    });
  });

  it('builds a valid card for a maximal version: every section, every metrics format', () => {
    const { content, omitted } = renderModelCard(maximal());
    expect(omitted).toEqual([]);
    expect(validateModelCardContent(content)).toEqual([]);
    expect(content.model_overview).toEqual({
      model_description: 'XGBoost churn model, 2026-11 retrain',
      model_creator: 'arn:aws:iam::123456789012:user/pipeline',
      model_owner: 'growth-ml@example.com',
      model_artifact: ['s3://models/churn/7/model.tar.gz'],
      algorithm_type: 'sagemaker-xgboost:1.7-1',
      problem_type: 'Binary classification',
    });
    // The version's own metadata wins over the group's defaults.
    expect(content.intended_uses).toMatchObject({
      risk_rating: 'High',
      purpose_of_model: 'Rank subscribers by churn risk',
    });
    expect(content.business_details).toEqual({
      business_problem: 'Churn',
      business_stakeholders: 'Retention team',
      line_of_business: 'Consumer',
    });
    expect(content.training_details).toMatchObject({
      training_job_details: {
        training_arn: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/churn-7',
        hyper_parameters: [
          { name: 'max_depth', value: '5' },
          { name: 'eta', value: '0.2' },
        ],
      },
    });
    expect((content.evaluation_details as { name: string }[]).map((e) => e.name)).toEqual(
      SAMPLES.map(([slot]) => slot),
    );
    expect(content.model_package_details).toMatchObject({
      model_approval_status: 'Approved',
      approval_description: 'AUC 0.91 on holdout',
    });
    // The creator (an IAM identity here) is model_overview.model_creator, not passed off as a Studio user profile.
    expect(content.model_package_details).not.toHaveProperty('created_by');
  });

  it('says in the card what it could not read', () => {
    const { content } = renderModelCard({
      version: minimalVersion,
      group: group(),
      evaluations: [],
      unreadable: ['s3://m/x.json (AccessDenied)'],
    });
    expect(content.additional_information).toMatchObject({
      caveats_and_recommendations: 'Could not read s3://m/x.json (AccessDenied).',
    });
    expect(validateModelCardContent(content)).toEqual([]);
  });

  it('stays under 100,000 characters by dropping the least important detail first, and says so', () => {
    const big = maximal();
    const many = Array.from(
      { length: 30 },
      (_, i) => ({ ...big.evaluations[2], slot: `ModelDataQuality.Statistics ${i}` }) as Evaluation,
    );
    const { content, omitted } = renderModelCard({ ...big, evaluations: [...big.evaluations, ...many] });
    expect(JSON.stringify(content).length).toBeLessThanOrEqual(MODEL_CARD_CONTENT_LIMIT);
    expect(omitted[0]).toBe('data-quality distributions');
    expect(JSON.stringify(content.additional_information)).toContain(
      "Left out to stay within SageMaker's 100,000-character limit: data-quality distributions",
    );
    expect(validateModelCardContent(content)).toEqual([]);
    // The most important evidence survives: the model-quality metrics.
    expect(JSON.stringify(content)).toContain('"auc"');
  });
});

describe('validateModelCardContent', () => {
  it('rejects what the schema rejects, naming the place', () => {
    expect(validateModelCardContent({ model_overview: { model_id: 'x' } })).toEqual([
      '/model_overview must NOT have additional properties (model_id)',
    ]);
    expect(validateModelCardContent({ intended_uses: { risk_rating: 'Severe' } })).toEqual([
      '/intended_uses/risk_rating must be equal to one of the allowed values',
    ]);
    expect(
      validateModelCardContent({ model_package_details: { model_package_arn: 'x', colour: 'red' } }),
    ).toEqual([
      '/model_package_details must NOT have additional properties (colour)',
      '/model_package_details/model_package_arn must match pattern "^arn:aws[a-z-]*:sagemaker:"',
    ]);
  });
});

describe('modelCardName', () => {
  it.each([
    ['churn', 3, 'churn-v3'],
    ['a', 123456, 'a-v123456'],
  ])('is %s v%i → %s', (g, v, name) => expect(modelCardName(g, v)).toBe(name));

  it('fits SageMaker’s pattern and length for any group name', () => {
    for (const g of ['x'.repeat(63), `${'a-'.repeat(31)}b`, 'A---b', `${'z'.repeat(58)}--x`]) {
      for (const v of [1, 99, 123456]) {
        const name = modelCardName(g, v);
        expect(name).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/);
        expect(name.length).toBeLessThanOrEqual(63);
        expect(name.endsWith(`-v${v}`)).toBe(true);
      }
    }
    expect(modelCardName('x'.repeat(63), 1)).not.toBe(modelCardName(`${'x'.repeat(62)}y`, 1));
  });
});

it('maps approval to card status', () => {
  expect(modelCardStatus('PendingManualApproval', 'Draft')).toBe('Draft');
  expect(modelCardStatus('PendingManualApproval', 'PendingReview')).toBe('PendingReview');
  expect(modelCardStatus('Approved', 'Draft')).toBe('Approved');
  expect(modelCardStatus('Rejected', 'Draft')).toBe('Archived');
});

it('asks for a review instead of approving the card when a target deploys only reviewed cards', () => {
  const review = (current?: string) => ({ required: true, current });
  expect(modelCardStatus('Approved', 'Draft', review('Draft'))).toBe('PendingReview');
  expect(modelCardStatus('Approved', 'Draft', review(undefined))).toBe('PendingReview');
  // A reviewer's approval stands through rebuilds that change nothing, until the version is rejected.
  expect(modelCardStatus('Approved', 'Draft', review('Approved'))).toBe('Approved');
  // Adversarial: content rebuilt differently after the review (new metrics, another
  // description) is not the content that was reviewed: back to PendingReview.
  expect(modelCardStatus('Approved', 'Draft', { ...review('Approved'), contentChanged: true })).toBe(
    'PendingReview',
  );
  expect(
    modelCardStatus('PendingManualApproval', 'Draft', { ...review('Approved'), contentChanged: true }),
  ).toBe('Draft');
  expect(modelCardStatus('PendingManualApproval', 'Draft', review('Approved'))).toBe('Approved');
  expect(modelCardStatus('Rejected', 'Draft', review('Approved'))).toBe('Archived');
  expect(modelCardStatus('PendingManualApproval', 'PendingReview', review('Draft'))).toBe('PendingReview');
});

it('ships the validator generated from the current schema (npm run generate)', () => {
  const committed = readFileSync(join(__dirname, '../../domain/model-card-validator.generated.js'), 'utf8');
  expect(committed).toBe(generatedValidatorSource());
});

it('finds the group of a card by its exact name, never a group whose name is a prefix of another', () => {
  const groups = [{ name: 'churn' }, { name: 'churn-v2' }, { name: 'x'.repeat(63) }];
  expect(groupOfCard(groups, 'churn-v3')?.name).toBe('churn');
  expect(groupOfCard(groups, 'churn-v2-v3')?.name).toBe('churn-v2');
  expect(groupOfCard(groups, modelCardName('x'.repeat(63), 12))?.name).toBe('x'.repeat(63));
  expect(groupOfCard(groups, 'churn-v3-draft')).toBeUndefined();
  expect(groupOfCard(groups, 'fraud-v1')).toBeUndefined();
});

describe('cardWrites: content and status as separate UpdateModelCard calls, in an order a rerun finishes', () => {
  it.each([
    // [current status, content changed, wanted status, calls]
    ['Draft', true, 'Approved', ['content', 'status']], // approval: content first, then status
    ['Approved', true, 'Archived', ['content', 'status']], // rejection: content before archiving
    ['Archived', true, 'Approved', ['status', 'content']], // re-approval: leave Archived first
    ['Archived', true, 'Archived', []], // an Archived card takes no content
    ['Archived', true, 'PendingReview', ['status', 'content', 'status']], // re-approval of a card-gated version
    ['Draft', true, 'Draft', ['content', 'status']],
    ['PendingReview', true, 'PendingReview', ['content', 'status']], // rebuilt while awaiting review
    ['Draft', false, 'Approved', ['status']],
    ['Approved', false, 'Approved', []],
    ['Approved', true, 'Approved', ['content']], // no review asked for: nothing to take back
    ['Approved', true, 'PendingReview', ['status', 'content', 'status']], // rebuilt reviewed card: unreviewed first
  ] as const)('%s card, content changed %s, wanted %s: %j', (status, contentChanged, wanted, calls) => {
    expect(cardWrites({ status, contentChanged }, wanted)).toEqual(calls);
  });

  it('a rerun after only the first call finishes the job with the second, and then writes nothing', () => {
    for (const [status, wanted] of [
      ['Draft', 'Approved'],
      ['Approved', 'Archived'],
      ['Archived', 'Approved'],
      ['PendingReview', 'Draft'],
    ] as const) {
      const [first, second] = cardWrites({ status, contentChanged: true }, wanted);
      // The state after the first call alone:
      const after =
        first === 'content' ? { status, contentChanged: false } : { status: wanted, contentChanged: true };
      expect(cardWrites(after, wanted)).toEqual([second]);
      expect(cardWrites({ status: wanted, contentChanged: false }, wanted)).toEqual([]);
    }
  });

  it('takes back an approval a reviewer gave between the read and the content write', () => {
    // The run read the card PendingReview with someone else's content, and plans to rebuild it.
    const writes = cardWrites({ status: 'PendingReview', contentChanged: true }, 'PendingReview');
    // A reviewer approves what they see (the old content) before the run's first call; the content
    // write keeps the card's status, so only a status write after it leaves the card unreviewed.
    let card = { status: 'Approved', content: 'old' };
    for (const write of writes)
      card = write === 'content' ? { ...card, content: 'generated' } : { ...card, status: 'PendingReview' };
    expect(card).toEqual({ status: 'PendingReview', content: 'generated' });
  });
});

describe('a reviewed card rebuilt with new content is never left Approved on unreviewed content', () => {
  it('fails after the first UpdateModelCard call, reruns, and still asks for a review', () => {
    const review = (current: string, contentChanged: boolean) =>
      modelCardStatus('Approved', 'Draft', { required: true, current, contentChanged });
    const wanted = review('Approved', true);
    expect(wanted).toBe('PendingReview');
    const [first] = cardWrites({ status: 'Approved', contentChanged: true }, wanted);
    // Only the first call went through; the rerun reads the card as it is now.
    const after =
      first === 'content'
        ? { status: 'Approved', contentChanged: false }
        : { status: wanted, contentChanged: true };
    const rerunWanted = review(after.status, after.contentChanged);
    expect(rerunWanted).toBe('PendingReview');
    expect(cardWrites(after, rerunWanted)).toEqual(['content', 'status']);
  });
});
