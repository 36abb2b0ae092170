import {
  type AgentAddress,
  type AgentRef,
  type AskOptions,
  ClosedError,
  copyValue,
  formatAddress,
  type Message,
  newId,
  type Protocol,
  type TellOptions,
  ValidationError,
} from '@troupe/core';
import type { AgentStepOptions } from './agentStep.js';
import { HubMessage, type HubMessagePayload } from './messages.js';
import type { Step, StepContext } from './scope.js';
import { noop } from './signals.js';
import { makeStep } from './step.js';

/** A hub participant: any ref that can be told a {@link HubMessage}. */
export interface Participant {
  readonly address: AgentAddress;
  tell(message: Message<'hub.message', HubMessagePayload>, options?: TellOptions): Promise<void>;
}

/** Who {@link MsgHub.remove} removes: a participant or its address, or a list of them. */
export type ParticipantLike = Participant | AgentAddress;

/** Options of {@link msgHub}. */
export interface MsgHubOptions {
  /** Who listens, and whose replies to {@link MsgHub.ask} are broadcast. */
  participants?: readonly Participant[];
  /** Told to every participant before `msgHub` resolves (`null`/`undefined`: no announcement). */
  announcement?: unknown;
  /**
   * Whether a participant's reply to {@link MsgHub.ask} is broadcast to the others (default true);
   * with false only {@link MsgHub.broadcast} tells anyone anything (AgentScope's
   * `enable_auto_broadcast=False`). Can be changed later through {@link MsgHub.autoBroadcast}.
   */
  autoBroadcast?: boolean;
  /** The run the hub's messages belong to. */
  runId?: string;
}

/**
 * AgentScope's message hub: when a participant speaks through the hub (its reply to
 * {@link MsgHub.ask}), every other participant is told it as a `hub.message`. Make one with
 * {@link msgHub}, which resolves once the announcement was handed to every participant.
 *
 * - A reply is broadcast only when its speaker is a participant at the moment the reply arrives:
 *   an outsider's reply, or the reply of a participant removed while it was being asked, is
 *   returned to the caller and told to no one (one added meanwhile is heard).
 * - A reply of `null` or `undefined` (a handler that returns nothing) is not broadcast.
 * - Broadcasts reach the participants of that moment in order, each handed over before the next
 *   ask starts; each participant observes its own copy of the content, in process as over NATS.
 */
export interface MsgHub extends AsyncDisposable {
  /** The hub's id, carried in every `hub.message`. */
  readonly id: string;
  /** The current participants. */
  readonly participants: readonly Participant[];
  /** Whether replies to {@link ask} are broadcast; set it to switch (AgentScope's `set_auto_broadcast`). */
  autoBroadcast: boolean;
  /**
   * Adds one participant or a list (a ref already in the hub is not added twice); chainable.
   * @throws ValidationError naming the entry that is not a participant; ClosedError after close.
   */
  add(participants: Participant | readonly Participant[]): this;
  /**
   * Removes one participant or a list, by address; one that is not in the hub is ignored (as
   * AgentScope's `delete` does). Chainable.
   * @throws ValidationError naming the entry that is neither a participant nor an address.
   */
  remove(participants: ParticipantLike | readonly ParticipantLike[]): this;
  /**
   * Tells every participant but `exclude` the content (a copy taken now), after earlier
   * broadcasts; resolves once handed to each, rejects with the first failure. `null`/`undefined`
   * content tells no one.
   * @throws ClosedError after close.
   */
  broadcast(content: unknown, options?: { from?: string; exclude?: AgentAddress }): Promise<void>;
  /**
   * Asks `ref` (after earlier broadcasts were handed over), then, with auto-broadcast on, tells
   * its reply to every other participant if `ref` is a participant when the reply arrives and
   * the reply is neither `null` nor `undefined`. Resolves with the reply.
   */
  ask<P extends Protocol, K extends keyof P & string>(
    ref: AgentRef<P>,
    message: Message<K, P[K]['payload']>,
    options?: AskOptions,
  ): Promise<P[K]['reply']>;
  /** A step that speaks through the hub: asks `ref` with the built message, as {@link ask} does. */
  step<P extends Protocol, K extends keyof P & string, I>(
    ref: AgentRef<P>,
    build: (input: I, ctx: StepContext) => Message<K, P[K]['payload']>,
    options?: Pick<AgentStepOptions, 'name' | 'timeout'>,
  ): Step<I, P[K]['reply']>;
  /** Waits for pending broadcasts, then closes the hub (idempotent). */
  close(): Promise<void>;
}

/**
 * Opens a {@link MsgHub} and resolves once its announcement was handed to every participant, so
 * that anything sent to a participant afterwards (through the hub or directly) finds it already
 * observed: each agent's mailbox is first in, first out. Use it with `await using` so it closes
 * (after its broadcasts) on scope exit.
 * @throws what telling the announcement failed with (e.g. `NoRespondersError`).
 * @example
 * await using hub = await msgHub({ participants: [alice, bob, carol], announcement: 'Tabs or spaces?' });
 * await hub.ask(alice, Speak.create({})); // bob and carol observe alice's reply
 * await hub.ask(bob, Speak.create({})); // bob has observed the announcement and alice's reply
 */
