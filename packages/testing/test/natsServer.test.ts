import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import {
  AuthorizationError,
  type ConnectionOptions,
  connect,
  type NatsConnection,
  type Status,
} from '@nats-io/transport-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { freePort, NATS_INSTALL_MESSAGE, natsAvailable, natsSuite, startNatsServer } from '../src/index.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

async function open(opts: ConnectionOptions): Promise<NatsConnection & AsyncDisposable> {
  const nc = await connect(opts);
  return Object.assign(nc, { [Symbol.asyncDispose]: () => nc.close() });
}

async function next(nc: NatsConnection, type: Status['type']): Promise<void> {
  for await (const status of nc.status()) if (status.type === type) return;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : -1);
    });
  });
}

natsSuite('startNatsServer', () => {
  it('serves request/reply on its own free port', async () => {
    await using server = await startNatsServer();
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toBe(`nats://127.0.0.1:${server.port}`);
    expect(server.port).not.toBe(4222);
    expect(server.running).toBe(true);
    await using nc = await open({ servers: server.url });
    nc.subscribe('echo', {
      callback: (_err, msg) => {
        msg.respond(msg.data);
      },
    });
    const reply = await nc.request('echo', enc.encode('ping'), { timeout: 2_000 });
    expect(dec.decode(reply.data)).toBe('ping');
  });

  it('enables JetStream by default, in a store dir under its temp dir', async () => {
    await using server = await startNatsServer();
    expect(server.storeDir.startsWith(server.dir)).toBe(true);
    await using nc = await open({ servers: server.url });
    const info = await (await jetstreamManager(nc)).getAccountInfo();
    expect(info.streams).toBe(0);
  });

  it('can run without JetStream', async () => {
    await using server = await startNatsServer({ jetstream: false });
    await using nc = await open({ servers: server.url });
    await expect(jetstreamManager(nc)).rejects.toThrow();
  });

  it('keeps JetStream data across stop() and restart() on the same port', async () => {
    await using server = await startNatsServer();
    const { port, pid } = server;
    await using nc = await open({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 50 });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'ORDERS', subjects: ['orders.>'] });
    await jetstream(nc).publish('orders.1', enc.encode('first'));

    const reconnected = next(nc, 'reconnect');
    await server.stop();
    expect(server.running).toBe(false);
    expect(existsSync(server.storeDir)).toBe(true);
    await server.restart();
    expect(server.port).toBe(port);
    expect(server.pid).not.toBe(pid);
    await reconnected;

    const msg = await jsm.streams.getMessage('ORDERS', { seq: 1 });
    expect(msg?.string()).toBe('first');
  });

  it('demands the configured token', async () => {
    await using server = await startNatsServer({ jetstream: false, auth: { token: 's3cret' } });
    await expect(connect({ servers: server.url })).rejects.toBeInstanceOf(AuthorizationError);
    await expect(connect({ servers: server.url, token: 'wrong' })).rejects.toBeInstanceOf(AuthorizationError);
    await using nc = await open({ servers: server.url, token: 's3cret' });
    await nc.flush();
  });

  it('demands the configured user and password', async () => {
    const auth = { user: 'troupe', password: 'pa ss"word' };
    await using server = await startNatsServer({ jetstream: false, auth });
    await expect(connect({ servers: server.url })).rejects.toBeInstanceOf(AuthorizationError);
    await expect(connect({ servers: server.url, user: 'troupe', pass: 'nope' })).rejects.toBeInstanceOf(
      AuthorizationError,
    );
    await using nc = await open({ servers: server.url, user: auth.user, pass: auth.password });
    await nc.flush();
  });

  it('serves TLS with the given certificate', async () => {
    const certDir = mkdtempSync(join(tmpdir(), 'troupe-nats-tls-'));
    try {
      const cert = join(certDir, 'cert.pem');
      const key = join(certDir, 'key.pem');
      // biome-ignore format: one openssl flag per line is easier to read
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
        '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ], { stdio: 'ignore' });
      await using server = await startNatsServer({ jetstream: false, tls: { cert, key } });
      // The client upgrades to TLS on its own, but cannot trust a self-signed cert without the CA.
      await expect(connect({ servers: server.url, reconnect: false })).rejects.toThrow();
      await using nc = await open({ servers: server.url, tls: { caFile: cert } });
      expect(nc.info?.tls_required).toBe(true);
      await nc.flush();
    } finally {
      rmSync(certDir, { recursive: true, force: true });
    }
  });

  it('applies maxPayload, extra config text and a requested port', async () => {
    const port = await freePort();
    await using server = await startNatsServer({
      jetstream: false,
      port,
      maxPayload: 4096,
      config: 'server_name: troupe_test',
    });
    expect(server.port).toBe(port);
    await using nc = await open({ servers: server.url });
    expect(nc.info?.max_payload).toBe(4096);
    expect(nc.info?.server_name).toBe('troupe_test');
  });

  it('kill() makes the port refuse connections, and restart() recovers', async () => {
    await using server = await startNatsServer();
    await server.kill();
    expect(server.running).toBe(false);
    await expect(connect({ servers: server.url, reconnect: false })).rejects.toMatchObject({
      name: 'ConnectionError',
      message: 'connection refused',
    });
    await server.restart();
    await using nc = await open({ servers: server.url });
    await (await jetstreamManager(nc)).getAccountInfo();
  });

  it('close() removes the temp dir and is idempotent', async () => {
    await using server = await startNatsServer();
    expect(existsSync(server.dir)).toBe(true);
    await server.close();
    expect(server.running).toBe(false);
    expect(existsSync(server.dir)).toBe(false);
    await expect(server.close()).resolves.toBeUndefined();
    await expect(server.restart()).rejects.toThrow(/closed/);
  });

  it('reports the server log when it exits during startup', async () => {
    const blocker = createServer();
    try {
      const port = await listen(blocker);
      const attempt = startNatsServer({ jetstream: false, port });
      await expect(attempt).rejects.toThrow(/exited with code \d+ before it was ready; last stderr lines:\n/);
      await expect(attempt).rejects.toThrow(/address already in use/);
    } finally {
      blocker.close();
    }
  });

  it('kills a server that is not ready within startupTimeoutMs', async () => {
    await expect(startNatsServer({ startupTimeoutMs: 1 })).rejects.toThrow(/not ready within 1 ms/);
  });

  it('installs an exit hook that kills running servers and removes their temp dirs', () => {
    const fixture = join(repoRoot, 'packages/testing/test/fixtures/exitHook.ts');
    const run = spawnSync(join(repoRoot, 'node_modules/.bin/tsx'), [fixture], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ hooks: 1, running: false, dirLeft: false });
  });
});

describe('finding nats-server', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('is installed on this machine', () => {
    expect(natsAvailable(), NATS_INSTALL_MESSAGE).toBe(true);
  });

  it('explains how to install it when the bin option points nowhere', async () => {
    expect(NATS_INSTALL_MESSAGE).toBe(
      "nats-server not found: install it with 'apt-get install -y nats-server' (or set NATS_SERVER_BIN)",
    );
    expect(natsAvailable('/nonexistent')).toBe(false);
    await expect(startNatsServer({ bin: '/nonexistent' })).rejects.toThrow(NATS_INSTALL_MESSAGE);
  });

  it('honours NATS_SERVER_BIN', async () => {
    vi.stubEnv('NATS_SERVER_BIN', '/nonexistent');
    expect(natsAvailable()).toBe(false);
    await expect(startNatsServer()).rejects.toThrow(NATS_INSTALL_MESSAGE);
  });
});

describe('freePort', () => {
  it('returns a port that can be bound', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
