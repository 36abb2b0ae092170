import type { ActorLogic, Snapshot } from 'xstate';
import type { Envelope } from '../messages/envelope.js';

/** Event type that commits a new instance state (sent by `ctx.setState`). */
export const SET_STATE = 'troupe.setState';

/**
 * Marks the event `ctx.setState` sends, so that a message whose type happens to be
 * `troupe.setState` (a valid message type) is still a message.
 */
export const SETS_STATE = Symbol('troupe.setsState');

/** The hook through which a delivered event reaches the handler runner. */
export const RUN = Symbol('troupe.run');

/** A message as an XState event: `{ type, payload, envelope }`. */
export interface MessageEvent {
  type: string;
  payload: unknown;
  envelope: Envelope;
  /** @internal runs the handler for this event (handler agents only). */
  [RUN]?: { invokeCurrent(): void };
}

/** What `ctx.setState` sends: the new instance state. */
export interface SetStateEvent {
  type: typeof SET_STATE;
  [SETS_STATE]: true;
  state: unknown;
}

/** The event `ctx.setState` sends (typed as the actor's event, which XState's `send` takes). */
export function setStateEvent(state: unknown): MessageEvent {
  const event: SetStateEvent = { type: SET_STATE, [SETS_STATE]: true, state };
  return event as unknown as MessageEvent;
}

/** The snapshot of a handler agent's actor: its context holds the instance state. */
export type HandlerSnapshot = Snapshot<undefined> & { context: { state: unknown } };

/** The XState logic every handler agent's actor runs (see {@link handlerLogic}). */
export type HandlerLogic = ActorLogic<HandlerSnapshot, MessageEvent | SetStateEvent, { state: unknown }>;

/**
 * The XState actor logic of a handler agent, shared by all its instances: each message is one
 * event whose transition starts the handler, and a new state comes back as one
 * `troupe.setState` event that replaces the context. A message leaves the snapshot as it is,
 * so an ask allocates nothing here. (A state machine with one targetless transition per
 * message type did the same work at a third of the speed, and a started machine actor held
 * ~4 KB; an invoked promise actor per message measured ~20k msgs/s.)
 */
export const handlerLogic: HandlerLogic = {
  transition(snapshot, event) {
    if ((event as SetStateEvent)[SETS_STATE] === true) {
      return { ...snapshot, context: { state: (event as SetStateEvent).state } };
    }
    (event as MessageEvent)[RUN]?.invokeCurrent();
    return snapshot;
  },
  getInitialSnapshot(_scope, input) {
    return { status: 'active', output: undefined, error: undefined, context: { state: input.state } };
  },
  getPersistedSnapshot: (snapshot) => snapshot,
  restoreSnapshot: (snapshot) => snapshot as HandlerSnapshot,
};

/**
 * The logic of the one parent actor under which a handler agent type's instances run, so that
 * they share its XState system (a root actor gets a system of its own: ~20 closures, maps and a
 * scheduler, more than half of what an idle instance held). It keeps no state and ignores what
 * it is sent: a failed child's error reaches its instance through its own subscription.
 */
export const groupLogic: ActorLogic<Snapshot<undefined>, { type: string }> = {
  transition: (snapshot) => snapshot,
  getInitialSnapshot: () => ({ status: 'active', output: undefined, error: undefined }),
  getPersistedSnapshot: (snapshot) => snapshot,
};
