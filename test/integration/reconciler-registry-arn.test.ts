/**
 * The reconciler of a deployment stack names groups by their registry ARN (a multi-account app's
 * deployment account cannot name another account's group by name). The same code path, over HTTP
 * against the local endpoint: list the versions by the group's ARN, create the model from the
 * version's ARN, create the endpoint.
 */
import { DescribeEndpointCommand } from '@aws-sdk/client-sagemaker';
import { parseGovernanceConfig } from '../../core/config/parse';
import { groupReference } from '../../core/manifest';
import { reconcileTarget } from '../../handlers/reconcile-endpoint/reconcile';
import { TEST_ACCOUNT, TEST_REGION, uniqueName } from '../harness/local-aws';
import { startLocalSageMaker } from '../harness/local-sagemaker';
import { registerVersion, setApproval } from '../harness/registry';

let local: Awaited<ReturnType<typeof startLocalSageMaker>>;
beforeAll(async () => {
  local = await startLocalSageMaker();
});
afterAll(() => local.stop());

it('reconciles from the registry ARN of the group', async () => {
  const name = uniqueName('arn-group');
  const config = parseGovernanceConfig({ groups: [{ name, deployments: [{ endpointName: `${name}-ep` }] }] });
  const group = config.groups[0];
  const target = group?.deployments[0];
  if (!group || !target) throw new Error('no target');
  const registrar = local.sagemaker('trainer');
  const arn = await registerVersion(registrar, name);
  await setApproval(local.sagemaker('approver'), arn, 'Approved', 'ok');

  const manifest = {
    manifestVersion: 1 as const,
    groups: [group],
    registry: { account: TEST_ACCOUNT, region: TEST_REGION },
  };
  const seen: string[] = [];
  const sagemaker = local.sagemaker('reconciler');
  sagemaker.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as {
        ModelPackageGroupName?: string;
        Containers?: { ModelPackageName?: string }[];
      };
      if (input.ModelPackageGroupName) seen.push(input.ModelPackageGroupName);
      for (const c of input.Containers ?? []) if (c.ModelPackageName) seen.push(c.ModelPackageName);
      return next(args);
    },
    { step: 'initialize' },
  );
  const outcome = await reconcileTarget(
    {
      sagemaker,
      executionRoleArn: `arn:aws:iam::${TEST_ACCOUNT}:role/exec`,
      groupReference: (n) => groupReference(manifest, n),
    },
    group,
    target,
    { kind: 'model-package', change: { groupName: name, modelPackageArn: arn } as never },
  );
  expect(outcome).toMatchObject({
    outcome: 'deploy-started',
    action: 'create',
    version: 1,
    modelPackageArn: arn,
  });
  expect(seen).toEqual([
    `arn:aws:sagemaker:${TEST_REGION}:${TEST_ACCOUNT}:model-package-group/${name.toLowerCase()}`,
    arn,
  ]);
  const endpoint = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: `${name}-ep` }));
  expect(endpoint.EndpointConfigName).toMatch(new RegExp(`^${name}-ep-v1-`));
});
