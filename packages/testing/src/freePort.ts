import { createServer } from 'node:net';

/**
 * Returns a TCP port on 127.0.0.1 that was free a moment ago.
 * Another process may grab it before you bind, so prefer letting the server pick (`port: -1`) when possible.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = srv.address();
      const port = typeof address === 'object' && address !== null ? address.port : undefined;
      srv.close((err) => {
        if (err) reject(err);
        else if (port === undefined) reject(new Error('could not determine a free port'));
        else resolve(port);
      });
    });
  });
}
