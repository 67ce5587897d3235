import { findOrCreate, isAlreadyExists } from '../../adapters/sagemaker';

const exists = Object.assign(new Error('Action x already exists.'), { name: 'ValidationException' });

it('uses what exists without creating', async () => {
  const create = jest.fn(async () => 'new');
  expect(await findOrCreate(async () => 'old', create)).toBe('old');
  expect(create).not.toHaveBeenCalled();
});

it('creates what is missing', async () => {
  expect(
    await findOrCreate(
      async () => undefined,
      async () => 'new',
    ),
  ).toBe('new');
});

it('after losing the race to create, finds what the winner created', async () => {
  const found = ['winner', undefined];
  expect(
    await findOrCreate(
      async () => found.pop(),
      async () => {
        throw exists;
      },
    ),
  ).toBe('winner');
});

it('rethrows any other failure, and a conflict with nothing to find', async () => {
  const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
  await expect(
    findOrCreate(
      async () => undefined,
      async () => Promise.reject(denied),
    ),
  ).rejects.toBe(denied);
  await expect(
    findOrCreate(
      async () => undefined,
      async () => Promise.reject(exists),
    ),
  ).rejects.toBe(exists);
});

it('recognises SageMaker\'s ways of saying "already exists"', () => {
  expect(isAlreadyExists(exists)).toBe(true);
  expect(
    isAlreadyExists(Object.assign(new Error('Modelcard c-v1 already exists'), { name: 'ConflictException' })),
  ).toBe(true);
  expect(isAlreadyExists(Object.assign(new Error('conflict'), { name: 'ConflictException' }))).toBe(true);
  expect(isAlreadyExists(new Error('Could not find endpoint'))).toBe(false);
});
