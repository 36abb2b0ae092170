import { registerWireError, TroupeError } from '@troupe/core';
import { z } from 'zod';
import { CallScope } from '../model/CallScope.js';
import type { ChatModel, ProgressSink } from '../model/types.js';
import type { SubTask } from '../planner/plan.js';
import { brief } from '../planner/prompts.js';
import { matchRule, type RouteChoice, type StrategyRule } from './rules.js';

/** Where and how one sub-task runs: executor, model, timeout (ms) and retry policy, with who decided and why. */
export const RouteSchema = z.object({
  subtaskId: z.string(),
  executor: z.string(),
  model: z.string().optional(),
  /** Milliseconds the sub-task may take. */
  timeout: z.number().positive(),
  retry: z.object({ retries: z.number().int().nonnegative(), backoffMs: z.number().nonnegative() }),
  decidedBy: z.enum(['rule', 'model', 'default']),
  /** The rule that decided (its name, or `#<index>`). */
  rule: z.string().optional(),
  reason: z.string(),
});

/** A route (see {@link RouteSchema}). */
export type Route = z.output<typeof RouteSchema>;

/** Defaults of every route: `timeout` wins over `timeoutFactor` × the estimate (at least `minTimeout`). */
export interface RouteDefaults {
  model?: string;
  /** Milliseconds; when unset, `timeoutFactor` × the estimate, at least `minTimeout`. */
  timeout?: number;
  /** Default 3. */
  timeoutFactor?: number;
  /** Milliseconds (default 30 000). */
  minTimeout?: number;
  /** Default 1. */
  retries?: number;
  /** Milliseconds (default 1 000). */
  backoffMs?: number;
}

/** How routes are chosen: rules first, then a model within an allowed set, then the plan's own choice. */
export interface StrategyOptions {
  /** Registered executors: nothing is ever routed elsewhere. */
  executors: readonly string[];
  rules?: readonly StrategyRule[];
  /** Asked when no rule matched. */
  model?: ChatModel;
  /** What the model may pick: executors (default: all registered) and models (default: it picks none). */
  allowed?: { executors?: readonly string[]; models?: readonly string[] };
  defaults?: RouteDefaults;
  /** Passed to the model as `agent`; labels `task.log` lines. */
  agent?: string;
}

/** Stable code of {@link RoutingError}. */
export const ROUTE_UNREGISTERED = 'ROUTE_UNREGISTERED_EXECUTOR';

/** No registered executor could take the sub-task (`data`: `subtaskId`, `executor`, `registered`). */
export class RoutingError extends TroupeError {
  constructor(message: string, data: { subtaskId: string; executor: string; registered: string[] }) {
    super(ROUTE_UNREGISTERED, message, { data });
  }
}

// Over NATS a RoutingError arrives as a RoutingError, with its data.
registerWireError(ROUTE_UNREGISTERED, (wire) => {
  const data = wire.data as { subtaskId: string; executor: string; registered: string[] } | undefined;
  if (data === undefined) throw new Error('no data');
  return new RoutingError(wire.message, data);
});

/**
 * Routes one sub-task. User rules are tried in order and the first that
 * matches decides (a rule naming an unregistered executor is skipped, with a
 * warning); without a match, `model` (if any) picks among the allowed,
 * registered executors and models; otherwise the plan's executor is used.
 * Every choice is explained in a `task.log` line. Throws `RoutingError` when
 * the only candidate is not registered; a failing model falls back to the
 * plan's choice (an abort rejects; `timeout`, ms, bounds the model's choice
 * with `TimeoutError`).
 */
export async function route(
  subtask: SubTask,
  options: StrategyOptions & { signal?: AbortSignal; timeout?: number; progress?: ProgressSink },
): Promise<Route> {
  if (options.timeout === undefined) return choose(subtask, options);
  const scope = new CallScope(options.signal, options.timeout, 'routing');
  try {
    return await choose(subtask, { ...options, signal: scope.signal });
  } catch (err) {
    throw scope.cancelled ? scope.reason() : err;
  } finally {
    scope.dispose();
  }
}

