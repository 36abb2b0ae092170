/**
 * Replies near the server's max_payload, from a worker process: the whole message (headers
 * included) is checked, so a reply that only fits without its headers, or an error with a huge
 * message, still reaches the asker at once as a typed error instead of being lost.
 */
import { createRuntime, PayloadTooLargeError, ValidationError } from '@troupe/core';
import { connectNats } from '@troupe/nats';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { expect, it } from 'vitest';
import { Blob } from './fixtures/agents.js';
import { spawnWorker } from './support/workerProcess.js';

const MAX = 64 * 1024;

natsSuite('reply sizes against max_payload', () => {
  it('should answer typed errors for replies over the limit, headers included', {
    timeout: 120_000,
  }, async () => {
    await using server = await startNatsServer({ maxPayload: MAX });
    await using _worker = await spawnWorker({
      url: server.url,
      namespace: 'sizes',
      name: 'sizes',
      env: { TROUPE_TEST_TYPES: 'nats.relay' },
    });
    await using client = createRuntime({
      transport: await connectNats({ connection: { servers: server.url } }),
      namespace: 'sizes',
    });
    const relay = client.ref({ type: 'nats.relay' });
    // `{"ok":true,"value":"…"}` is 24 bytes around the value: this body fits, body + headers do not.
    const body = MAX - 4;
    const started = performance.now();
    const error = await relay
      .ask(Blob.create({ bytes: body - 24 }), { timeout: 30_000 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    // At once, not after the 30 s timeout.
    expect(performance.now() - started).toBeLessThan(15_000);
    // A reply that fits with its headers still goes through.
    await expect(relay.ask(Blob.create({ bytes: MAX - 1_000 }))).resolves.toHaveLength(MAX - 1_000);

    // An error whose message alone is 200 KB (2 MB in the issue, against 1 MB) arrives typed, cut down.
    const failed = await relay
      .ask(Blob.create({ bytes: 200_000, fail: true }), { timeout: 30_000 })
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ValidationError);
    const message = (failed as ValidationError).message;
    expect(message.startsWith('bad: yyyy')).toBe(true);
    expect(message).toMatch(/\[truncated, 200005 bytes\]$/);
    expect(message.length).toBeLessThan(MAX);
    expect(performance.now() - started).toBeLessThan(30_000);
  });
});
