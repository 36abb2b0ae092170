import { type ConnectionOptions, connect, type NatsConnection } from 'nats';
import { connectError } from './natsErrors.js';

/** How to reach NATS: servers plus any nats.js connection option (token, user/pass, tls, authenticator…). */
export interface NatsConnectOptions extends Omit<ConnectionOptions, 'servers'> {
  /** Server URL(s), e.g. `nats://127.0.0.1:4222` (default: `TROUPE_NATS_URL`, else `nats://127.0.0.1:4222`). */
  servers?: string | string[];
}

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
export async function openConnection(options: NatsConnectOptions): Promise<NatsConnection> {
  const servers = describeServers(options);
  const { servers: _ignored, ...rest } = options;
  try {
    return await connect({
      name: 'troupe',
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      // Each request otherwise captures a stack trace for errors that rarely happen.
      noAsyncTraces: true,
      ...rest,
      servers: servers.split(','),
      waitOnFirstConnect: false,
    });
  } catch (err) {
    throw connectError(err, servers);
  }
}
