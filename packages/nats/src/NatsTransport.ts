import { type NatsConnection, nuid, PermissionViolationError, type Status } from '@nats-io/transport-node';
import {
  ClosedError,
  createLogger,
  type Envelope,
  type Logger,
  type ProgressEvent,
  type RequestOptions,
  type Transport,
  type TransportHost,
  type TroupeError,
  ValidationError,
} from '@troupe/core';
import { AgentEndpoint } from './AgentEndpoint.js';
import { inboxPrefixOf, type NatsConnectOptions, openConnection } from './connection.js';
import { LogDigest } from './LogDigest.js';
import { natsFailure, publishDenied } from './natsErrors.js';
import { ProgressPublisher } from './ProgressPublisher.js';
import type { ProgressStreamOptions } from './progressStream.js';
import { Requester } from './Requester.js';
import { emptyStats, type NatsTransportStats } from './stats.js';

/**
 * Options of {@link NatsTransport}: how to reach NATS (`connection`, or an open `nc`) and
 * Troupe's own settings. nats.js options live under `connection` only, so none of Troupe's
 * settings can leak into nats.js `connect()`, nor a nats.js option be mistaken for one of ours.
 */
export interface NatsTransportOptions {
  /**
   * How to open the connection: nats.js `NodeConnectionOptions` (`@nats-io/transport-node`), passed
   * through untouched (`servers`, `token`, `user`/`pass`, `tls`, `authenticator`, `inboxPrefix`, …). `servers`
   * defaults to `TROUPE_NATS_URL`, else `nats://127.0.0.1:4222`.
   */
  connection?: NatsConnectOptions;
  /** An open connection to use instead of `connection`; the transport leaves it open on close. */
  nc?: NatsConnection;
  /** Refuse messages larger than this, bytes (never more than the server's `max_payload`). */
  maxPayload?: number;
  /** This process's worker id in subjects and the owners bucket (default: a fresh NUID). */
  workerId?: string;
  /**
   * Progress publishing: limits of the namespace's JetStream stream (default: events kept 24 h),
   * or `false` to publish none (the runtime then builds no events unless `progress$` is observed).
   */
  progress?: ProgressStreamOptions | false;
  /** How long `close()` waits for messages being handled before aborting them, ms (default 10 000). */
  closeTimeout?: number;
  /** How long a tell waits for the receiver to accept it, ms (default 5 000). */
  tellTimeout?: number;
  /** Where the transport logs (default: stderr at `TROUPE_LOG` or `warn`). */
  logger?: Logger;
}

/** What {@link NatsTransport.stats} returns: counters plus what is in flight now. */
export interface NatsTransportSnapshot extends NatsTransportStats {
  /** Messages this process is handling for remote askers. */
  inFlight: number;
  /** Requests this process is waiting on. */
  pending: number;
}

/**
 * A {@link Transport} over NATS: asks are request/reply on `troupe.<ns>.agent.<type>` (any
 * instance) or the owning worker's subject (keyed instances), cancellation travels on
 * `troupe.<ns>.control.<runId>`, progress goes to a JetStream stream.
 * @example
 * const transport = await connectNats({ connection: { servers: 'nats://127.0.0.1:4222' } });
 * await using runtime = createRuntime({ transport, namespace: 'demo' });
 */
