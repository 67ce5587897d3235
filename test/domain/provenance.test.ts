import { auditTimeline, type LineageGraph, statusChange } from '../../domain/provenance';

it('reads an approval change as a change, and a change that kept the status as unchanged', () => {
  expect(statusChange('Approved', 'PendingManualApproval')).toBe('Approved (was PendingManualApproval)');
  expect(statusChange('PendingManualApproval', 'PendingManualApproval')).toBe(
    'PendingManualApproval, unchanged',
  );
  expect(statusChange('Approved', undefined)).toBe('Approved');
});

it('puts the violations monitoring found on a version in the audit timeline, in time order', () => {
  const arn = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/1';
  const graph: LineageGraph = {
    vertices: [
      {
        arn: 'arn:aws:sagemaker:us-east-1:123456789012:action/monitoring-abc',
        type: 'GovernedMonitoringViolation',
        lineageType: 'Action',
        createdAt: '2026-12-04T18:05:00.000Z',
        properties: {
          modelPackageArn: arn,
          endpoint: 'churn-prod',
          monitorType: 'DataQuality',
          checks: 'baseline_drift_check on age',
          onViolation: 'hold',
          report: 's3://r/constraint_violations.json',
        },
      },
      // Another version's violation is not this version's.
      {
        arn: 'arn:aws:sagemaker:us-east-1:123456789012:action/monitoring-def',
        type: 'GovernedMonitoringViolation',
        lineageType: 'Action',
        createdAt: '2026-12-04T18:06:00.000Z',
        properties: { modelPackageArn: `${arn}0` },
      },
    ],
    edges: [],
  };
  const timeline = auditTimeline(
    'churn',
    [{ arn, version: 1, registeredAt: '2026-12-04T17:00:00.000Z' }],
    graph,
  );
  expect(timeline.map((e) => e.what)).toEqual(['registered', 'monitoring-violation']);
  expect(timeline[1]?.text).toBe(
    'churn-prod: DataQuality monitor found violations on churn v1 (baseline_drift_check on age); onViolation: hold; report s3://r/constraint_violations.json',
  );
});
