import { approvalCheckHold } from '../../domain/approval-check';
import { verdictHold } from '../../domain/artifact-pins';
import {
  deploymentNotification,
  type TargetOutcome,
  type TargetReport,
} from '../../domain/deployment-report';
import { isQuietWait } from '../../domain/hold';
import { shouldNotify } from '../../domain/target-planner';

const report = (result: TargetOutcome): TargetReport => ({
  groupName: 'churn',
  endpointName: 'churn-prod',
  result,
});
const arn = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/2';
const event = { kind: 'model-package' } as const;

describe('which outcomes people hear about', () => {
  it('takes the hold until the policy handler checks the approval for a quiet wait', () => {
    const hold = approvalCheckHold({ lastModifiedBy: 'arn:aws:iam::123456789012:user/bob' });
    expect(hold?.code).toBe('approval-unchecked');
    expect(hold && isQuietWait(hold)).toBe(true);
  });

  it('waits quietly for the quality gate verdict, but a verdict that will never come is a hold', () => {
    const facts = { locations: [], observed: new Map(), registeredAt: new Date(0) };
    const waiting = verdictHold({ ...facts, now: new Date(1000) });
    const never = verdictHold({ ...facts, now: new Date(2 * 60 * 60 * 1000) });
    expect(waiting?.code).toBe('verdict-pending');
    expect(waiting && isQuietWait(waiting)).toBe(true);
    expect(never?.code).toBe('verdict-missing');
    expect(never && isQuietWait(never)).toBe(false);
  });

  it('warns when the version the endpoint serves is held too, and names a newer version passed over', () => {
    const held = deploymentNotification(
      report({
        outcome: 'held',
        code: 'artifact-changed',
        version: 2,
        modelPackageArn: arn,
        reason: 'x',
        servingConfig: 'churn-prod-v1-config',
        servingHeld: {
          version: 1,
          code: 'artifact-changed',
          reason: 's3://m/v1/model.tar.gz was overwritten',
        },
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
        passedOver: {
          version: 2,
          code: 'artifact-changed',
          reason: 's3://m/v2/model.tar.gz was overwritten',
        },
      }),
    );
    expect(update.message).toContain(
      'HELD: churn version 2 is not deployed: s3://m/v2/model.tar.gz was overwritten',
    );
    // A newer version only waiting (about a second) for the policy handler is not news: by its code.
    const waiting = deploymentNotification(
      report({
        outcome: 'deploy-started',
        action: 'update',
        version: 1,
        modelPackageArn: arn,
        configName: 'c1',
        passedOver: { version: 2, code: 'verdict-pending', reason: 'any wording at all' },
      }),
    );
    expect(waiting.message).not.toContain('HELD');
  });

  it('notifies every hold, and never a skip or a wait', () => {
    const held = {
      outcome: 'held',
      code: 'card-not-approved',
      version: 2,
      modelPackageArn: arn,
      reason: '',
    } as const;
    expect(shouldNotify(held, event)).toBe(true);
    expect(shouldNotify({ outcome: 'skipped', code: 'endpoint-busy', reason: '' }, event)).toBe(false);
    expect(shouldNotify({ outcome: 'waiting', code: 'verdict-pending', version: 2, reason: '' }, event)).toBe(
      false,
    );
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
