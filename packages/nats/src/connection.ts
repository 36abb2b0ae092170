import { connect, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import { connectError } from './natsErrors.js';

/**
 * How to open a NATS connection: nats.js 3.x `NodeConnectionOptions` (`@nats-io/transport-node`),
 * passed to `connect()` untouched (token, user/pass, tls, authenticator, inboxPrefix,
 * reconnectTimeWait, …). `servers` defaults
 * to `TROUPE_NATS_URL`, else `nats://127.0.0.1:4222`; a comma-separated string names several.
 */
export type NatsConnectOptions = NodeConnectionOptions;

/** The servers a source points at, for messages. */
export function describeServers(options: NatsConnectOptions): string {
  const servers = options.servers ?? process.env.TROUPE_NATS_URL ?? 'nats://127.0.0.1:4222';
  return Array.isArray(servers) ? servers.join(',') : servers;
}

/**
 * Opens a connection that reconnects forever once established, but fails at
 * once on the first attempt, as `UnauthorizedError` for refused credentials
 * (never a retry loop on bad credentials) or `TransportError` otherwise.
 */
export async function openConnection(options: NatsConnectOptions = {}): Promise<NatsConnection> {
  const servers = describeServers(options);
  try {
    return await connect({
      name: 'troupe',
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      // Each request otherwise captures a stack trace for errors that rarely happen.
      noAsyncTraces: true,
      ...options,
      servers: servers.split(','),
      waitOnFirstConnect: false,
    });
  } catch (err) {
    throw connectError(err, servers);
  }
}

/** The inbox prefix a connection was opened with (nats.js keeps it on the connection's options). */
export function inboxPrefixOf(nc: NatsConnection): string | undefined {
  const options = (nc as { options?: { inboxPrefix?: unknown } }).options;
  return typeof options?.inboxPrefix === 'string' ? options.inboxPrefix : undefined;
}
