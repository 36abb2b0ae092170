import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The subprotocol prefix that carries a token on a browser WebSocket: `bearer.<token>`. */
export const BEARER_PROTOCOL = 'bearer.';

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Whether `given` is `token`, compared in constant time. */
export function tokenMatches(token: string, given: string | undefined): boolean {
  return given !== undefined && timingSafeEqual(digest(token), digest(given));
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerOf(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  const match = typeof auth === 'string' ? /^Bearer\s+(.+)$/i.exec(auth.trim()) : null;
  return match?.[1];
}

/** The token of a `Sec-WebSocket-Protocol: …, bearer.<token>` offer. */
export function protocolTokenOf(headers: IncomingHttpHeaders): string | undefined {
  const offered = headers['sec-websocket-protocol'];
  if (typeof offered !== 'string') return undefined;
  const p = offered
    .split(',')
    .map((s) => s.trim())
    .find((s) => s.startsWith(BEARER_PROTOCOL));
  return p?.slice(BEARER_PROTOCOL.length);
}

/** The `token` query parameter of a request URL. */
export function queryTokenOf(url: string): string | undefined {
  const q = url.indexOf('?');
  return q < 0 ? undefined : (new URLSearchParams(url.slice(q + 1)).get('token') ?? undefined);
}

/** A URL with its `token` query parameter masked, for logs. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  // Each parameter's name as the server decodes it (`%74oken` is `token`), so no spelling slips by.
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      return eq >= 0 && decodedName(name) === 'token' ? `${name}=***` : pair;
    });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

function decodedName(name: string): string {
  try {
    return decodeURIComponent(name.replaceAll('+', ' ')).toLowerCase();
  } catch {
    return name.toLowerCase();
  }
}
