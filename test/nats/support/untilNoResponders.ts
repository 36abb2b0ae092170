import { connect, RequestError } from '@nats-io/transport-node';
import { vi } from 'vitest';

/**
 * Resolves once nats-server itself has dropped every subscriber of `subject`
 * (a request gets "no responders"). A test that kills a worker must wait for
 * this: until the server notices the dead connection, it still routes
 * messages there and they are lost — asks in that window time out, which is
 * the documented behaviour, not the behaviour under test.
 */
export async function untilNoResponders(url: string, subject: string, timeout = 15_000): Promise<void> {
  const nc = await connect({ servers: url });
  try {
    await vi.waitFor(
      async () => {
        const gone = await nc.request(subject, new Uint8Array(), { timeout: 250 }).then(
          () => false,
          (err: unknown) => err instanceof RequestError && err.isNoResponders(),
        );
        if (!gone) throw new Error(`${subject} still has subscribers`);
      },
      { timeout, interval: 20 },
    );
  } finally {
    await nc.close();
  }
}
