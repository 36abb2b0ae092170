import type { AgentAddress } from '../messages/address.js';
import type { Envelope, Message } from '../messages/envelope.js';
import type { ProgressInput } from '../progress/events.js';

/** What a message type maps to on an agent: its payload and its reply. */
export interface ProtocolEntry {
  payload: unknown;
  reply: unknown;
}

/** The messages an agent understands, by message type. */
export type Protocol = Record<string, ProtocolEntry>;

/** A protocol about which nothing is known (an address given as a plain object). */
export type AnyProtocol = Record<string, { payload: unknown; reply: unknown }>;

/** Options of one ask. */
export interface AskOptions {
  /**
   * Milliseconds to wait for the reply (default: the runtime's `defaultTimeout`, 30 s); above 0,
   * `Infinity` for none. Anything else fails the ask with `ValidationError`.
   */
  timeout?: number;
  /** Aborting rejects the ask and aborts the handler's `ctx.signal`. */
  signal?: AbortSignal;
  /** The run this ask belongs to (default: inherited from the asking handler, else the message id). */
  runId?: string;
  /** The task id this ask performs (default: the message id). */
  taskId?: string;
  /** The parent task, for progress trees (default: the asking handler's task). */
  parentId?: string;
  /** W3C `traceparent` to continue (default: the active span, else the asking handler's). */
  traceparent?: string;
  /** W3C `tracestate` that goes with {@link AskOptions.traceparent}. */
  tracestate?: string;
}

/** Options of one tell. */
export type TellOptions = Omit<AskOptions, 'timeout' | 'signal'>;

/** A handle on an agent (any instance of a type, or one keyed instance). */
export interface AgentRef<P extends Protocol = AnyProtocol> {
  /** The address this ref sends to. */
  readonly address: AgentAddress;
  /** Sends a message and waits for the reply. */
  ask<K extends keyof P & string>(
    message: Message<K, P[K]['payload']>,
    options?: AskOptions,
  ): Promise<P[K]['reply']>;
  /** Sends a message without waiting for a reply; resolves once it is handed over. */
  tell<K extends keyof P & string>(
    message: Message<K, P[K]['payload']>,
    options?: TellOptions,
  ): Promise<void>;
}

/** Something that names an agent: an address, or an agent definition (any instance of its type). */
export type AgentTarget = AgentAddress | { readonly type: string; readonly kind: 'agent' };

/** What every handler receives besides its payload. */
export interface HandlerContext<S = unknown> {
  /** Aborted when the asker cancels or times out, or the runtime closes. */
  readonly signal: AbortSignal;
  /** This instance's address. */
  readonly self: Required<AgentAddress>;
  /** The envelope being handled. */
  readonly envelope: Envelope;
  /** The run this message belongs to. */
  readonly runId: string;
  /** The task this message performs. */
  readonly taskId: string;
  /** This instance's state (as of the last `setState`). */
  readonly state: S;
  /** Replaces this instance's state; takes a value or an updater. */
  setState(next: S | ((previous: S) => S)): void;
  /** A ref whose asks carry this run, this task as parent, and this signal. */
  ref<P extends Protocol = AnyProtocol>(target: AgentTarget): AgentRef<P>;
  /**
   * Asks another agent on behalf of this task (propagates run, parent, signal, deadline, and the
   * ask chain: the instances waiting on this answer, this one last). Rejects at once with
   * `DeadlockError` when the target instance is on that chain and busy — itself
   * (`ctx.ask(ctx.self, …)`), or a cycle back to it such as A/k → B/k → A/k — since its mailbox
   * would hold the ask until after the handler waiting for it; an un-keyed ask never goes to a
   * pool member on the chain (the asker included), and fails so only when every member here is on
   * it. While the runtime closes, this handler's asks and tells are still accepted until its own
   * message is answered (see `Runtime.close`).
   */
  ask<R = unknown>(target: AgentTarget, message: Message, options?: AskOptions): Promise<R>;
  /** Tells another agent on behalf of this task. */
  tell(target: AgentTarget, message: Message, options?: TellOptions): Promise<void>;
  /** Emits a progress event for this task (run, task and time are filled in). */
  emit(event: ProgressInput): void;
}
