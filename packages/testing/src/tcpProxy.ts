import { createServer, type Socket, connect as tcpConnect } from 'node:net';

/** A TCP proxy in front of a server, to partition one client from it on demand. */
export interface TcpProxy extends AsyncDisposable {
  /** `nats://127.0.0.1:<port>`: give this to the client to partition. */
  readonly url: string;
  readonly port: number;
  /** Connections passed through so far. */
  readonly connections: number;
  /** Partitions: drops every connection at once (both sides see it closed) and refuses new ones. */
  cut(): void;
  /** Heals: accepts and passes through connections again. */
  heal(): void;
  /** Drops everything and stops listening. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts a TCP proxy on 127.0.0.1 (a free port) forwarding to `target` on 127.0.0.1. Cutting
 * closes both sides of every connection, so the server drops the client's subscriptions at once
 * and the client starts reconnecting; new connections are closed on arrival until `heal()`.
 */
export async function startTcpProxy(options: { target: number }): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let open = true;
  let connections = 0;
  const server = createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    connections++;
    const upstream = tcpConnect({ host: '127.0.0.1', port: options.target });
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : -1);
    });
  });
  const dropAll = () => {
    for (const [a, b] of [...pairs]) {
      a.destroy();
      b.destroy();
    }
    pairs.clear();
  };
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      open = false;
      dropAll();
      server.close(() => resolve());
    });
    return closing;
  };
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    get connections() {
      return connections;
    },
    cut() {
      open = false;
      dropAll();
    },
    heal() {
      open = true;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
