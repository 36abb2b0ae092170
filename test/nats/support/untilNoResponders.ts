import { connect, ErrorCode } from 'nats';
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
        const code = await nc.request(subject, new Uint8Array(), { timeout: 250 }).then(
          () => 'answered',
          (err: unknown) => (err as { code?: string }).code,
        );
        if (code !== ErrorCode.NoResponders) throw new Error(`${subject} still has subscribers`);
      },
      { timeout, interval: 20 },
    );
  } finally {
    await nc.close();
  }
}
