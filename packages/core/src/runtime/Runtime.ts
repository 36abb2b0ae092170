import { type Observable, Subject } from 'rxjs';
import type { AgentDef } from '../agent/defineAgent.js';
import type { AgentRef, AgentTarget, AskOptions, Protocol, TellOptions } from '../agent/types.js';
import { CancelledError, ClosedError, NoRespondersError, ValidationError } from '../errors/errors.js';
import { createLogger, type Logger } from '../logger.js';
import { type AgentAddress, formatAddress, isValidKey } from '../messages/address.js';
import type { Envelope, Message } from '../messages/envelope.js';
import type { ProgressEvent, ProgressInput } from '../progress/events.js';
import { completedEvent, failureEvent } from '../progress/outcome.js';
import type { Store } from '../store/Store.js';
import { InProcessTransport } from '../transport/InProcessTransport.js';
import type { DeliveryOptions, Transport, TransportHost } from '../transport/Transport.js';
import { AgentHost, type RegisterOptions } from './AgentHost.js';
import { AskControl } from './AskControl.js';
import { askChainOf } from './askChain.js';
import { BoundRef } from './BoundRef.js';
import { Deadlines } from './Deadlines.js';
import type { Delivery } from './Delivery.js';
import { drain, noop, TELL } from './drain.js';
import type { Instance } from './Instance.js';
import type { RuntimeInternals } from './internals.js';
import { newEnvelope } from './newEnvelope.js';
import { isAbortSignal, signalError } from './signals.js';
import { timeoutError as badTimeout, checkTimeout, isTimeout, longTimeout } from './timeouts.js';
import { endWhenSettled, startSendSpan } from './tracing.js';

/** Options of {@link createRuntime}. */
export interface RuntimeOptions {
  /** How messages travel (default: a new {@link InProcessTransport}). */
  transport?: Transport;
  /** Isolates tenants and test runs sharing a transport (default `default`). */
  namespace?: string;
  /** Persistence for passivated agent state, checkpoints and results. */
  store?: Store;
  /** Default ask timeout, ms (default 30 000; `Infinity` for none). `createRuntime` throws `ValidationError` unless it is above 0. */
  defaultTimeout?: number;
  /** How long `close()` waits for in-flight work before aborting it, ms (default 10 000; `Infinity`: as long as it takes). */
  closeTimeout?: number;
  /** Where the runtime logs (default: stderr at `TROUPE_LOG` or `warn`). */
  logger?: Logger;
}

/** Options of {@link Runtime.close}. */
export interface CloseOptions {
  /** How long to wait for in-flight work before aborting it, ms (`Infinity`: as long as it takes); `close` rejects with `ValidationError` unless above 0. */
  timeout?: number;
}

const NAMESPACE = /^[A-Za-z0-9_-]+$/;

/**
 * Hosts agents as XState actors and routes messages to them, locally or
 * through its transport. Make one with {@link createRuntime}.
 */
export class Runtime implements TransportHost, RuntimeInternals, AsyncDisposable {
  readonly namespace: string;
  readonly transport: Transport;
  readonly store: Store | undefined;
  readonly logger: Logger;
  readonly defaultTimeout: number;
  /** Every progress event this runtime emits (handlers' and its own). */
  readonly progress$: Observable<ProgressEvent>;
  readonly #subject = new Subject<ProgressEvent>();
  readonly #hosts = new Map<string, AgentHost>();
  readonly #closeTimeout: number;
  /** The ask timeouts: one timer for all of them. */
  readonly #deadlines = new Deadlines({ keepsAlive: true });
  #seq = 0;
  #closing: Promise<void> | undefined;
  /** Set once close() stopped waiting for in-flight work: from then on nothing is accepted. */
  #drained = false;

  constructor(options: RuntimeOptions = {}) {
    const namespace = options.namespace ?? 'default';
    if (!NAMESPACE.test(namespace)) {
      throw new ValidationError(`invalid namespace '${namespace}': use [A-Za-z0-9_-]`, {
        issues: [{ path: 'namespace', message: 'must match [A-Za-z0-9_-]+' }],
      });
    }
    this.namespace = namespace;
    this.transport = options.transport ?? new InProcessTransport();
    this.store = options.store;
    this.logger = options.logger ?? createLogger({ name: `troupe:${namespace}` });
    this.defaultTimeout = checkTimeout(options.defaultTimeout ?? 30_000, 'defaultTimeout');
    this.#closeTimeout = checkTimeout(options.closeTimeout ?? 10_000, 'closeTimeout');
    this.progress$ = this.#subject.asObservable();
    this.transport.attach(this);
  }

