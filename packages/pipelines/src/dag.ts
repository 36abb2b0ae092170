import { asCancellation, CancelledError, failureEvent, onAbort, statusOfError, toError } from '@troupe/core';
import { StepError } from './errors.js';
import { exec } from './exec.js';
import { buildGraph } from './graph.js';
import { concurrencyLimit } from './limits.js';
import type { AnyStep, InputOf, OutputOf, Step, TaskScope } from './scope.js';
import { allowManyListeners, linkedController, WIDE } from './signals.js';
import { isStep, makeStep, ownInput, toStep } from './step.js';

/** A node of a {@link dag}: its step and the nodes it waits for. */
export interface DagNode<S extends AnyStep = AnyStep> {
  /** Receives the dag's input (no deps) or `{ [dep]: output }` of its dependencies. */
  step: S;
  /** Names of the nodes whose outputs this one needs. */
  deps?: readonly string[];
}

/** Nodes of a dag by name: a step (no dependencies) or a {@link DagNode}. */
export type DagNodes = Record<string, AnyStep | DagNode>;

/** What a dag does when a node fails. */
export type DagFailure = 'fail-fast' | 'skip-dependents';

/** Options of {@link dag}. */
export interface DagOptions {
  /** Name shown in progress (default `dag`). */
  name?: string;
  /** Nodes running at once: an integer ≥ 1 or Infinity (default: all that are ready); else a `ValidationError`. */
  maxConcurrency?: number;
  /** `fail-fast` (default): the first failure cancels the rest and rejects; `skip-dependents`: its descendants are skipped, the rest finish. */
  onFailure?: DagFailure;
}

type StepOfNode<N> = N extends { step: infer S } ? S : N;
/** Each root node's input in a parameter position (non-roots: never), so that they intersect whole. */
type RootInputs<N> = {
  [K in keyof N]: N[K] extends { deps: readonly [string, ...string[]] }
    ? never
    : (input: InputOf<StepOfNode<N[K]>>) => void;
};
/** The input of a dag: what all of its root nodes accept (each one's input type taken whole, as in `parallel`). */
export type DagInput<N extends DagNodes> = RootInputs<N>[keyof N] extends (input: infer X) => void
  ? X
  : never;
/** The outputs of a dag, by node. */
export type DagOutputs<N extends DagNodes> = { -readonly [K in keyof N]: OutputOf<StepOfNode<N[K]>> };
/** How one node of a `skip-dependents` dag ended. */
export type DagOutcome<T> =
  | { status: 'completed'; value: T }
  | { status: 'failed' | 'cancelled' | 'timed_out'; error: Error }
  | { status: 'skipped'; reason: string };
/** Every node's outcome, by node. */
export type DagSettled<N extends DagNodes> = {
  -readonly [K in keyof N]: DagOutcome<OutputOf<StepOfNode<N[K]>>>;
};

/**
 * Runs a dependency graph: each node starts as soon as its own dependencies
 * finished (no rounds), with their outputs as its input. A missing dependency
 * (`ValidationError`) or a cycle (`CycleError`) throws here, before anything runs.
 * @example
 * const report = dag({
 *   web: searchWeb,
 *   papers: searchPapers,
 *   merge: { deps: ['web', 'papers'], step: ({ web, papers }: { web: string[]; papers: string[] }) => [...web, ...papers] },
 * }, { maxConcurrency: 4 });
 */
