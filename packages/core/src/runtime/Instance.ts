import { type AnyActor, type AnyMachineSnapshot, createActor } from 'xstate';
import { handlerLogic, type MessageEvent, RUN, setStateEvent } from '../agent/handlerLogic.js';
import { type ReplySink, replySinks } from '../agent/machineActions.js';
import { type AgentFailedError, CrashError, TimeoutError } from '../errors/errors.js';
import { toError } from '../errors/wire.js';
import type { Timed } from './Deadlines.js';
import type { Delivery } from './Delivery.js';
import { HandlerCtx } from './HandlerCtx.js';
import type { InstanceHost } from './instanceHost.js';
import type { InstanceStatus, InstanceView } from './instanceRole.js';
import { stopTree } from './stopTree.js';
import { backoffDelay, failedError, hangDue, recordRestart } from './supervisionPolicy.js';
import { inHandlerContext } from './tracing.js';

export type { InstanceHost } from './instanceHost.js';
/** Where an instance is in its life. */
export type { InstanceStatus } from './instanceRole.js';

// Shared empty arrays: most of 100k instances never queue, crash or get waited on.
const NO_DELIVERIES: Delivery[] = Object.freeze([]) as unknown as Delivery[];
const NO_TIMES: readonly number[] = Object.freeze([]);
const NO_WAITERS: Array<() => void> = Object.freeze([]) as unknown as Array<() => void>;

/**
 * One agent instance: an XState actor plus its mailbox. Messages run one at
 * a time in arrival order; a crash restarts the actor with backoff, and too
 * many crashes in the window mark the instance failed.
 */
export class Instance implements ReplySink, InstanceView, Timed {
  readonly key: string;
  readonly address: { type: string; key: string };
  status: InstanceStatus = 'activating';
  lastActive = Date.now();
  /** @internal the hang watch of the running handler (see {@link Timed}) */
  deadlineSlot = -1;
  /** @internal see {@link Timed} */
  deadlineAt = 0;
  readonly #host: InstanceHost;
  #actor: AnyActor | undefined;
  #queue: Delivery[] = NO_DELIVERIES;
  #head = 0;
  #running: Delivery | undefined;
  /** Inside the synchronous part of a run; completion then leaves the next message to the pump loop. */
  #inRun = false;
  #awaitingMachine = false;
  #restarts: readonly number[] = NO_TIMES;
  #restartTimer: ReturnType<typeof setTimeout> | undefined;
  #idleWaiters: Array<() => void> = NO_WAITERS;
  /** What a failed instance answers with. */
  #failed: AgentFailedError | undefined;
  #label: string | undefined;
  #chainId: string | undefined;
  /** Handler agents' state; mirrored into the actor's context. */
  #state: unknown;

  constructor(host: InstanceHost, key: string) {
    this.#host = host;
    this.key = key;
    this.address = { type: host.def.type, key };
  }

  /** `type/key`, as progress events name the agent. */
  get label(): string {
    this.#label ??= `${this.address.type}/${this.key}`;
    return this.#label;
  }

  /** How ask chains name this instance (see `askChain.ts`); made on first use, as most never ask. */
  get chainId(): string {
    this.#chainId ??= this.#host.chainIdOf(this.key);
    return this.#chainId;
  }

  /** Messages queued or running. */
  get load(): number {
    return this.#queue.length - this.#head + (this.#running ? 1 : 0);
  }

  /** Whether the running handler waits on asks it made (work queued here waits for their answers too). */
  get waiting(): boolean {
    return this.#running !== undefined && this.#running.asking > 0;
  }

