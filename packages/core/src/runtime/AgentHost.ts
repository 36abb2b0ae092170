import { randomBytes } from 'node:crypto';
import { type AnyActor, createActor } from 'xstate';
import type { AgentDef, SupervisionOptions } from '../agent/defineAgent.js';
import { groupLogic } from '../agent/handlerLogic.js';
import { ClosedError, TroupeError, ValidationError } from '../errors/errors.js';
import { toHandlerError } from '../errors/wire.js';
import { validationErrorFromZod } from '../errors/zodIssues.js';
import { deepFreeze } from '../messages/copy.js';
import { type Envelope, VALIDATED_BY } from '../messages/envelope.js';
import type { DeliveryOptions } from '../transport/Transport.js';
import { chainIdOf, deadlockError } from './askChain.js';
import { Deadlines } from './Deadlines.js';
import { Delivery } from './Delivery.js';
import { Instance } from './Instance.js';
import type { DoneInstance, InstanceHost } from './instanceHost.js';
import type { InstanceView } from './instanceRole.js';
import type { RuntimeInternals } from './internals.js';
import { endHandlerSpan, startHandlerSpan } from './tracing.js';

/** Options of `runtime.register`. */
export interface RegisterOptions {
  /**
   * Instances that serve un-keyed messages (`ref({ type })`) (default 1): a free one first, else
   * the least loaded, never one waiting on the message's own ask chain — so a member's handler
   * can ask its own type (it goes to another member; with a single instance it is a
   * `DeadlockError`).
   */
  instances?: number;
  /** Overrides the definition's idle passivation, ms. */
  passivateAfterMs?: number;
  /** Overrides the definition's restart policy. */
  supervision?: Partial<SupervisionOptions>;
  /** Overrides the definition's `persist` (when keyed state is saved to the store). */
  persist?: 'passivate' | 'message';
}

const DEFAULT_SUPERVISION: SupervisionOptions = {
  maxRestarts: 3,
  windowMs: 60_000,
  backoffMs: 10,
  maxBackoffMs: 5_000,
  hangGraceMs: 10_000,
};

/** Every instance of one registered agent type, with activation, passivation and routing. */
export class AgentHost implements InstanceHost {
  readonly def: AgentDef;
  readonly runtime: RuntimeInternals;
  readonly supervision: SupervisionOptions;
  readonly instances = new Map<string, Instance>();
  readonly hangs = new Deadlines({ keepsAlive: false });
  readonly actorParent: AnyActor | undefined;
  readonly #pool: string[];
  /** Tells this runtime's pool members from other runtimes' on ask chains. */
  readonly #tag = randomBytes(4).toString('hex');
  readonly #passivateAfterMs: number | undefined;
  readonly #persistEach: boolean;
  readonly #saving = new Map<string, Promise<void>>();
  #sweeper: ReturnType<typeof setInterval> | undefined;
  #cursor = 0;
  #closed = false;

