import { connect, ErrorCode } from 'nats';

/**
 * Resolves once nats-server itself has dropped every subscriber of `subject`
 * (a request gets "no responders"). A test that kills a worker must wait for
 * this: until the server notices the dead connection, it still routes
 * messages there and they are lost — asks in that window time out, which is
 * the documented behaviour, not the behaviour under test.
 */
export async function untilNoResponders(url: string, subject: string, timeoutMs = 15_000): Promise<void> {
  const nc = await connect({ servers: url });
  try {
    const end = Date.now() + timeoutMs;
    for (;;) {
      try {
        await nc.request(subject, new Uint8Array(), { timeout: 250 });
      } catch (err) {
        if ((err as { code?: string }).code === ErrorCode.NoResponders) return;
      }
      if (Date.now() > end) throw new Error(`${subject} still has subscribers after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await nc.close();
  }
}
