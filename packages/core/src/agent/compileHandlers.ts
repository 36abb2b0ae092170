import { assign, setup } from 'xstate';
import type { Envelope } from '../messages/envelope.js';

/** Event type that commits a new instance state (sent by `ctx.setState`). */
export const SET_STATE = 'troupe.setState';

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

interface SetStateEvent {
  type: typeof SET_STATE;
  state: unknown;
}

/**
 * Compiles message handlers to an XState machine whose context holds the
 * instance state. Each message is one targetless event whose action starts
 * the handler; a new state comes back as one `troupe.setState` event. (An
 * invoked promise actor per message measured ~20k msgs/s here, against
 * ~400k/s for a targetless event, so handlers run from the action.)
 */
export function compileHandlers(type: string, messageTypes: readonly string[]) {
  const runHandler = ({ event }: { event: MessageEvent | SetStateEvent }) => {
    (event as MessageEvent)[RUN]?.invokeCurrent();
  };
  const on: Record<string, unknown> = {
    [SET_STATE]: { actions: assign({ state: ({ event }) => (event as SetStateEvent).state }) },
  };
  for (const t of messageTypes) on[t] = { actions: runHandler };
  return setup({
    types: {
      context: {} as { state: unknown },
      input: {} as { state: unknown },
      events: {} as MessageEvent | SetStateEvent,
    },
  }).createMachine({
    id: type,
    context: ({ input }) => ({ state: input.state }),
    // biome-ignore lint/suspicious/noExplicitAny: the event map is built from the handler keys at run time
    on: on as any,
  });
}