export class NatsTransport implements Transport, AsyncDisposable {
  readonly kind = 'nats';
  readonly publishesProgress: boolean;
  /** This process's id among workers (subjects, owners bucket). */
  readonly workerId: string;
  readonly #options: NatsTransportOptions;
  readonly #logger: Logger;
  readonly #digest: LogDigest;
  readonly #stats = emptyStats();
  readonly #ownsConnection: boolean;
  readonly #connecting: Promise<NatsConnection>;
  readonly #closed: Promise<TroupeError | undefined>;
  #markClosed: (outcome: TroupeError | undefined) => void = () => {};
  #nc: NatsConnection | undefined;
  #host: TransportHost | undefined;
  #progress: ProgressPublisher | undefined;
  #endpoint: AgentEndpoint | undefined;
  #requester: Requester | undefined;
  #setup: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  /** @throws {ValidationError} when both `connection` and `nc` are given. */
  constructor(options: NatsTransportOptions = {}) {
    if (options.connection !== undefined && options.nc !== undefined) {
      throw new ValidationError('NatsTransport takes `connection` (options to open one) or `nc`, not both', {
        issues: [{ path: 'connection', message: 'give either connection or nc' }],
      });
    }
    this.#options = options;
    this.workerId = options.workerId ?? nuid.next();
    this.publishesProgress = options.progress !== false;
    this.#logger = options.logger ?? createLogger({ name: 'troupe:nats' });
    this.#digest = new LogDigest(this.#logger);
    this.#ownsConnection = options.nc === undefined;
    this.#closed = new Promise((resolve) => {
      this.#markClosed = resolve;
    });
    this.#connecting = options.nc ? Promise.resolve(options.nc) : openConnection(options.connection);
    this.#connecting.then(
      (nc) => this.#connected(nc),
      (err: unknown) => this.#markClosed(natsFailure(err, 'connecting to NATS')),
    );
  }

  /** The connection, once open. */
  get connection(): NatsConnection | undefined {
    return this.#nc;
  }

  /** Resolves once connected; rejects with `UnauthorizedError` or `TransportError` when that failed. */
  async ready(): Promise<void> {
    await this.#connecting;
  }

  /**
   * Resolves once the transport is closed for good: with nothing after `close()`, or with the
   * typed error (`TransportError`, `UnauthorizedError`) that ended it. Never rejects.
   */
  closed(): Promise<TroupeError | undefined> {
    return this.#closed;
  }

  /** @throws {ValidationError} when already attached to another runtime. */
  attach(host: TransportHost): void {
    if (this.#host && this.#host !== host)
      throw new ValidationError('NatsTransport is already attached to a runtime: give each runtime its own', {
        issues: [{ path: 'transport', message: 'already attached' }],
      });
    this.#host = host;
    if (this.publishesProgress) {
      this.#progress = new ProgressPublisher({
        namespace: host.namespace,
        logger: this.#logger,
        stats: this.#stats,
      });
    }
    // Sets up the progress stream as soon as connected, so the first events are kept for late subscribers.
    this.#ready().catch(() => {});
  }

  /** Subscribes to a type's subjects. Rejects with `ClosedError`, `UnauthorizedError` or `TransportError`. */
  async serve(type: string): Promise<void> {
    if (this.#closing) throw new ClosedError('transport is closed');
    await this.#ready();
    try {
      await (this.#endpoint as AgentEndpoint).serve(type);
    } catch (err) {
      throw natsFailure(err, `serving '${type}'`);
    }
  }

  async unserve(type: string): Promise<void> {
    this.#endpoint?.unserve(type);
  }

  request(envelope: Envelope, options: RequestOptions): Promise<unknown> {
    if (this.#closing) return Promise.reject(new ClosedError('transport is closed'));
    const requester = this.#requester;
    if (requester) return requester.request(envelope, options, false);
    return this.#ready().then(() => (this.#requester as Requester).request(envelope, options, false));
  }

  async post(envelope: Envelope): Promise<void> {
    if (this.#closing) throw new ClosedError('transport is closed');
    if (!this.#requester) await this.#ready();
    const timeout = this.#options.tellTimeout ?? 5_000;
    await (this.#requester as Requester).request(envelope, { signal: NEVER, timeout }, true);
  }

  publishProgress(event: ProgressEvent): void {
    this.#progress?.publish(event);
  }

  /** Counters since creation, and what is in flight now. */
  stats(): NatsTransportSnapshot {
    return {
      ...this.#stats,
      inFlight: this.#endpoint?.inFlight ?? 0,
      pending: this.#requester?.pending ?? 0,
    };
  }

  /**
   * Stops serving, waits for messages being handled (up to `closeTimeout`),
   * aborts the rest, fails pending requests with `ClosedError`, and closes the
   * connection if the transport opened it. Idempotent; never rejects.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Connected and attached, with the progress stream in place. */
  #ready(): Promise<void> {
    if (!this.#host)
      return Promise.reject(
        new ValidationError('NatsTransport is not attached to a runtime: pass it to createRuntime first', {
          issues: [{ path: 'transport', message: 'not attached' }],
        }),
      );
    this.#setup ??= this.#connecting.then(async (nc) => {
      this.#bind(nc, this.#host as TransportHost);
      const { progress } = this.#options;
      if (progress !== false) await this.#progress?.start(nc, progress ?? {});
    });
    return this.#setup;
  }

  #connected(nc: NatsConnection): void {
    this.#nc = nc;
    void this.#watch(nc);
    nc.closed().then(
      (err) => this.#markClosed(err ? natsFailure(err, 'the NATS connection') : undefined),
      (err: unknown) => this.#markClosed(natsFailure(err, 'the NATS connection')),
    );
  }

  #bind(nc: NatsConnection, host: TransportHost): void {
    if (this.#requester) return;
    const maxPayload = () =>
      Math.min(this.#options.maxPayload ?? Number.POSITIVE_INFINITY, nc.info?.max_payload ?? 1024 * 1024);
    const inboxPrefix = inboxPrefixOf(nc);
    this.#requester = new Requester({
      connection: nc,
      namespace: host.namespace,
      maxPayload,
      stats: this.#stats,
      isClosing: () => this.#closing !== undefined,
      ...(inboxPrefix === undefined ? {} : { inboxPrefix }),
    });
    this.#endpoint = new AgentEndpoint({
      connection: nc,
      host,
      workerId: this.workerId,
      maxPayload,
      logger: this.#logger,
      digest: this.#digest,
      stats: this.#stats,
      afterReply: () => this.#progress?.flush(),
    });
  }

  /** Every nats.js status event: outages (ownership may have moved), and the server's refusals. */
  async #watch(nc: NatsConnection): Promise<void> {
    try {
      for await (const status of nc.status()) this.#onStatus(status);
    } catch (err) {
      this.#logger.debug('status watch ended', { error: (err as Error).message });
    }
  }

  #onStatus(status: Status): void {
    switch (status.type) {
      case 'disconnect':
        this.#stats.disconnects++;
        this.#logger.info('NATS disconnected; reconnecting');
        this.#endpoint?.disconnected();
        return;
      case 'reconnect':
        this.#stats.reconnects++;
        this.#logger.info('NATS reconnected');
        this.#requester?.forgetOwners();
        this.#endpoint?.reconnected().catch((err: unknown) => {
          this.#logger.warn('could not confirm keyed instances after reconnecting', {
            error: (err as Error).message,
          });
        });
        return;
      case 'error': {
        const denied = status.error instanceof PermissionViolationError ? status.error : undefined;
        // Refused subscriptions fail in their own callbacks; a refusal naming no subject names nothing to fail.
        if (denied?.operation !== 'publish' || denied.subject === '') return;
        const failed = this.#requester?.failPublished(denied.subject, publishDenied(denied.subject)) ?? 0;
        this.#stats.denied += failed;
        this.#digest.warn('publishes refused', `NATS refused a publish to ${denied.subject} (permissions)`, {
          failed,
        });
        return;
      }
      default:
    }
  }

  async #close(): Promise<void> {
    const nc = await this.#connecting.catch(() => undefined);
    if (!nc) return;
    await this.#endpoint?.close(this.#options.closeTimeout ?? 10_000);
    this.#progress?.stop();
    this.#requester?.failPending(new ClosedError('transport closed'));
    this.#requester?.close();
    this.#digest.flush();
    if (!nc.isClosed()) {
      await withTimeout(nc.flush(), 2_000).catch(() => {});
      if (this.#ownsConnection) await nc.close().catch(() => {});
    }
    this.#markClosed(undefined);
  }
}

/**
 * Connects to NATS and returns a ready {@link NatsTransport}. Fails fast:
 * `UnauthorizedError` when the server refuses the credentials, `TransportError`
 * when it cannot be reached; once connected, it reconnects forever.
 * @example
 * const transport = await connectNats({ connection: { servers: 'nats://127.0.0.1:4222', token: 's3cret' } });
 */
export async function connectNats(options: NatsTransportOptions = {}): Promise<NatsTransport> {
  const transport = new NatsTransport(options);
  await transport.ready();
  return transport;
}

const NEVER = new AbortController().signal;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, ms, undefined);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
