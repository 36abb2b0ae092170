/**
 * Credentials and isolation: token and user/password servers let the right
 * credentials in and refuse the wrong ones fast with `UnauthorizedError`;
 * TLS with a self-signed certificate; namespaces on one server stay apart.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime, NoRespondersError, TransportError, UnauthorizedError } from '@troupe/core';
import { connectNats, type NatsConnectOptions, remoteProgress$, startWorker } from '@troupe/nats';
import { natsSuite, startNatsServer } from '@troupe/testing';
import { firstValueFrom } from 'rxjs';
import { expect, it } from 'vitest';
import { type Answer, WhoAsk, workerAgents } from './fixtures/agents.js';

/** Asserts `promise` rejects with an instance of `type` within `ms` (a refusal, not a retry loop). */
async function rejectsFast(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => Error,
  ms = 5_000,
) {
  const started = Date.now();
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(type);
  expect(Date.now() - started).toBeLessThan(ms);
  return err as Error;
}

async function roundTrip(url: string, namespace: string, credentials: NatsConnectOptions): Promise<string> {
  const { Who } = workerAgents('authed');
  await using _worker = await startWorker({
    connection: { servers: url, ...credentials },
    namespace,
    agents: [Who],
  });
  await using client = createRuntime({
    transport: await connectNats({ connection: { servers: url, ...credentials } }),
    namespace,
  });
  return ((await client.ref({ type: 'nats.who' }).ask(WhoAsk.create({}))) as Answer).worker;
}

async function selfSignedCert(dir: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-keyout',
      key,
      '-out',
      cert,
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

natsSuite('NATS credentials and isolation', () => {
  it('should work with the right token and refuse a wrong or missing one fast', async () => {
    await using server = await startNatsServer({ auth: { token: 's3cret' } });
    expect(await roundTrip(server.url, 'tok', { token: 's3cret' })).toBe('authed');
    const wrong = await rejectsFast(
      connectNats({ connection: { servers: server.url, token: 'nope' } }),
      UnauthorizedError,
    );
    expect((wrong as UnauthorizedError).code).toBe('UNAUTHORIZED');
    expect(wrong.message).not.toContain('nope');
    await rejectsFast(connectNats({ connection: { servers: server.url } }), UnauthorizedError);
    await rejectsFast(
      startWorker({ connection: { servers: server.url, token: 'nope' }, agents: [workerAgents('x').Who] }),
      UnauthorizedError,
    );
  });

  it('should work with the right user and password and refuse wrong ones fast', async () => {
    await using server = await startNatsServer({ auth: { user: 'ada', password: 'lovelace' } });
    expect(await roundTrip(server.url, 'up', { user: 'ada', pass: 'lovelace' })).toBe('authed');
    await rejectsFast(
      connectNats({ connection: { servers: server.url, user: 'ada', pass: 'babbage' } }),
      UnauthorizedError,
    );
    await rejectsFast(
      connectNats({ connection: { servers: server.url, user: 'eve', pass: 'lovelace' } }),
      UnauthorizedError,
    );
    await rejectsFast(connectNats({ connection: { servers: server.url } }), UnauthorizedError);
    await rejectsFast(
      firstValueFrom(remoteProgress$({ connection: { servers: server.url }, namespace: 'up', runId: 'r' })),
      UnauthorizedError,
    );
  });

  it('should fail fast with TransportError when nothing listens', async () => {
    await using server = await startNatsServer();
    const url = server.url;
    await server.stop();
    await rejectsFast(connectNats({ connection: { servers: url } }), TransportError);
  });

  it('should talk TLS to a server with a self-signed certificate', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'troupe-tls-'));
    try {
      const { cert, key } = await selfSignedCert(dir);
      await using server = await startNatsServer({ tls: { cert, key } });
      expect(await roundTrip(server.url, 'tls', { tls: { caFile: cert } })).toBe('authed');
      // Without trusting the certificate the handshake fails, fast and typed.
      await rejectsFast(connectNats({ connection: { servers: server.url, tls: {} } }), TransportError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('should keep namespaces on one server apart', async () => {
    await using server = await startNatsServer();
    const { Who } = workerAgents('in-blue');
    await using blue = await startWorker({
      connection: { servers: server.url },
      namespace: 'blue',
      agents: [Who],
    });
    await using green = createRuntime({
      transport: await connectNats({ connection: { servers: server.url } }),
      namespace: 'green',
    });
    await using alsoBlue = createRuntime({
      transport: await connectNats({ connection: { servers: server.url } }),
      namespace: 'blue',
    });
    const err = await green
      .ref({ type: 'nats.who' })
      .ask(WhoAsk.create({}), { timeout: 5_000 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoRespondersError);
    const keyed = await green
      .ref({ type: 'nats.who', key: 'k' })
      .ask(WhoAsk.create({}), { timeout: 5_000 })
      .catch((e: unknown) => e);
    expect(keyed).toBeInstanceOf(NoRespondersError);
    expect(((await alsoBlue.ref({ type: 'nats.who' }).ask(WhoAsk.create({}))) as Answer).worker).toBe(
      'in-blue',
    );
    expect(blue.transport.stats().received).toBe(1);
  });
});
