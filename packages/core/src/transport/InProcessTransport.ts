import { ClosedError, NoRespondersError, ValidationError } from '../errors/errors.js';
import { copyValue } from '../messages/copy.js';
import type { Envelope } from '../messages/envelope.js';
import type { DeliveryOptions, RequestOptions, Transport, TransportHost } from './Transport.js';

/** Hosts by namespace and agent type, shared by every transport made from one {@link InProcessBus}. */
type Routes = Map<string, Map<string, TransportHost[]>>;

/**
 * A bus that several in-process runtimes can share, so that agents in one
 * runtime can ask agents in another (as workers on NATS would), with no I/O.
 */
export class InProcessBus {
  /** @internal */
  readonly routes: Routes = new Map();
  /** @internal round-robin cursor per namespace/type */
  readonly cursor = new Map<string, number>();

  /** A transport on this bus, for one runtime. */
  transport(): InProcessTransport {
    return new InProcessTransport({ bus: this });
  }
}

/** Options of {@link InProcessTransport}. */
export interface InProcessTransportOptions {
  /** A shared bus; by default each transport has its own. */
  bus?: InProcessBus;
}

/**
 * The default transport: messages are handed to the hosting runtime
 * directly, with no serialization; the receiver gets its own copy of the
 * payload and the asker its own copy of the reply (`copyValue`: frozen values
 * are shared), so a program behaves as it does over NATS. Types served by
 * several runtimes on one bus are load-balanced round-robin.
 */
export class InProcessTransport implements Transport {
  readonly kind = 'in-process';
  readonly publishesProgress = false;
  readonly #bus: InProcessBus;
  #host: TransportHost | undefined;
  #closed = false;

  constructor(options: InProcessTransportOptions = {}) {
    this.#bus = options.bus ?? new InProcessBus();
  }

  attach(host: TransportHost): void {
    if (this.#host && this.#host !== host)
      throw new ValidationError(
        'InProcessTransport is already attached to a runtime: give each runtime its own (share an InProcessBus instead)',
        { issues: [{ path: 'transport', message: 'already attached' }] },
      );
    this.#host = host;
  }

  async serve(type: string): Promise<void> {
    const host = this.#requireHost();
    let byType = this.#bus.routes.get(host.namespace);
    if (!byType) {
      byType = new Map();
      this.#bus.routes.set(host.namespace, byType);
    }
    const hosts = byType.get(type) ?? [];
    if (!hosts.includes(host)) byType.set(type, [...hosts, host]);
  }

  async unserve(type: string): Promise<void> {
    const host = this.#host;
    if (!host) return;
    const byType = this.#bus.routes.get(host.namespace);
    const hosts = byType?.get(type);
    if (!byType || !hosts) return;
    const rest = hosts.filter((h) => h !== host);
    if (rest.length > 0) byType.set(type, rest);
    else byType.delete(type);
  }

  request(envelope: Envelope, options: RequestOptions): Promise<unknown> {
    const target = this.#route(envelope);
    if (target instanceof Error) return Promise.reject(target);
    // The runtime's own request options double as delivery options, so no AbortSignal is made unless read.
    try {
      receiverCopy(envelope);
    } catch (err) {
      return Promise.reject(err);
    }
    // The runtime's own ask control: its delivery copies the reply as it settles (no extra promise).
    if ('expectsReply' in options)
      return target.deliver(envelope, options as RequestOptions & DeliveryOptions);
    return target
      .deliver(envelope, { signal: options.signal, expectsReply: true })
      .then((value) => copyValue(value, `reply to '${envelope.type}'`));
  }

  post(envelope: Envelope): Promise<void> {
    const target = this.#route(envelope);
    if (target instanceof Error) return Promise.reject(target);
    try {
      receiverCopy(envelope);
    } catch (err) {
      return Promise.reject(err);
    }
    // A tell's outcome belongs to the receiver; failures are reported through progress, not here.
    target.deliver(envelope, { signal: NEVER, expectsReply: false }).catch(() => {});
    return Promise.resolve();
  }

  publishProgress(): void {}

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const host = this.#host;
    if (!host) return;
    for (const byType of this.#bus.routes.values()) {
      for (const [type, hosts] of byType) {
        const rest = hosts.filter((h) => h !== host);
        if (rest.length > 0) byType.set(type, rest);
        else byType.delete(type);
      }
    }
  }

  #requireHost(): TransportHost {
    if (!this.#host)
      throw new ValidationError('InProcessTransport is not attached to a runtime', {
        issues: [{ path: 'transport', message: 'not attached' }],
      });
    return this.#host;
  }

  #route(envelope: Envelope): TransportHost | Error {
    if (this.#closed) return new ClosedError('transport is closed');
    const ns = this.#host?.namespace ?? '';
    const hosts = this.#bus.routes.get(ns)?.get(envelope.to.type);
    if (!hosts || hosts.length === 0) {
      return new NoRespondersError(`no agent of type '${envelope.to.type}' in namespace '${ns}'`, {
        data: { type: envelope.to.type, namespace: ns },
      });
    }
    if (hosts.length === 1) return hosts[0] as TransportHost;
    // Keyed messages must always reach the same host; un-keyed ones rotate.
    if (envelope.to.key !== undefined) return hosts[hashKey(envelope.to.key) % hosts.length] as TransportHost;
    const slot = `${ns}/${envelope.to.type}`;
    const i = ((this.#bus.cursor.get(slot) ?? -1) + 1) % hosts.length;
    this.#bus.cursor.set(slot, i);
    return hosts[i] as TransportHost;
  }
}

const NEVER = new AbortController().signal;

/**
 * Value semantics, as over NATS: the receiver gets its own copy of the payload, and the asker its
 * own copy of the reply, so no change on one side is seen on the other. Frozen values (payloads
 * of a message defined with `immutable: true`, replies passed through `deepFreeze`) are shared
 * as they are. The envelope was made for this one delivery, so its payload is replaced in place.
 */
function receiverCopy(envelope: Envelope): void {
  envelope.payload = copyValue(envelope.payload, `'${envelope.type}' payload`);
}

function hashKey(key: string): number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return h >>> 0;
}
