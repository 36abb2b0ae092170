import type { AnyStateMachine } from 'xstate';
import { ValidationError } from '../errors/errors.js';
import { isValidName } from '../messages/address.js';
import type { MessageDef, PayloadOf } from '../messages/defineMessage.js';
import type { HandlerContext, Protocol } from './types.js';

/** A message handler: `(payload, ctx) => reply`. */
export type Handler<P, R, S> = (payload: P, ctx: HandlerContext<S>) => R | Promise<R>;

/** A handler bound to a message definition, whose schema validates every payload before it runs. */
export interface HandlerSpec<P = unknown, R = unknown, S = unknown> {
  readonly message: MessageDef | undefined;
  readonly handle: Handler<P, R, S>;
}

/**
 * Binds a handler to a message definition: payloads are validated with its
 * schema (an invalid one is answered with `ValidationError`) and typed.
 * @example
 * handles: { [Ping.type]: on(Ping, ({ text }) => text.toUpperCase()) }
 */
// biome-ignore lint/suspicious/noExplicitAny: state is typed by annotating `ctx: HandlerContext<State>` when wanted
export function on<M extends MessageDef, R, S = any>(
  message: M,
  handle: Handler<PayloadOf<M>, R, S>,
): HandlerSpec<PayloadOf<M>, R, S> {
  return { message, handle };
}

/** Restart policy for crashed instances. */
export interface SupervisionOptions {
  /** Restarts allowed within `windowMs` before the instance is marked failed (default 3). */
  maxRestarts: number;
  /** The window restarts are counted in, ms (default 60 000). */
  windowMs: number;
  /** Delay before the first restart, ms; doubles each time (default 10). */
  backoffMs: number;
  /** Upper bound of the restart delay, ms (default 5 000). */
  maxBackoffMs: number;
  /**
   * How long a handler may keep running past its message's deadline before it is abandoned, ms
   * (default 10 000; `Infinity` never). An abandoned handler's late result is dropped, its
   * asker is answered with `TimeoutError`, a `task.log` warning is emitted and the instance is
   * restarted with its committed state, counted against `maxRestarts` like a crash. Give
   * long-running agents (coding-agent runners) a long grace.
   */
  hangGraceMs: number;
}

// biome-ignore lint/suspicious/noExplicitAny: handlers of any payload and state type are accepted here
type AnyHandler<_S> = HandlerSpec<any, any, any> | Handler<any, any, any>;

/** Options shared by both forms of agent definition. */
interface AgentCommon<T extends string> {
  /** Dotted agent type, e.g. `team.writer`. */
  type: T;
  /** Restart policy (merged over the runtime defaults). */
  supervision?: Partial<SupervisionOptions>;
  /** Stop instances idle this long, ms; with a store, their state is saved and reloaded on the next message. */
  passivateAfterMs?: number;
  /**
   * When keyed state is saved to the runtime's store (handler agents): `'passivate'` (default:
   * on passivation and close only, so a crash loses what changed since) or `'message'` (after
   * every handled message, before its reply is sent, so a takeover after a crash resumes from
   * the last answered message). Either way state is loaded from the store on activation.
   */
  persist?: 'passivate' | 'message';
}

/** An agent built from message handlers. */
export interface HandlesAgentConfig<T extends string, S, H extends Record<string, AnyHandler<S>>>
  extends AgentCommon<T> {
  /** The initial state of a new instance (given its key). */
  initialState?: (key: string) => S;
  /** Handlers by message type. */
  handles: H;
}

/**
 * An agent that is a user's own XState machine: each message arrives as an
 * event `{ type, payload, envelope }`; answer with the `reply`/`fail` actions.
 */
export interface MachineAgentConfig<T extends string, M extends AnyStateMachine> extends AgentCommon<T> {
  machine: M;
}

type ReplyOf<V> = V extends { handle: (payload: never, ctx: never) => infer R }
  ? Awaited<R>
  : V extends (payload: never, ctx: never) => infer R
    ? Awaited<R>
    : unknown;
type PayloadOfHandler<V> = V extends { handle: (payload: infer P, ctx: never) => unknown }
  ? P
  : V extends (payload: infer P, ctx: never) => unknown
    ? P
    : unknown;

/** The protocol an agent with handlers `H` speaks. */
export type HandlesProtocol<H> = {
  [K in keyof H & string]: { payload: PayloadOfHandler<H[K]>; reply: ReplyOf<H[K]> };
};

/** A compiled agent definition, ready for `runtime.register`. */
export interface AgentDef<T extends string = string, P extends Protocol = Protocol> {
  readonly kind: 'agent';
  readonly type: T;
  /** Phantom: the protocol, for typed refs. */
  readonly protocol?: P;
  /** @internal handlers by message type (handler agents). */
  readonly handlers: ReadonlyMap<string, HandlerSpec> | undefined;
  /** @internal the user's machine (machine agents). */
  readonly machine: AnyStateMachine | undefined;
  /** @internal */
  readonly initialState: ((key: string) => unknown) | undefined;
  readonly supervision: Partial<SupervisionOptions> | undefined;
  readonly passivateAfterMs: number | undefined;
  readonly persist: 'passivate' | 'message' | undefined;
}

/**
 * Defines an agent type, from message handlers or from an XState machine.
 * @example
 * const Echo = defineAgent({
 *   type: 'echo',
 *   initialState: () => ({ count: 0 }),
 *   handles: { [Ping.type]: on(Ping, ({ text }, ctx) => { ctx.setState((s) => ({ count: s.count + 1 })); return text; }) },
 * });
 */
export function defineAgent<const T extends string, S, H extends Record<string, AnyHandler<S>>>(
  config: HandlesAgentConfig<T, S, H>,
): AgentDef<T, HandlesProtocol<H>>;
export function defineAgent<const T extends string, M extends AnyStateMachine>(
  config: MachineAgentConfig<T, M>,
): AgentDef<T, Protocol>;
export function defineAgent(
  config:
    | HandlesAgentConfig<string, unknown, Record<string, AnyHandler<unknown>>>
    | MachineAgentConfig<string, AnyStateMachine>,
): AgentDef {
  if (!isValidName(config.type)) {
    throw new ValidationError(`invalid agent type '${config.type}': use dotted words of [A-Za-z0-9_-]`, {
      issues: [{ path: 'type', message: 'invalid agent type' }],
    });
  }
  const common = {
    kind: 'agent' as const,
    type: config.type,
    supervision: config.supervision,
    passivateAfterMs: config.passivateAfterMs,
    persist: config.persist,
  };
  if ('machine' in config) {
    return { ...common, machine: config.machine, handlers: undefined, initialState: undefined };
  }
  if (config.initialState !== undefined && typeof config.initialState !== 'function') {
    throw new ValidationError(
      `agent '${config.type}': initialState must be a function returning a fresh state (key) => state`,
      { issues: [{ path: 'initialState', message: 'must be a function' }] },
    );
  }
  const handlers = new Map<string, HandlerSpec>();
  for (const [type, value] of Object.entries(config.handles)) {
    const spec: HandlerSpec = typeof value === 'function' ? { message: undefined, handle: value } : value;
    if (spec.message && spec.message.type !== type) {
      throw new ValidationError(
        `agent '${config.type}': handler key '${type}' does not match its message type '${spec.message.type}'`,
        { issues: [{ path: `handles.${type}`, message: 'key must equal the message type' }] },
      );
    }
    handlers.set(type, spec);
  }
  return { ...common, handlers, machine: undefined, initialState: config.initialState };
}
