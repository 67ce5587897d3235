import type { MotoServer } from '../../local/moto';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __moto__?: MotoServer }).__moto__?.stop();
}
