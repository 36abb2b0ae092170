import {
  type AgentAddress,
  type AgentRef,
  type AskOptions,
  ClosedError,
  formatAddress,
  type Message,
  newId,
  type Protocol,
  type TellOptions,
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

/** Options of {@link msgHub}. */
export interface MsgHubOptions {
  /** Who listens (and whose replies are broadcast). */
  participants?: readonly Participant[];
  /** Told to every participant when the hub opens. */
  announcement?: unknown;
  /** The run the hub's messages belong to. */
  runId?: string;
}

/**
 * AgentScope's message hub: when a participant speaks through the hub (its
 * reply to {@link MsgHub.ask}), every other participant is told it as a
 * `hub.message`; membership changes with `add`/`remove`. Broadcasts are
 * delivered in order, before the next ask.
 */
export class MsgHub implements AsyncDisposable {
  /** The hub's id, carried in every `hub.message`. */
  readonly id = newId();
  readonly #participants: Participant[] = [];
  readonly #runId: string | undefined;
  /** Every broadcast so far has been handed over (failures are reported by `broadcast` itself). */
  #tail: Promise<void> = Promise.resolve();
  readonly #opened: Promise<void>;
  #closed = false;

  constructor(options: MsgHubOptions = {}) {
    this.#runId = options.runId;
    for (const p of options.participants ?? []) this.add(p);
    this.#opened =
      options.announcement === undefined ? Promise.resolve() : this.broadcast(options.announcement);
    this.#opened.catch(noop);
  }

  /** The current participants. */
  get participants(): readonly Participant[] {
    return [...this.#participants];
  }

  /** Resolves once the announcement was handed to every participant (rejects if it could not be). */
  get ready(): Promise<void> {
    return this.#opened;
  }

  /** Adds participants (a ref already in the hub is not added twice); chainable. */
  add(participants: Participant | readonly Participant[]): this {
    this.#assertOpen();
    for (const p of Array.isArray(participants) ? participants : [participants as Participant]) {
      if (!this.#participants.some((q) => sameAddress(q.address, p.address))) this.#participants.push(p);
    }
    return this;
  }

  /** Removes a participant (by address); chainable. */
  remove(participant: Participant | AgentAddress): this {
    const address = 'address' in participant ? participant.address : participant;
    const i = this.#participants.findIndex((q) => sameAddress(q.address, address));
    if (i >= 0) this.#participants.splice(i, 1);
    return this;
  }

  /** Tells every participant but `exclude` (the speaker) `content`, after earlier broadcasts. */
  broadcast(content: unknown, options: { from?: string; exclude?: AgentAddress } = {}): Promise<void> {
    this.#assertOpen();
    const message = HubMessage.create({ hub: this.id, from: options.from ?? 'hub', content });
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

  /** Asks `ref`, then broadcasts its reply to every other participant; resolves with the reply. */
  async ask<P extends Protocol, K extends keyof P & string>(
    ref: AgentRef<P>,
    message: Message<K, P[K]['payload']>,
    options: AskOptions = {},
  ): Promise<P[K]['reply']> {
    this.#assertOpen();
    await this.#opened;
    await this.#tail;
    const ask =
      this.#runId === undefined || options.runId !== undefined ? options : { ...options, runId: this.#runId };
    const reply = await ref.ask(message, ask);
    await this.broadcast(reply, { from: formatAddress(ref.address), exclude: ref.address });
    return reply;
  }

  /** A step that speaks through the hub: asks `ref` with the built message and broadcasts the reply. */
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

  /** Waits for pending broadcasts, then closes the hub (idempotent). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#tail;
    this.#participants.length = 0;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError('the message hub is closed');
  }
}

/**
 * Opens a {@link MsgHub}; use it with `await using` so it closes (after its broadcasts) on scope exit.
 * @example
 * await using hub = msgHub({ participants: [alice, bob, carol], announcement: 'Discuss: tabs or spaces?' });
 * await hub.ask(alice, Speak.create({}));
 * await hub.ask(bob, Speak.create({})); // bob has already observed alice's reply
 */
export function msgHub(options: MsgHubOptions = {}): MsgHub {
  return new MsgHub(options);
}

function sameAddress(a: AgentAddress, b: AgentAddress): boolean {
  return a.type === b.type && a.key === b.key;
}