  /** The current state (handler agents) or machine context (machine agents). */
  get state(): unknown {
    if (this.#host.def.handlers) return this.#state;
    return (this.#actor?.getSnapshot() as AnyMachineSnapshot | undefined)?.context;
  }

  /**
   * Commits a new state (handler agents). Reads see it at once; the actor's
   * context gets it as one event (queued by XState when sent mid-transition).
   */
  setState(state: unknown): void {
    this.#state = state;
    this.#actor?.send(setStateEvent(state));
  }

  /** Starts (or restarts) the actor, from a saved state or the definition's initial state, and drains the mailbox. */
  start(saved?: { state: unknown }): void {
    const def = this.#host.def;
    const logic = def.machine ?? handlerLogic;
    try {
      const initialState = saved ? saved.state : this.#host.initialStateFor(this.key);
      this.#state = initialState;
      // Handler agents' actors share their type's parent (and so its system); machines are roots.
      const options = def.machine
        ? { input: { key: this.key }, id: `${def.type}/${this.key}` }
        : { input: { state: initialState }, parent: this.#host.actorParent };
      const actor = createActor(logic as never, options as never) as AnyActor;
      // Inline callbacks: from source, tsx renames a named one per instance (a property table each).
      actor.subscribe(
        def.machine ? (snapshot: AnyMachineSnapshot) => this.#onSnapshot(snapshot) : undefined,
        (err: unknown) => this.#crash(err),
      );
      if (def.machine) replySinks.set(actor, this);
      this.#actor = actor;
      this.status = 'active';
      actor.start();
    } catch (err) {
      this.#crash(err);
      return;
    }
    if ((this.status as InstanceStatus) === 'active') this.#pump();
  }

  /** Adds a message to the mailbox (runs it now when idle). */
  enqueue(delivery: Delivery): void {
    if (this.status === 'failed' && this.#failed) {
      this.#host.settle(delivery, this, this.#failed, true);
      return;
    }
    const idle = this.#running === undefined && this.status === 'active' && !this.#inRun;
    if (idle && this.#head >= this.#queue.length) {
      // Nothing queued: run it now, without a mailbox array for a single message.
      if (delivery.aborted) this.#host.settle(delivery, this, delivery.abortReason, true);
      else this.#run(delivery);
      if (this.#running === undefined) this.#pump();
      return;
    }
    if (this.#queue === NO_DELIVERIES) this.#queue = [];
    this.#queue.push(delivery);
    if (idle) this.#pump();
  }

  /** Resolves once no message is queued or running. */
  whenIdle(): Promise<void> {
    if (this.load === 0 || this.status === 'failed' || this.status === 'stopped') return Promise.resolve();
    if (this.#idleWaiters === NO_WAITERS) this.#idleWaiters = [];
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops the actor; queued messages are rejected with `error`. */
  stop(error?: Error): void {
    this.status = 'stopped';
    clearTimeout(this.#restartTimer);
    this.#clearHang();
    const running = this.#running;
    this.#running = undefined;
    if (running && error) {
      running.control?.abort(error);
      this.#host.settle(running, this, error, true);
    }
    if (error) for (let d = this.#dequeue(); d; d = this.#dequeue()) this.#host.settle(d, this, error, true);
    this.#dispose();
    this.#notifyIdle();
  }

  /** Takes the queued messages out (for re-routing after the instance finished). */
  drainQueue(): Delivery[] {
    const rest = this.#queue.slice(this.#head);
    this.#queue = NO_DELIVERIES;
    this.#head = 0;
    return rest;
  }

  /** Called from the handler logic's transition: runs the handler for the current message. */
  invokeCurrent(): void {
    const d = this.#running;
    const spec = d && this.#host.def.handlers?.get(d.envelope.type);
    if (!d || !spec) return;
    let result: unknown;
    try {
      result = spec.handle(d.payload, new HandlerCtx(this.#host.runtime, this, d));
    } catch (err) {
      this.#complete(d, err, true);
      return;
    }
    if (typeof (result as { then?: unknown } | null)?.then === 'function') {
      (result as PromiseLike<unknown>).then(
        (value) => this.#complete(d, value, false),
        (err) => this.#complete(d, err, true),
      );
    } else {
      this.#complete(d, result, false);
    }
  }

  /** `reply` action of a machine agent. */
  reply(value: unknown): void {
    if (this.#running) this.#complete(this.#running, value, false);
  }

  /** `fail` action of a machine agent. */
  fail(error: Error): void {
    if (this.#running) this.#complete(this.#running, error, true);
  }

  #dequeue(): Delivery | undefined {
    if (this.#head >= this.#queue.length) {
      if (this.#head > 0) {
        // Drained: drop the array so an idle instance holds no mailbox.
        this.#queue = NO_DELIVERIES;
        this.#head = 0;
      }
      return undefined;
    }
    const d = this.#queue[this.#head];
    this.#queue[this.#head++] = undefined as unknown as Delivery;
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    return d;
  }

  #pump(): void {
    while (this.#running === undefined && this.status === 'active') {
      const d = this.#dequeue();
      if (!d) {
        this.#notifyIdle();
        return;
      }
      if (d.aborted) {
        this.#host.settle(d, this, d.abortReason, true);
        continue;
      }
      this.#run(d);
    }
  }

  #run(d: Delivery): void {
    const actor = this.#actor as AnyActor;
    this.#running = d;
    this.#host.onStarted(d, this);
    // The hang watch: past the deadline plus the grace, onDeadline fires.
    const hungAt = hangDue(d.envelope.deadline, this.#host.supervision.hangGraceMs);
    if (hungAt !== undefined) this.#host.hangs.add(this, hungAt);
    const event: MessageEvent = { type: d.envelope.type, payload: d.payload, envelope: d.envelope };
    const isMachine = this.#host.def.machine !== undefined;
    if (isMachine) this.#awaitingMachine = true;
    else event[RUN] = this;
    this.#inRun = true;
    try {
      // Traced, the handler (called from the machine's action, synchronously) runs with its span active.
      if (d.traceContext === undefined) actor.send(event);
      else inHandlerContext(d, () => actor.send(event));
    } finally {
      this.#inRun = false;
    }
    if (isMachine && this.#running === d && this.status === 'active') {
      const snapshot = actor.getSnapshot() as AnyMachineSnapshot;
      if (snapshot.status === 'active' && !snapshot.hasTag('busy')) this.#complete(d, undefined, false);
    }
  }

  #onSnapshot(snapshot: AnyMachineSnapshot): void {
    const d = this.#running;
    if (snapshot.status === 'done') {
      if (d) this.#complete(d, snapshot.output, false);
      this.#host.onDone(this);
      return;
    }
    // A machine that finished its work without replying answers `undefined`.
    if (d && this.#awaitingMachine && !this.#inRun && !snapshot.hasTag('busy'))
      this.#complete(d, undefined, false);
  }

  #complete(d: Delivery, value: unknown, isError: boolean): void {
    // Not the running message any more (abandoned as hung, or restarted): its late result is dropped.
    if (this.#running !== d) return;
    this.#clearHang();
    if (isError && value instanceof CrashError) {
      this.#crash(value);
      return;
    }
    this.#running = undefined;
    this.#awaitingMachine = false;
    this.lastActive = Date.now();
    this.#host.settle(d, this, value, isError);
    if (this.#inRun) return;
    // A machine agent completes from inside XState's own processing (reply/fail
    // actions, observers); sending the next event from there would interleave it.
    if (this.#host.def.machine) queueMicrotask(() => this.#pump());
    else this.#pump();
  }

  #crash(err: unknown): void {
    const error = toError(err);
    this.#clearHang();
    const d = this.#running;
    this.#running = undefined;
    this.#awaitingMachine = false;
    if (d)
      this.#host.settle(
        d,
        this,
        error instanceof CrashError ? error : new CrashError(error.message, { cause: error }),
        true,
      );
    this.#dispose();
    if (this.status === 'stopped' || !this.#countCrash(error)) return;
    this.status = 'restarting';
    const delay = backoffDelay(this.#restarts.length, this.#host.supervision);
    this.#restartTimer = setTimeout(() => {
      if (this.status === 'restarting') this.start();
    }, delay);
  }

  /**
   * Counts a crash in the supervision window; past `maxRestarts` the instance is failed for good
   * (what it has queued answered with `AgentFailedError`) and this returns false.
   */
  #countCrash(error: Error): boolean {
    const policy = this.#host.supervision;
    this.#restarts = recordRestart(this.#restarts, Date.now(), policy.windowMs);
    this.#host.onCrash(this, error, this.#restarts.length);
    if (this.#restarts.length <= policy.maxRestarts) return true;
    this.status = 'failed';
    const failed = failedError(this.address, this.#host.supervision, error);
    this.#failed = failed;
    for (let q = this.#dequeue(); q; q = this.#dequeue()) this.#host.settle(q, this, failed, true);
    this.#notifyIdle();
    return false;
  }

  /** Drops the actor, stopping it and everything it invoked or spawned (an errored actor does not do that itself). */
  #dispose(): void {
    const actor = this.#actor;
    this.#actor = undefined;
    if (!actor) return;
    replySinks.delete(actor);
    stopTree(actor);
  }

  /**
   * Restarts now, keeping the committed state and the mailbox: the running message (if any) is
   * abandoned and answered with `reason`; its late result is dropped. Not counted as a crash.
   */
  restart(reason: Error): void {
    this.#restartNow(reason, false);
  }

  #restartNow(reason: Error, counted: boolean): void {
    if (this.status === 'stopped') return;
    this.#clearHang();
    clearTimeout(this.#restartTimer);
    const d = this.#running;
    this.#running = undefined;
    this.#awaitingMachine = false;
    if (d) {
      d.control?.abort(reason);
      this.#host.settle(d, this, reason, true);
    }
    this.#dispose();
    if (counted) {
      if (!this.#countCrash(reason)) return;
    } else {
      this.#restarts = NO_TIMES;
      this.#failed = undefined;
    }
    this.start(this.#host.def.handlers ? { state: this.#state } : undefined);
  }

  #clearHang(): void {
    if (this.deadlineSlot >= 0) this.#host.hangs.remove(this);
  }

  /**
   * @internal The running handler outlived its deadline plus grace (the host's hang watch): abandon
   * it (answered with `TimeoutError`, late result dropped), restart counted as a crash, state kept.
   */
  onDeadline(): void {
    const d = this.#running;
    if (d === undefined) return;
    const grace = this.#host.supervision.hangGraceMs;
    this.#host.onHung(this, d, grace);
    const timeout = new TimeoutError(`'${d.envelope.type}' on ${this.label} passed its deadline`, {
      data: { type: d.envelope.type, hungMs: grace },
    });
    this.#restartNow(timeout, true);
  }

  #notifyIdle(): void {
    if (this.#idleWaiters.length === 0 || this.load > 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = NO_WAITERS;
    for (const w of waiters) w();
  }
}
