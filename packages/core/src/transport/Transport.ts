import type { Envelope } from '../messages/envelope.js';
import type { ProgressEvent } from '../progress/events.js';

/** How a transport hands a message to the runtime that hosts the addressed agent. */
export interface DeliveryOptions {
  /** Aborted when the sender cancels, or the deadline passes; its `reason` says which. May be a lazy getter: read it only when needed. */
  readonly signal: AbortSignal;
  /** Whether the sender waits for a reply (`ask`) or not (`tell`). */
  readonly expectsReply: boolean;
  /** Whether the sender gave up; when present, read instead of `signal` so no signal is created. */
  readonly aborted?: boolean;
  /** Why the sender gave up (with `aborted`). */
  readonly reason?: unknown;
  /** For a tell: the transport reports a failure itself (rate-limited), so the runtime does not log it. */
  readonly reportsFailures?: boolean;
}

/** The side of a runtime a transport talks to: local delivery of incoming messages. */
export interface TransportHost {
  /** The runtime's namespace (tenant / test isolation). */
  readonly namespace: string;
  /**
   * Delivers an envelope to a local agent. Resolves to the handler's reply
   * value; rejects with a `TroupeError` (validation, handler error, failure, …).
   * Never throws synchronously.
   */
  deliver(envelope: Envelope, options: DeliveryOptions): Promise<unknown>;
  /** Whether this host serves the agent type. */
  serves(type: string): boolean;
  /**
   * Drops keyed instance `type/key` without saving its state; what it has queued or running fails
   * with `reason`. For a transport that learned another process now owns the key.
   */
  evict?(type: string, key: string, reason: Error): void;
}

/** Options for one request over a transport. */
export interface RequestOptions {
  /** Aborting rejects the request with `signal.reason`, and tells the remote handler. May be a lazy getter. */
  readonly signal: AbortSignal;
  /** Milliseconds the sender will wait; transports may use it for their own timers. */
  readonly timeout: number;
  /** Whether the asker gave up; when present, read instead of `signal` so no signal is created. */
  readonly aborted?: boolean;
  /** Why the asker gave up (with `aborted`). */
  readonly reason?: unknown;
  /** Subscribes to the abort without creating a signal; returns the unsubscribe. */
  onAbort?(listener: (reason: unknown) => void): () => void;
}

/**
 * Carries envelopes between runtimes. The in-process transport calls the
 * host directly; the NATS transport maps addresses to subjects.
 */
export interface Transport {
  /** A short name for logs, e.g. `in-process` or `nats`. */
  readonly kind: string;
  /** Whether {@link Transport.publishProgress} sends events somewhere (the runtime skips building them otherwise). */
  readonly publishesProgress: boolean;
  /** Attaches the runtime that serves local agents. Called once by `createRuntime`. */
  attach(host: TransportHost): void;
  /** Starts routing messages for an agent type to the attached host. */
  serve(type: string): Promise<void>;
  /** Stops routing messages for an agent type to the attached host. */
  unserve(type: string): Promise<void>;
  /**
   * Sends a request and resolves to the reply value. Rejects with typed errors:
   * `NoRespondersError` when nobody serves the type, `signal.reason` when aborted,
   * the remote handler's error rebuilt from its wire form.
   */
  request(envelope: Envelope, options: RequestOptions): Promise<unknown>;
  /** Sends a message without waiting for a reply. Rejects with `NoRespondersError` when nobody serves the type. */
  post(envelope: Envelope): Promise<void>;
  /** Publishes a progress event for other processes (may be a no-op). */
  publishProgress(event: ProgressEvent): void;
  /** Stops serving, drains what is in flight and closes. Idempotent. */
  close(): Promise<void>;
}