  constructor(runtime: RuntimeInternals, def: AgentDef, options: RegisterOptions) {
    this.runtime = runtime;
    this.def = def;
    this.supervision = { ...DEFAULT_SUPERVISION, ...def.supervision, ...options.supervision };
    const size = options.instances ?? 1;
    if (!Number.isInteger(size) || size < 1) {
      throw new ValidationError(`register '${def.type}': instances must be a positive integer, got ${size}`, {
        issues: [{ path: 'instances', message: 'must be a positive integer' }],
      });
    }
    this.actorParent = def.handlers ? createActor(groupLogic, { id: def.type }).start() : undefined;
    this.#pool = Array.from({ length: size }, (_, i) => `_${i}`);
    this.#passivateAfterMs = options.passivateAfterMs ?? def.passivateAfterMs;
    this.#persistEach = (options.persist ?? def.persist) === 'message';
    if (this.#passivateAfterMs !== undefined) {
      const every = Math.max(50, Math.min(this.#passivateAfterMs / 2, 10_000));
      this.#sweeper = setInterval(() => this.#sweep(), every);
      this.#sweeper.unref();
    }
  }

  /** Validates and queues an envelope for its instance; the promise settles with the reply. */
  deliver(envelope: Envelope, options: DeliveryOptions): Promise<unknown> {
    if (this.#closed) return Promise.reject(new ClosedError(`agent type '${this.def.type}' is closing`));
    const d = new Delivery(envelope, options, this);
    const handlers = this.def.handlers;
    if (handlers) {
      const spec = handlers.get(envelope.type);
      if (!spec) {
        const known = [...handlers.keys()].join(', ');
        this.settle(
          d,
          undefined,
          new ValidationError(
            `agent '${this.def.type}' does not handle message type '${envelope.type}' (it handles: ${known})`,
            { issues: [{ path: 'type', message: `not handled by '${this.def.type}'` }] },
          ),
          true,
        );
        return d.promise;
      }
      // A payload made by this very schema's `create`, in this process, is not parsed twice.
      if (spec.message && envelope[VALIDATED_BY] !== spec.message.schema) {
        const parsed = spec.message.schema.safeParse(envelope.payload);
        if (!parsed.success) {
          const err = validationErrorFromZod(parsed.error, 'payload', `'${envelope.type}' payload`);
          this.settle(d, undefined, err, true);
          return d.promise;
        }
        // Declared immutable: frozen here too, so a change throws whichever way the payload came.
        d.payload = spec.message.immutable ? deepFreeze(parsed.data) : parsed.data;
      }
    }
    const key = envelope.to.key;
    const chain = envelope.chain;
    const instance = key === undefined ? this.#pick(chain) : this.#instanceFor(key);
    if (!instance) {
      this.settle(d, undefined, deadlockError(envelope, this.def.type, this.#pool.length), true);
      return d.promise;
    }
    if (chain !== undefined && key !== undefined && waitsOn(chain, instance)) {
      this.settle(d, undefined, deadlockError(envelope, instance.chainId), true);
      return d.promise;
    }
    d.instance = instance;
    instance.enqueue(d);
    return d.promise;
  }

  /** How ask chains name the instance `key` of this type (pool members carry this runtime's tag). */
  chainIdOf(key: string): string {
    const address = { type: this.def.type, key };
    return chainIdOf(address, this.#pool.includes(key) ? this.#tag : undefined);
  }

  /** Settles a delivery and reports it (progress, logs). */
  settle(d: Delivery, instance: InstanceView | undefined, value: unknown, isError: boolean): void {
    // persist: 'message' — the state is stored before the reply goes out (saves of a key are chained).
    if (this.#persistEach && instance?.status === 'active' && this.#persists() && !d.settled) {
      void this.#save(instance).then(() => this.#settleNow(d, instance, value, isError));
      return;
    }
    this.#settleNow(d, instance, value, isError);
  }

  #settleNow(d: Delivery, instance: InstanceView | undefined, value: unknown, isError: boolean): void {
    if (!isError) {
      if (d.resolve(value)) this.runtime.reportOutcome(d, instance, value, undefined);
      endHandlerSpan(d, undefined);
      return;
    }
    const where = instance ? `${instance.address.type}/${instance.key}` : this.def.type;
    const error = value instanceof TroupeError ? value : toHandlerError(value, where);
    if (d.reject(error)) this.runtime.reportOutcome(d, instance, undefined, error);
    endHandlerSpan(d, error);
  }

  onStarted(d: Delivery, instance: InstanceView): void {
    startHandlerSpan(d, instance.address);
    this.runtime.reportStarted(d, instance);
  }

  /** A handler ran `overMs` past its deadline plus grace: warn (log and `task.log`) before the restart. */
  onHung(instance: InstanceView, d: Delivery, overMs: number): void {
    const message = `handler of '${d.envelope.type}' on ${instance.label} still running ${overMs} ms past its deadline: abandoned, restarting the instance`;
    this.runtime.logger.warn(message);
    this.runtime.emitFor(d, instance, { kind: 'task.log', level: 'warn', message });
  }

  /**
   * Restarts an instance now (`runtime.restart`): what it is running is abandoned (answered with
   * `reason`, its late result dropped), its committed state kept, its mailbox kept. False when
   * there is no such instance.
   */
  restart(key: string, reason: Error): boolean {
    const instance = this.instances.get(key);
    if (!instance) return false;
    instance.restart(reason);
    return true;
  }

  onCrash(instance: InstanceView, error: Error, count: number): void {
    this.runtime.logger.warn(`agent ${this.def.type}/${instance.key} crashed (${count} in window)`, {
      error: error.message,
    });
  }

  /** A machine agent reached a final state: forget it, re-route what was queued to a fresh one. */
  onDone(instance: DoneInstance): void {
    const rest = instance.drainQueue();
    instance.stop();
    if (this.instances.get(instance.key) === instance) this.instances.delete(instance.key);
    for (const d of rest) this.#instanceFor(instance.key).enqueue(d);
  }

  /** Drops an instance without saving its state; what it has queued or running fails with `reason`. */
  evict(key: string, reason: Error): void {
    const instance = this.instances.get(key);
    if (!instance) return;
    this.instances.delete(key);
    instance.stop(reason);
  }

  initialStateFor(key: string): unknown {
    return this.def.initialState?.(key);
  }

  /** Whether an instance that can still run has messages queued or running. */
  get busy(): boolean {
    for (const i of this.instances.values()) {
      if (i.load > 0 && i.status !== 'failed' && i.status !== 'stopped') return true;
    }
    return false;
  }

  /** Resolves when every instance is idle. */
  async whenIdle(): Promise<void> {
    await Promise.all([...this.instances.values()].map((i) => i.whenIdle()));
  }

  /** Stops every instance (rejecting what is still queued with `error`), saving state where persisted. */
  async close(error: Error): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweeper);
    const saves: Promise<void>[] = [...this.#saving.values()];
    for (const instance of this.instances.values()) {
      if (instance.status === 'active' && this.#persists()) saves.push(this.#save(instance));
      instance.stop(error);
    }
    this.instances.clear();
    this.actorParent?.stop();
    await Promise.allSettled(saves);
  }

  /**
   * A pool member for an un-keyed message: a free one if any, else the least loaded of those not
   * waiting on asks of their own (else of all); never one waiting on the message's own ask chain
   * (the asker itself, for a member asking its own type). `undefined` when every member is on the
   * chain. Preferring members that wait on nothing keeps two members fanning out to their own
   * pool at once from queueing each behind the other.
   */
  #pick(chain: readonly string[] | undefined): Instance | undefined {
    const pool = this.#pool;
    if (pool.length === 1 && chain === undefined) return this.#instanceFor(pool[0] as string);
    let best: Instance | undefined;
    for (let n = 0; n < pool.length; n++) {
      this.#cursor = (this.#cursor + 1) % pool.length;
      const candidate = this.#instanceFor(pool[this.#cursor] as string);
      if (chain !== undefined && waitsOn(chain, candidate)) continue;
      if (candidate.load === 0 && candidate.status === 'active') return candidate;
      if (!best || isBetter(candidate, best)) best = candidate;
    }
    return best;
  }

  #instanceFor(key: string): Instance {
    let instance = this.instances.get(key);
    if (instance) return instance;
    instance = new Instance(this, key);
    this.instances.set(key, instance);
    this.#activate(instance);
    return instance;
  }

  #persists(): boolean {
    return (
      (this.#passivateAfterMs !== undefined || this.#persistEach) &&
      this.runtime.store !== undefined &&
      this.def.handlers !== undefined
    );
  }

  #activate(instance: Instance): void {
    if (!this.#persists()) {
      instance.start();
      return;
    }
    const store = this.runtime.store;
    const pending = this.#saving.get(instance.key) ?? Promise.resolve();
    pending
      .then(() => store?.get<{ state: unknown }>(this.#stateKey(instance.key)))
      .then(
        (saved) => instance.start(saved),
        (err) => {
          this.runtime.logger.error(`could not load state of ${this.def.type}/${instance.key}`, {
            error: err,
          });
          instance.start();
        },
      );
  }

  #stateKey(key: string): string {
    return `agents/${this.runtime.namespace}/${this.def.type}/${key}`;
  }

  #save(instance: InstanceView): Promise<void> {
    const store = this.runtime.store;
    if (!store) return Promise.resolve();
    const state = instance.state; // read now: the actor is stopped right after
    const previous = this.#saving.get(instance.key) ?? Promise.resolve();
    const saving = previous
      .then(() => store.set(this.#stateKey(instance.key), { state }))
      .catch((err: unknown) => {
        this.runtime.logger.error(`could not save state of ${this.def.type}/${instance.key}`, { error: err });
      })
      .finally(() => {
        if (this.#saving.get(instance.key) === saving) this.#saving.delete(instance.key);
      });
    this.#saving.set(instance.key, saving);
    return saving;
  }

  #sweep(): void {
    const limit = this.#passivateAfterMs;
    if (limit === undefined) return;
    const now = Date.now();
    for (const [key, instance] of this.instances) {
      if (instance.load > 0 || instance.status !== 'active' || now - instance.lastActive < limit) continue;
      if (this.#persists()) void this.#save(instance);
      instance.stop();
      this.instances.delete(key);
    }
  }
}

/** Whether `instance` is busy on a message of `chain`, so an ask queued behind it would never run. */
function waitsOn(chain: readonly string[], instance: Instance): boolean {
  return instance.load > 0 && chain.includes(instance.chainId);
}

/** Whether `a` should take an un-keyed message rather than `b` (neither is free). */
function isBetter(a: Instance, b: Instance): boolean {
  const aWaits = a.waiting;
  if (aWaits !== b.waiting) return !aWaits;
  return a.load < b.load;
}
