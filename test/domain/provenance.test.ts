import { statusChange } from '../../domain/provenance';

it('reads an approval change as a change, and a change that kept the status as unchanged', () => {
  expect(statusChange('Approved', 'PendingManualApproval')).toBe('Approved (was PendingManualApproval)');
  expect(statusChange('PendingManualApproval', 'PendingManualApproval')).toBe(
    'PendingManualApproval, unchanged',
  );
  expect(statusChange('Approved', undefined)).toBe('Approved');
});
