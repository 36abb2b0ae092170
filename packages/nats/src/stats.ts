/** Counters of a {@link NatsTransport}, since it was created. */
export interface NatsTransportStats {
  /** Requests (asks) sent. */
  requests: number;
  /** Tells sent. */
  tells: number;
  /** Messages received on agent subjects. */
  received: number;
  /** Messages handed to the local runtime. */
  delivered: number;
  /** Replies sent (results and errors). */
  replied: number;
  /** Received messages refused as invalid (bad headers, JSON, schema, size). */
  invalid: number;
  /** Invalid messages that had no reply subject, so nobody could be told. */
  invalidDropped: number;
  /** Locate requests answered or routed (an asker learning which worker owns a key). */
  locates: number;
  /** Keyed messages forwarded to the worker that owns the key. */
  forwarded: number;
  /** Keys claimed from a worker that had gone away. */
  takeovers: number;
  /** Keys this worker found taken over while it was unreachable (their instances dropped). */
  lost: number;
  /** Times the connection dropped. */
  disconnects: number;
  /** Times the connection came back after dropping. */
  reconnects: number;
  /** Asks and tells failed with `UnauthorizedError` because the server refused a publish or subscription. */
  denied: number;
  /** Deliveries aborted by a cancel from the asker. */
  cancelled: number;
  /** Deliveries aborted because their deadline passed. */
  expired: number;
  /** Malformed control messages ignored. */
  badControl: number;
  /** Progress events published. */
  progressPublished: number;
  /** Progress events that could not be published. */
  progressDropped: number;
}

/** A zeroed {@link NatsTransportStats}. */
export function emptyStats(): NatsTransportStats {
  return {
    requests: 0,
    tells: 0,
    received: 0,
    delivered: 0,
    replied: 0,
    invalid: 0,
    invalidDropped: 0,
    locates: 0,
    forwarded: 0,
    takeovers: 0,
    lost: 0,
    disconnects: 0,
    reconnects: 0,
    denied: 0,
    cancelled: 0,
    expired: 0,
    badControl: 0,
    progressPublished: 0,
    progressDropped: 0,
  };
}