export async function msgHub(options: MsgHubOptions = {}): Promise<MsgHub> {
  const hub = new Hub(options);
  const announcement = options.announcement;
  if (announcement !== undefined && announcement !== null) {
    try {
      await hub.broadcast(announcement);
    } catch (err) {
      await hub.close();
      throw err;
    }
  }
  return hub;
}

class Hub implements MsgHub {
  readonly id = newId();
  autoBroadcast: boolean;
  readonly #participants: Participant[] = [];
  readonly #runId: string | undefined;
  /** Every broadcast so far has been handed over (failures are reported by `broadcast` itself). */
  #tail: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: MsgHubOptions) {
    this.#runId = options.runId;
    this.autoBroadcast = options.autoBroadcast ?? true;
    if (options.participants !== undefined) this.add(options.participants);
  }

  get participants(): readonly Participant[] {
    return [...this.#participants];
  }

  add(participants: Participant | readonly Participant[]): this {
    this.#assertOpen();
    for (const [i, p] of listOf(participants).entries()) {
      if (!isParticipant(p)) throw notA('add', i, 'participant (a ref with an address and tell)');
      if (!this.#isMember(p.address)) this.#participants.push(p);
    }
    return this;
  }

  remove(participants: ParticipantLike | readonly ParticipantLike[]): this {
    const list = listOf(participants);
    // Check every entry first, so a bad list removes nothing.
    const addresses = list.map((p, i) => {
      const address = isParticipant(p) ? p.address : p;
      if (!isAddress(address)) throw notA('remove', i, 'participant or agent address');
      return address;
    });
    for (const address of addresses) {
      const i = this.#participants.findIndex((q) => sameAddress(q.address, address));
      if (i >= 0) this.#participants.splice(i, 1);
    }
    return this;
  }

  broadcast(content: unknown, options: { from?: string; exclude?: AgentAddress } = {}): Promise<void> {
    this.#assertOpen();
    if (content === undefined || content === null) return this.#tail;
    // The content as it is now: a caller that changes it afterwards changes nobody's observation.
    const message = HubMessage.create({
      hub: this.id,
      from: options.from ?? 'hub',
      content: copyValue(content, 'hub broadcast'),
    });
    const tell: TellOptions = this.#runId === undefined ? {} : { runId: this.#runId };
    const exclude = options.exclude;
    const targets = this.#participants.filter((p) => !exclude || !sameAddress(p.address, exclude));
    const done = this.#tail.then(async () => {
      const outcomes = await Promise.allSettled(targets.map((p) => p.tell(message, tell)));
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed) throw failed.reason;
    });
    this.#tail = done.catch(noop);
    return done;
  }

  async ask<P extends Protocol, K extends keyof P & string>(
    ref: AgentRef<P>,
    message: Message<K, P[K]['payload']>,
    options: AskOptions = {},
  ): Promise<P[K]['reply']> {
    this.#assertOpen();
    await this.#tail;
    const ask =
      this.#runId === undefined || options.runId !== undefined ? options : { ...options, runId: this.#runId };
    const reply = await ref.ask(message, ask);
    // Membership and the switch are read when the reply arrives (see the interface's notes).
    if (this.autoBroadcast && !this.#closed && this.#isMember(ref.address))
      await this.broadcast(reply, { from: formatAddress(ref.address), exclude: ref.address });
    return reply;
  }

  step<P extends Protocol, K extends keyof P & string, I>(
    ref: AgentRef<P>,
    build: (input: I, ctx: StepContext) => Message<K, P[K]['payload']>,
    options: Pick<AgentStepOptions, 'name' | 'timeout'> = {},
  ): Step<I, P[K]['reply']> {
    const agent = formatAddress(ref.address);
    return makeStep<I, P[K]['reply']>(
      options.name ?? agent,
      async (input, ctx) => {
        const ask: AskOptions = { signal: ctx.signal, runId: ctx.runId, parentId: ctx.taskId };
        if (options.timeout !== undefined) ask.timeout = options.timeout;
        return await this.ask(ref, build(input, ctx), ask);
      },
      { agent },
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#tail;
    this.#participants.length = 0;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #isMember(address: AgentAddress): boolean {
    return this.#participants.some((q) => sameAddress(q.address, address));
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError('the message hub is closed');
  }
}

function listOf<T>(value: T | readonly T[]): readonly T[] {
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

function isAddress(value: unknown): value is AgentAddress {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AgentAddress).type === 'string' &&
    ((value as AgentAddress).key === undefined || typeof (value as AgentAddress).key === 'string')
  );
}

function isParticipant(value: unknown): value is Participant {
  return (
    typeof value === 'object' &&
    value !== null &&
    isAddress((value as Participant).address) &&
    typeof (value as Participant).tell === 'function'
  );
}

function notA(method: string, index: number, what: string): ValidationError {
  return new ValidationError(`MsgHub.${method}: entry ${index} is not a ${what}`, {
    issues: [{ path: `participants.${index}`, message: `not a ${what}` }],
  });
}

function sameAddress(a: AgentAddress, b: AgentAddress): boolean {
  return a.type === b.type && a.key === b.key;
}