export function dag<const N extends DagNodes>(
  nodes: N,
  options: DagOptions & { onFailure: 'skip-dependents' },
): Step<DagInput<N>, DagSettled<N>>;
export function dag<const N extends DagNodes>(
  nodes: N,
  options?: DagOptions & { onFailure?: 'fail-fast' },
): Step<DagInput<N>, DagOutputs<N>>;
export function dag(nodes: DagNodes, options: DagOptions = {}): Step<unknown, Record<string, unknown>> {
  const specs = Object.entries(nodes).map(([name, node]) => {
    const spec: DagNode =
      typeof node === 'function' || isStep(node) ? { step: node as AnyStep } : (node as DagNode);
    // Each node gets its own copy of its input (the dag's, or its dependencies' outputs), as over NATS.
    return {
      name,
      step: ownInput(toStep(spec.step) as Step<unknown, unknown>, 'dag'),
      deps: spec.deps ?? [],
    };
  });
  const graph = buildGraph('dag', new Map(specs.map((s) => [s.name, s.deps])));
  const limit = concurrencyLimit('dag', 'maxConcurrency', options.maxConcurrency);
  const skip = options.onFailure === 'skip-dependents';
  const steps = specs.map((s) => s.step);
  return makeStep(options.name ?? 'dag', (input: unknown, ctx: TaskScope) => {
    const n = steps.length;
    const core = ctx.core;
    const [controller, unlink] = linkedController(ctx.signal);
    if (n > WIDE) allowManyListeners(controller.signal);
    const kids = steps.map((s) => ctx.child(s as Step<never, unknown>, controller.signal));
    // Every node is announced before the first starts, so the run knows its share of the whole.
    if (core.on) {
      kids.forEach((kid, i) => {
        core.created(
          kid,
          false,
          [...new Set(graph.deps[i] ?? [])].map((d) => (kids[d] as TaskScope).taskId),
        );
      });
    }
    const waiting = graph.deps.map((d) => new Set(d).size);
    const values: unknown[] = new Array(n);
    const outcome: Array<DagOutcome<unknown> | undefined> = new Array(n);
    const ready: number[] = [];
    let head = 0;
    let running = 0;
    let finished = 0;
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      let ended = false;
      const offAbort = onAbort(controller.signal, () => end(asCancellation(controller.signal.reason)));
      function end(error: Error | undefined): void {
        if (ended) return;
        ended = true;
        offAbort();
        unlink();
        if (error) {
          // The nodes still running are aborted and reported with the reason, the others as never
          // started; all of it before the dag rejects (and so before the run can finish).
          controller.abort(new CancelledError(`dag ended: ${error.message}`, { cause: error }));
          const reason = error instanceof StepError ? toError(controller.signal.reason) : error;
          const why =
            error instanceof StepError ? new CancelledError(`not started: ${error.message}`) : error;
          for (let i = 0; i < n; i++) if (outcome[i] === undefined) close(i, isRunning(i) ? reason : why);
          reject(error);
          return;
        }
        const out: Record<string, unknown> = {};
        graph.names.forEach((name, i) => {
          out[name] = skip ? outcome[i] : values[i];
        });
        resolve(out);
      }
      const started = new Uint8Array(n);
      const isRunning = (i: number) => started[i] === 1 && outcome[i] === undefined;
      function close(i: number, why: Error): void {
        core.ended(kids[i] as TaskScope, failureEvent(why));
      }
      function enqueue(i: number): void {
        ready.push(i);
        core.emitFor(kids[i] as TaskScope, { kind: 'task.queued' });
      }
      function settle(i: number, result: DagOutcome<unknown>): void {
        outcome[i] = result;
        finished += 1;
      }
      function skipDescendants(from: number, reason: string): void {
        const stack = [...(graph.dependents[from] ?? [])];
        while (stack.length > 0) {
          const j = stack.pop() as number;
          if (outcome[j] !== undefined) continue;
          settle(j, { status: 'skipped', reason });
          close(j, new CancelledError(`skipped: ${reason}`));
          stack.push(...(graph.dependents[j] ?? []));
        }
      }
      function onDone(i: number, value: unknown, error: Error | undefined): void {
        running -= 1;
        if (ended) return;
        if (error === undefined) {
          values[i] = value;
          settle(i, { status: 'completed', value });
          for (const j of graph.dependents[i] ?? [])
            if (--(waiting[j] as number) === 0 && outcome[j] === undefined) enqueue(j);
        } else if (controller.signal.aborted || !skip) {
          const why = controller.signal.aborted ? asCancellation(controller.signal.reason) : undefined;
          end(why ?? new StepError('dag', { step: graph.names[i] as string, index: i, cause: error }));
          return;
        } else {
          const status = statusOfError(error);
          settle(i, { status, error });
          skipDescendants(i, `dependency '${graph.names[i]}' ${status}`);
        }
        if (finished === n) end(undefined);
        else pump();
      }
      function inputOf(i: number): unknown {
        const deps = graph.deps[i] ?? [];
        if (deps.length === 0) return input;
        const inputs: Record<string, unknown> = {};
        for (const d of deps) inputs[graph.names[d] as string] = values[d];
        return inputs;
      }
      function pump(): void {
        while (running < limit && head < ready.length && !ended) {
          const i = ready[head++] as number;
          running += 1;
          started[i] = 1;
          exec(steps[i] as Step<unknown, unknown>, inputOf(i), kids[i] as TaskScope).then(
            (value) => onDone(i, value, undefined),
            (err: unknown) => onDone(i, undefined, toError(err)),
          );
        }
      }
      for (let i = 0; i < n; i++) if (waiting[i] === 0) enqueue(i);
      if (n === 0) end(undefined);
      else pump();
    });
  });
}
