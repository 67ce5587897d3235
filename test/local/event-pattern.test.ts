/** The runner's EventBridge pattern matching for events from another account (local/runner/event-pattern.ts). */
import { matchesPattern } from '../../local/runner/event-pattern';

const event = {
  account: '111111111111',
  source: 'aws.sagemaker',
  'detail-type': 'SageMaker Model Package State Change',
  resources: ['arn:aws:sagemaker:eu-west-1:111111111111:model-package/churn/1'],
  detail: { ModelPackageGroupName: 'churn', ModelCardName: 'churn-v1', ModelApprovalStatus: 'Approved' },
};

it('matches every field of the pattern, values as alternatives, arrays by any element', () => {
  const pattern = {
    account: ['111111111111'],
    source: ['aws.sagemaker'],
    detail: { ModelPackageGroupName: ['fraud', 'churn'] },
  };
  expect(matchesPattern(pattern, event)).toBe(true);
  expect(matchesPattern({ ...pattern, account: ['222222222222'] }, event)).toBe(false);
  expect(matchesPattern({ ...pattern, detail: { ModelPackageGroupName: ['churn-2'] } }, event)).toBe(false);
  expect(matchesPattern({ resources: [event.resources[0]] }, event)).toBe(true);
  expect(matchesPattern({ detail: { Missing: ['x'] } }, event)).toBe(false);
});

it('applies prefix, suffix, anything-but and exists', () => {
  expect(matchesPattern({ detail: { ModelCardName: [{ prefix: 'churn-v' }] } }, event)).toBe(true);
  expect(matchesPattern({ detail: { ModelCardName: [{ prefix: 'fraud-v' }] } }, event)).toBe(false);
  expect(matchesPattern({ detail: { ModelCardName: [{ suffix: '-v1' }] } }, event)).toBe(true);
  expect(matchesPattern({ detail: { ModelApprovalStatus: [{ 'anything-but': ['Rejected'] }] } }, event)).toBe(
    true,
  );
  expect(matchesPattern({ detail: { ModelApprovalStatus: [{ 'anything-but': 'Approved' }] } }, event)).toBe(
    false,
  );
  expect(matchesPattern({ detail: { Missing: [{ exists: false }] } }, event)).toBe(true);
  expect(matchesPattern({ detail: { ModelCardName: [{ exists: false }] } }, event)).toBe(false);
});

it('refuses a filter it cannot match, by name, rather than guessing', () => {
  expect(() => matchesPattern({ detail: { N: [{ numeric: ['>', 1] }] } }, event)).toThrow(
    /cannot match the event pattern filter {"numeric":\[">",1\]}/,
  );
});