  /** Hosts an agent type here; messages to it start flowing once the promise resolves. */
  async register(def: AgentDef, options: RegisterOptions = {}): Promise<void> {
    if (this.#closing) throw new ClosedError('runtime is closed');
    if (this.#hosts.has(def.type)) {
      throw new ValidationError(`agent type '${def.type}' is already registered`, {
        issues: [{ path: 'type', message: 'already registered' }],
      });
    }
    const host = new AgentHost(this, def, options);
    this.#hosts.set(def.type, host);
    try {
      await this.transport.serve(def.type);
    } catch (err) {
      this.#hosts.delete(def.type);
      await host.close(new ClosedError(`could not serve '${def.type}'`));
      throw err;
    }
  }

  /**
   * A ref to an agent: a definition or `{ type }` means any instance, `{ type, key }` (or a key
   * argument) that one instance.
   */
  ref<P extends Protocol>(def: AgentDef<string, P>, key?: string): AgentRef<P>;
  ref<P extends Protocol = Record<string, { payload: unknown; reply: unknown }>>(
    address: AgentAddress,
  ): AgentRef<P>;
  ref(target: AgentDef | AgentAddress, key?: string): AgentRef {
    const address: AgentAddress = 'kind' in target ? { type: target.type } : { ...target };
    if (key !== undefined) address.key = key;
    if (address.key !== undefined && !isValidKey(address.key)) {
      throw new ValidationError(`invalid agent key '${address.key}': use up to 256 of [A-Za-z0-9_:=@+-]`, {
        issues: [{ path: 'key', message: 'invalid agent key' }],
      });
    }
    return new BoundRef(this, address);
  }

  /** Emits a progress event on `progress$` (and the transport, if it publishes progress). */
  emit(event: Omit<ProgressEvent, 'seq' | 'ts'> & { ts?: number }): void {
    if (!this.#wantsProgress()) return;
    this.#publish({ ...event, ts: event.ts ?? Date.now(), seq: ++this.#seq } as ProgressEvent);
  }

  /** Whether anyone receives progress events (a `progress$` subscriber or a publishing transport); emit nothing otherwise. */
  get wantsProgress(): boolean {
    return this.#wantsProgress();
  }

  /** Counts of what this runtime holds now. */
  stats(): { types: number; instances: number; busy: number } {
    let instances = 0;
    let busy = 0;
    for (const host of this.#hosts.values()) {
      instances += host.instances.size;
      for (const i of host.instances.values()) if (i.load > 0) busy++;
    }
    return { types: this.#hosts.size, instances, busy };
  }

  /**
   * Restarts a live instance now: the handler it runs (a hung one, say) is abandoned and its asker
   * answered with `CancelledError` (late result dropped); the committed state and queued messages
   * are kept. Returns false when no such instance lives here. For a type's pooled instances
   * (`ref({ type })`), the keys are `_0`, `_1`, ….
   */
  restart(address: { type: string; key: string }): boolean {
    const reason = new CancelledError(`${formatAddress(address)} restarted`);
    return this.#hosts.get(address.type)?.restart(address.key, reason) ?? false;
  }

  /** The agent types registered here, in registration order. */
  types(): string[] {
    return [...this.#hosts.keys()];
  }

  /**
   * Stops taking work, waits for in-flight messages (up to the close timeout),
   * aborts what is left, stops every actor and closes the transport. Idempotent.
   * Draining: asks and tells from outside a handler, or from a handler whose message was already
   * answered, fail with `ClosedError` at once; a handler still in flight may ask and tell other
   * agents (their handlers too, nested), here or elsewhere, until the drain ends.
   */
  close(options: CloseOptions = {}): Promise<void> {
    const timeout = options.timeout ?? this.#closeTimeout;
    if (!isTimeout(timeout)) return Promise.reject(badTimeout(timeout, 'timeout'));
    this.#closing ??= this.#close(timeout);
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** @internal TransportHost: a message for a local agent. */
  deliver(envelope: Envelope, options: DeliveryOptions): Promise<unknown> {
    const host = this.#hosts.get(envelope.to.type);
    if (!host) {
      return Promise.reject(
        new NoRespondersError(`no agent of type '${envelope.to.type}' here`, {
          data: { type: envelope.to.type },
        }),
      );
    }
    return host.deliver(envelope, options);
  }

  /** @internal TransportHost */
  serves(type: string): boolean {
    return this.#hosts.has(type);
  }

  /** @internal TransportHost: drops a keyed instance (its key moved to another process). */
  evict(type: string, key: string, reason: Error): void {
    this.#hosts.get(type)?.evict(key, reason);
  }

  /** @internal */
  askFrom(
    target: AgentTarget,
    message: Message,
    options: AskOptions | undefined,
    parent: Delivery | undefined,
  ): Promise<unknown> {
    if (this.#closing && !this.#drains(parent)) return Promise.reject(new ClosedError('runtime is closed'));
    const now = Date.now();
    const timeout = options?.timeout;
    if (timeout !== undefined && !isTimeout(timeout)) return Promise.reject(badTimeout(timeout, 'timeout'));
    const signal = options?.signal;
    if (signal !== undefined && !isAbortSignal(signal)) return Promise.reject(signalError('signal'));
    let deadline = now + (timeout ?? this.defaultTimeout);
    const parentDeadline = parent?.envelope.deadline;
    if (parentDeadline !== undefined && parentDeadline < deadline) deadline = parentDeadline;
    // No deadline at all (`Infinity`): nothing to carry, and JSON could not carry it.
    const envelope = newEnvelope(
      target,
      message,
      options,
      parent,
      now,
      deadline === Number.POSITIVE_INFINITY ? undefined : deadline,
    );
    const chain = askChainOf(parent);
    if (chain !== undefined) envelope.chain = chain;
    const control = new AskControl();
    control.envelope = envelope;
    control.timeoutAt(deadline, now, this.#deadlines);
    if (signal) control.link(signal);
    if (parent) {
      const parentControl = parent.control;
      if (parentControl) control.follow(parentControl);
      else control.link(parent.signal);
    }
    if (control.aborted) return Promise.reject(control.reason);
    if (parent) control.countIn(parent);
    const span = startSendSpan(envelope, parent, options, true);
    if (span) return endWhenSettled(span, this.#request(envelope, control));
    return this.#request(envelope, control);
  }

  #request(envelope: Envelope, control: AskControl): Promise<unknown> {
    let reply: Promise<unknown>;
    try {
      reply = this.transport.request(envelope, control);
    } catch (err) {
      // A transport that throws instead of rejecting still gives the asker a rejected promise.
      control.dispose();
      return Promise.reject(err);
    }
    if (this.#closing) reply = reply.catch((err: unknown) => this.#here(err, envelope, control));
    // In-process, the delivery releases the control when it settles: no wrapper promise needed.
    if (control.disposedOnSettle) return reply;
    return reply.then(
      (value) => {
        control.dispose();
        return value;
      },
      (err: unknown) => {
        control.dispose();
        throw err;
      },
    );
  }

  /** @internal */
  tellFrom(
    target: AgentTarget,
    message: Message,
    options: TellOptions | undefined,
    parent: Delivery | undefined,
  ): Promise<void> {
    if (this.#closing && !this.#drains(parent)) return Promise.reject(new ClosedError('runtime is closed'));
    const envelope = newEnvelope(target, message, options, parent, Date.now());
    const span = startSendSpan(envelope, parent, options, false);
    const posted = span ? endWhenSettled(span, this.transport.post(envelope)) : this.transport.post(envelope);
    // Accepted here, its outcome is the receiver's (as for any tell).
    return this.#closing ? posted.catch(async (e) => void this.#here(e, envelope, TELL).catch(noop)) : posted;
  }

  /** While closing: whether a message from `parent` belongs to the in-flight work being drained. */
  #drains(parent: Delivery | undefined): boolean {
    return parent !== undefined && !parent.settled && !this.#drained;
  }

  /** A drained handler's message the transport cannot route (its types are unserved) goes to the local host. */
  #here(err: unknown, envelope: Envelope, options: DeliveryOptions): Promise<unknown> {
    if (!(err instanceof NoRespondersError) || this.#drained || !this.#hosts.has(envelope.to.type)) throw err;
    return this.deliver(envelope, options);
  }

  /** @internal */
  emitFor(d: Delivery, instance: Instance | undefined, input: ProgressInput): void {
    if (!this.#wantsProgress()) return;
    const event = {
      ...input,
      runId: d.runId,
      taskId: input.taskId ?? d.taskId,
      ts: Date.now(),
      seq: ++this.#seq,
    } as ProgressEvent;
    if (event.parentId === undefined && input.taskId !== undefined && input.taskId !== d.taskId)
      event.parentId = d.taskId;
    else if (event.parentId === undefined && d.envelope.parentId !== undefined)
      event.parentId = d.envelope.parentId;
    if (event.agent === undefined && instance) event.agent = instance.label;
    this.#publish(event);
  }

  /** @internal */
  reportStarted(d: Delivery, instance: Instance): void {
    if (!this.#wantsLifecycle(d)) return;
    const event = this.#taskEvent('task.started', d, instance);
    event.name = d.envelope.type;
    this.#publish(event as ProgressEvent, d.envelope.runId !== undefined);
  }

  /** @internal */
  reportOutcome(d: Delivery, instance: Instance | undefined, value: unknown, error: Error | undefined): void {
    if (error && !d.expectsReply && !d.reportsFailures) {
      this.logger.warn(`tell '${d.envelope.type}' to ${formatAddress(d.envelope.to)} failed`, {
        error: error.message,
      });
    }
    if (!this.#wantsLifecycle(d)) return;
    const outcome = error ? failureEvent(error) : completedEvent(value);
    const event = Object.assign(this.#taskEvent(outcome.kind, d, instance), outcome);
    this.#publish(event as ProgressEvent, d.envelope.runId !== undefined);
  }

  /** The runtime's own events around a delivery, built field by field (this runs twice per ask). */
  #taskEvent(
    kind: ProgressEvent['kind'],
    d: Delivery,
    instance: Instance | undefined,
  ): Record<string, unknown> {
    const env = d.envelope;
    const event: Record<string, unknown> = {
      kind,
      runId: env.runId ?? env.id,
      taskId: env.taskId ?? env.id,
      ts: Date.now(),
      seq: ++this.#seq,
    };
    if (env.parentId !== undefined) event.parentId = env.parentId;
    if (instance) event.agent = instance.label;
    return event;
  }

  #wantsProgress(): boolean {
    return this.#subject.observed || this.transport.publishesProgress;
  }

  /**
   * The runtime's own started/finished events go to the transport only for asks
   * that belong to a run (an explicit `runId`): a plain request/reply ask has no
   * run anyone could follow, and storing two events per RPC halved NATS throughput.
   */
  #wantsLifecycle(d: Delivery): boolean {
    return this.#subject.observed || (this.transport.publishesProgress && d.envelope.runId !== undefined);
  }

  #publish(event: ProgressEvent, remote = true): void {
    if (this.#subject.observed) this.#subject.next(event);
    if (remote && this.transport.publishesProgress) this.transport.publishProgress(event);
  }

  async #close(timeout: number): Promise<void> {
    const hosts = [...this.#hosts.values()];
    await Promise.allSettled(hosts.map((h) => this.transport.unserve(h.def.type)));
    let cancel: (() => void) | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      cancel = longTimeout(resolve, timeout, 'expired' as const);
    });
    const outcome = await Promise.race([drain(hosts), expired]);
    cancel?.();
    this.#drained = true;
    const reason = new CancelledError(
      outcome === 'expired' ? `runtime closed: in-flight work aborted after ${timeout} ms` : 'runtime closed',
    );
    await Promise.allSettled(hosts.map((h) => h.close(reason)));
    this.#hosts.clear();
    await this.transport.close();
    this.#subject.complete();
  }
}

/** Creates a runtime (in-process transport, memory-less, by default). */
export function createRuntime(options: RuntimeOptions = {}): Runtime {
  return new Runtime(options);
}
