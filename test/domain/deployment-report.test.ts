import { approvalCheckHold } from '../../domain/approval-check';
import { verdictHold } from '../../domain/artifact-pins';
import {
  deploymentNotification,
  isNotable,
  type TargetOutcome,
  type TargetReport,
} from '../../domain/deployment-report';

const report = (result: TargetOutcome): TargetReport => ({
  groupName: 'churn',
  endpointName: 'churn-prod',
  result,
});
const arn = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/2';

describe('which outcomes people hear about', () => {
  it('does not notify the hold that lasts only until the policy handler checks the approval', () => {
    const reason = approvalCheckHold({ lastModifiedBy: 'arn:aws:iam::123456789012:user/bob' });
    expect(reason).toBeDefined();
    expect(
      isNotable(report({ outcome: 'held', version: 2, modelPackageArn: arn, reason: reason ?? '' })),
    ).toBe(false);
  });

  it('does not notify the wait for the quality gate verdict, but notifies a verdict that will never come', () => {
    const facts = {
      locations: [],
      observed: new Map(),
      registeredAt: new Date(0),
    };
    const waiting = verdictHold({ ...facts, now: new Date(1000) }) ?? '';
    const never = verdictHold({ ...facts, now: new Date(2 * 60 * 60 * 1000) }) ?? '';
    expect(isNotable(report({ outcome: 'held', version: 2, modelPackageArn: arn, reason: waiting }))).toBe(
      false,
    );
    expect(isNotable(report({ outcome: 'held', version: 2, modelPackageArn: arn, reason: never }))).toBe(
      true,
    );
  });

  it('warns when the version the endpoint serves is held too, and names a newer version passed over', () => {
    const held = deploymentNotification(
      report({
        outcome: 'held',
        version: 2,
        modelPackageArn: arn,
        reason: 'x',
        servingConfig: 'churn-prod-v1-config',
        servingHeld: { version: 1, reason: 's3://m/v1/model.tar.gz was overwritten' },
      }),
    );
    expect(held.message).toContain(
      'WARNING: the version it serves, churn version 1, is held too: s3://m/v1/model.tar.gz was overwritten.',
    );
    const update = deploymentNotification(
      report({
        outcome: 'deploy-started',
        action: 'update',
        version: 1,
        modelPackageArn: arn,
        configName: 'c1',
        fromConfig: 'c2',
        passedOver: { version: 2, reason: 's3://m/v2/model.tar.gz was overwritten' },
      }),
    );
    expect(update.message).toContain(
      'HELD: churn version 2 is not deployed: s3://m/v2/model.tar.gz was overwritten',
    );
    // A newer version only waiting (about a second) for the policy handler is not news.
    const waiting = deploymentNotification(
      report({
        outcome: 'deploy-started',
        action: 'update',
        version: 1,
        modelPackageArn: arn,
        configName: 'c1',
        passedOver: { version: 2, reason: 'awaiting the quality gate verdict: …' },
      }),
    );
    expect(waiting.message).not.toContain('HELD');
  });

  it('notifies every other hold, and never a skip', () => {
    const card = 'model card churn-v2 is PendingReview; a reviewer must set it to Approved before it deploys';
    expect(isNotable(report({ outcome: 'held', version: 2, modelPackageArn: arn, reason: card }))).toBe(true);
    expect(isNotable(report({ outcome: 'skipped', reason: 'endpoint is Updating' }))).toBe(false);
  });
});

describe('notifications that ask for people', () => {
  it('says a drifted endpoint was changed outside model-governance and is being put back', () => {
    const n = deploymentNotification(
      report({
        outcome: 'deploy-started',
        action: 'update',
        version: 2,
        modelPackageArn: arn,
        configName: 'churn-prod-v2-abc',
        fromConfig: 'mallory-config',
        drift: true,
      }),
    );
    expect(n.subject).toContain('changed outside model-governance');
    expect(n.message).toContain('was serving mallory-config, which model-governance did not deploy');
  });

  it('tells an operator what to do with a Failed endpoint', () => {
    const n = deploymentNotification(
      report({
        outcome: 'needs-operator',
        status: 'Failed',
        version: 2,
        modelPackageArn: arn,
        reason: 'The primary container did not pass the ping health check.',
      }),
    );
    expect(n.subject).toContain('churn-prod is Failed');
    expect(n.message).toContain('aws sagemaker delete-endpoint --endpoint-name churn-prod');
    expect(n.message).toContain('mgov approve churn 2 --force');
  });
});
