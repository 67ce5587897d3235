import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { LocalSageMaker, type LocalSageMakerConfig } from '../../local/sagemaker/server';
import { motoUrl, TEST_REGION } from './local-aws';

/**
 * A local SageMaker endpoint in front of the run's moto, on a free port, for one test file.
 * `reset()` clears what the endpoint holds (moto's state is shared, so tests use unique names).
 */
export async function startLocalSageMaker(config: LocalSageMakerConfig = {}) {
  const server = await new LocalSageMaker({ motoUrl: motoUrl(), onError: () => undefined }).start();
  server.configure({ timing: { createMs: 150, updateMs: 150, deleteMs: 50 }, exportMs: 50, ...config });
  const clientConfig = (accessKeyId = 'alice') => ({
    endpoint: server.url,
    region: TEST_REGION,
    credentials: { accessKeyId, secretAccessKey: 'local' },
  });
  return {
    server,
    url: server.url,
    clientConfig,
    sagemaker: (accessKeyId?: string) => new SageMakerClient(clientConfig(accessKeyId)),
    reset: () => {
      server.reset();
      server.configure({ timing: { createMs: 150, updateMs: 150, deleteMs: 50 }, exportMs: 50, ...config });
    },
    stop: () => server.stop(),
  };
}
