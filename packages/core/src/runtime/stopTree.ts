import type { AnyActor, AnyActorRef } from 'xstate';

/** What XState keeps private but every actor has: `stop()` refuses children, `_stop()` does not. */
interface StoppableRef {
  _stop?: () => unknown;
  getSnapshot?: () => unknown;
}

function childrenOf(ref: StoppableRef): AnyActorRef[] {
  let snapshot: unknown;
  try {
    snapshot = ref.getSnapshot?.();
  } catch {
    return [];
  }
  const children = (snapshot as { children?: Record<string, AnyActorRef | undefined> } | undefined)?.children;
  if (!children) return [];
  return Object.values(children).filter((c): c is AnyActorRef => c !== undefined);
}

/**
 * Stops a root actor and every actor it invoked or spawned, at any depth.
 *
 * XState v5 stops children only from inside a successful transition: an actor that errored (an action threw,
 * a child failed unhandled) is left with its children still running (intervals ticking, sockets open, callback
 * cleanups never called), and `stop()` on it is a no-op. So after the root is stopped, the children recorded in
 * its last snapshot are stopped too, deepest first, each by itself: one child whose cleanup throws does not keep
 * the others running. Stopping an already-stopped actor does nothing, so this is safe after a clean stop.
 */
export function stopTree(actor: AnyActor): void {
  try {
    // A child (a handler agent's actor under its type's parent) may only be stopped by `_stop()`.
    if (actor._parent) (actor as unknown as StoppableRef)._stop?.();
    else actor.stop();
  } catch {
    // an errored actor may refuse to stop; its children are stopped below either way
  }
  stopDescendants(actor as unknown as StoppableRef);
}

function stopDescendants(ref: StoppableRef): void {
  for (const child of childrenOf(ref)) {
    const stoppable = child as unknown as StoppableRef;
    stopDescendants(stoppable);
    try {
      stoppable._stop?.();
    } catch {
      // a child whose cleanup throws is stopped as far as XState goes; the rest still get stopped
    }
  }
}