async function choose(
  subtask: SubTask,
  options: StrategyOptions & { signal?: AbortSignal; progress?: ProgressSink },
): Promise<Route> {
  const registered = new Set(options.executors);
  const log = (level: 'info' | 'warn', message: string) =>
    options.progress?.emit({
      kind: 'task.log',
      level,
      message,
      ...(options.agent === undefined ? {} : { agent: options.agent }),
    });
  const rules = options.rules ?? [];
  for (const [i, rule] of rules.entries()) {
    const why = matchRule(rule.when, subtask);
    if (why === undefined) continue;
    const label = rule.name ?? `#${i}`;
    const executor = rule.use.executor ?? subtask.executor;
    if (!registered.has(executor)) {
      log(
        'warn',
        `route ${subtask.id}: rule '${label}' matched but chose unregistered executor '${executor}'; skipped`,
      );
      continue;
    }
    return explain(
      build(subtask, executor, rule.use, options.defaults, {
        decidedBy: 'rule',
        rule: label,
        reason: `rule '${label}' matched: ${why}`,
      }),
      log,
    );
  }
  if (options.model) {
    const chosen = await askModel(subtask, options, registered, log);
    if (chosen) return explain(chosen, log);
  }
  if (!registered.has(subtask.executor)) {
    throw new RoutingError(
      `sub-task '${subtask.id}' names executor '${subtask.executor}', which is not registered (registered: ${[...registered].join(', ') || 'none'}), and no rule or model chose another`,
      { subtaskId: subtask.id, executor: subtask.executor, registered: [...registered] },
    );
  }
  return explain(
    build(subtask, subtask.executor, {}, options.defaults, {
      decidedBy: 'default',
      reason: 'no rule matched; the plan’s executor',
    }),
    log,
  );
}

async function askModel(
  subtask: SubTask,
  options: StrategyOptions & { signal?: AbortSignal; progress?: ProgressSink },
  registered: ReadonlySet<string>,
  log: (level: 'info' | 'warn', message: string) => void,
): Promise<Route | undefined> {
  const executors = (options.allowed?.executors ?? [...registered]).filter((e) => registered.has(e));
  const models = options.allowed?.models ?? [];
  if (executors.length === 0) return undefined;
  const schema = z.object({
    executor: z.enum(executors as [string, ...string[]]),
    ...(models.length ? { model: z.enum(models as [string, ...string[]]) } : {}),
    reason: z.string(),
  });
  try {
    const { output } = await options.model!.chat({
      messages: [
        {
          role: 'system',
          content: `You route sub-tasks to executors. Executors: ${executors.join(', ')}.${models.length ? ` Models: ${models.join(', ')}.` : ''} Pick the best fit and say why in one sentence. Answer with JSON.`,
        },
        { role: 'user', content: `Sub-task: ${brief(subtask, 2_000)}` },
      ],
      output: schema,
      outputName: 'route',
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.progress ? { progress: options.progress } : {}),
      ...(options.agent === undefined ? {} : { agent: options.agent }),
    });
    const pick = output as { executor: string; model?: string; reason: string };
    // The schema already limits the choice; this guards a client that did not enforce it.
    if (!executors.includes(pick.executor) || (pick.model !== undefined && !models.includes(pick.model))) {
      log('warn', `route ${subtask.id}: the model chose outside the allowed set; falling back`);
      return undefined;
    }
    const use: RouteChoice = { executor: pick.executor, ...(pick.model ? { model: pick.model } : {}) };
    return build(subtask, pick.executor, use, options.defaults, {
      decidedBy: 'model',
      reason: `model: ${pick.reason}`,
    });
  } catch (err) {
    if (options.signal?.aborted) throw err;
    log('warn', `route ${subtask.id}: the model could not choose (${(err as Error).message}); falling back`);
    return undefined;
  }
}

function build(
  subtask: SubTask,
  executor: string,
  use: RouteChoice,
  defaults: RouteDefaults = {},
  decision: Pick<Route, 'decidedBy' | 'reason'> & { rule?: string },
): Route {
  const timeout =
    use.timeout ??
    defaults.timeout ??
    Math.max(defaults.minTimeout ?? 30_000, subtask.estimatedSeconds * 1000 * (defaults.timeoutFactor ?? 3));
  const route: Route = {
    subtaskId: subtask.id,
    executor,
    timeout,
    retry: {
      retries: use.retries ?? defaults.retries ?? 1,
      backoffMs: use.backoffMs ?? defaults.backoffMs ?? 1_000,
    },
    ...decision,
  };
  const model = use.model ?? defaults.model;
  if (model !== undefined) route.model = model;
  return route;
}

function explain(route: Route, log: (level: 'info' | 'warn', message: string) => void): Route {
  const retries = route.retry.retries === 1 ? '1 retry' : `${route.retry.retries} retries`;
  const model = route.model ? `model ${route.model}, ` : '';
  log(
    'info',
    `route ${route.subtaskId} → ${route.executor} (${model}timeout ${route.timeout / 1000} s, ${retries}): ${route.reason}`,
  );
  return route;
}
