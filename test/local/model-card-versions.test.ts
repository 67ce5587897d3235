/**
 * Model card versions on the local endpoint, as the developer guide gives them (Model card FAQs, "Can
 * I edit a model card once it is created?"): a status change stays on the card's current version and
 * keeps its content; only a content change makes a new version, which carries the current status.
 * moto alone adds a version on every update and erases what the call leaves out.
 */
import {
  CreateModelCardCommand,
  DescribeModelCardCommand,
  ListModelCardsCommand,
  ListModelCardVersionsCommand,
  type SageMakerClient,
  UpdateModelCardCommand,
} from '@aws-sdk/client-sagemaker';
import { uniqueName } from '../harness/local-aws';
import { startLocalSageMaker } from '../harness/local-sagemaker';

let local: Awaited<ReturnType<typeof startLocalSageMaker>>;
let sagemaker: SageMakerClient;
beforeAll(async () => {
  local = await startLocalSageMaker();
  sagemaker = local.sagemaker();
});
afterAll(() => local.stop());

const content = (description: string) =>
  JSON.stringify({ model_overview: { model_description: description } });

it('a status-only update keeps the version and its content; a content update makes a version with the status', async () => {
  const name = uniqueName('card');
  await sagemaker.send(
    new CreateModelCardCommand({
      ModelCardName: name,
      ModelCardStatus: 'PendingReview',
      Content: content('v1'),
    }),
  );
  const describe = (version?: number) =>
    sagemaker.send(new DescribeModelCardCommand({ ModelCardName: name, ModelCardVersion: version }));

  for (const status of ['Approved', 'Archived', 'PendingReview'] as const) {
    await sagemaker.send(new UpdateModelCardCommand({ ModelCardName: name, ModelCardStatus: status }));
    const card = await describe();
    expect([card.ModelCardVersion, card.ModelCardStatus, card.Content]).toEqual([1, status, content('v1')]);
  }

  await sagemaker.send(new UpdateModelCardCommand({ ModelCardName: name, Content: content('v2') }));
  const latest = await describe();
  expect([latest.ModelCardVersion, latest.ModelCardStatus, latest.Content]).toEqual([
    2,
    'PendingReview',
    content('v2'),
  ]);
  await sagemaker.send(new UpdateModelCardCommand({ ModelCardName: name, ModelCardStatus: 'Approved' }));

  // Each version keeps the status it was given; the lists say the same, and filter on it.
  expect((await describe(1)).ModelCardStatus).toBe('PendingReview');
  expect((await describe(2)).ModelCardStatus).toBe('Approved');
  const versions = await sagemaker.send(new ListModelCardVersionsCommand({ ModelCardName: name }));
  expect(
    (versions.ModelCardVersionSummaryList ?? []).map((v) => [v.ModelCardVersion, v.ModelCardStatus]).sort(),
  ).toEqual([
    [1, 'PendingReview'],
    [2, 'Approved'],
  ]);
  const approvedVersions = await sagemaker.send(
    new ListModelCardVersionsCommand({ ModelCardName: name, ModelCardStatus: 'Approved' }),
  );
  expect(approvedVersions.ModelCardVersionSummaryList?.map((v) => v.ModelCardVersion)).toEqual([2]);
  const cards = await sagemaker.send(new ListModelCardsCommand({ NameContains: name }));
  expect(cards.ModelCardSummaries?.map((c) => [c.ModelCardName, c.ModelCardStatus])).toEqual([
    [name, 'Approved'],
  ]);
});

it('an Archived card takes a status change, not a content change', async () => {
  const name = uniqueName('card');
  await sagemaker.send(
    new CreateModelCardCommand({
      ModelCardName: name,
      ModelCardStatus: 'Archived',
      Content: content('kept'),
    }),
  );
  await expect(
    sagemaker.send(new UpdateModelCardCommand({ ModelCardName: name, Content: content('changed') })),
  ).rejects.toThrow('Model Card is in Archived state.');
  await sagemaker.send(new UpdateModelCardCommand({ ModelCardName: name, ModelCardStatus: 'PendingReview' }));
  const card = await sagemaker.send(new DescribeModelCardCommand({ ModelCardName: name }));
  expect([card.ModelCardVersion, card.ModelCardStatus, card.Content]).toEqual([
    1,
    'PendingReview',
    content('kept'),
  ]);
});
