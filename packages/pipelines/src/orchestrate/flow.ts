import { type Plan, type Route, type SubTask, TrackPlan } from '@troupe/agents';
import {
  completedEvent,
  errorPreview,
  failureEvent,
  type ProgressInput,
  TroupeError,
  toError,
} from '@troupe/core';
import { type DagOutcome, dag } from '../dag.js';
import { StepCtx } from '../StepCtx.js';
import type { Step, TaskScope } from '../scope.js';
import type { RetiredSubTask } from './journal.js';
import { askPlan, askReplan, askRoutes, type Planning } from './planning.js';
import { EXECUTE_CARD, PLAN_CARD, ROUTE_CARD, type RunState } from './RunState.js';
import type { SubState } from './report.js';
import { subtaskStep } from './subtaskStep.js';
import type { OrchestrateReport } from './types.js';

/** Stable code of the error a run's execution card fails with when re-plans ran out. */
export const REPLANS_EXHAUSTED = 'REPLANS_EXHAUSTED';

/** Weights of planning and execution in the run's overall progress (announced before either starts). */
const PLAN_WEIGHT = 1;
const EXECUTE_WEIGHT = 9;

/**
 * The run's body: plan and route (`planning`), then run the plan (`executing`) in rounds, each a
 * DAG of what is left, re-planning failed branches between rounds up to `maxReplans`; then the
 * report. A budget reached ends it with a partial report; cancelling rejects.
 */
export async function runFlow(s: RunState): Promise<OrchestrateReport> {
  const core = s.core;
  const planCtx = ownCard(s, PLAN_CARD, 'plan');
  const executeCtx = ownCard(s, EXECUTE_CARD, 'execute');
  closeLeftOpen(s, [planCtx.taskId, executeCtx.taskId]);
  announce(s, planCtx, PLAN_WEIGHT, `plan and route: ${s.goal}`);
  announce(s, executeCtx, EXECUTE_WEIGHT, 'run the plan');
  const planning: Planning = {
    runtime: s.options.runtime,
    planner: s.options.planner ?? { type: 'planner' },
    strategy: s.options.strategy ?? { type: 'strategy' },
    executors: s.executors,
    timeout: s.options.planningTimeout ?? 120_000,
    context: s.options.context,
  };
  try {
    if (s.plan === undefined || s.routes.size === 0) {
      await makePlan(s, planning, planCtx);
    } else if (!isCompleted(s, planCtx.taskId)) {
      core.ended(planCtx, completedEvent({ subtasks: s.plan.subtasks.length }));
    }
    await trackPlan(s);
    s.phase('executing');
    core.started(executeCtx);
    await execute(s, planning, planCtx, executeCtx);
  } catch (err) {
    // A budget reached aborts the work: that ends the run with a partial report, not an error.
    if (s.stop === undefined || core.signal.aborted) throw err;
    for (const state of s.states.values()) {
      if (state.status === 'running' || state.status === 'suspended') {
        state.status = 'cancelled';
        state.error = { code: 'CANCELLED', message: toError(s.work.signal.reason).message };
      }
    }
  }
  if (!core.signal.aborted) await s.settleRemote();
  s.finishedAt = Date.now();
  const report = s.report();
  if (report.status === 'completed') core.ended(executeCtx, completedEvent(undefined));
  else if (report.status === 'partial') core.ended(executeCtx, failureEvent(toError(s.work.signal.reason)));
  else {
    const why = `left undone after ${s.replans} re-plans: ${report.undone.join(', ')}`;
    core.ended(executeCtx, failureEvent(new TroupeError(REPLANS_EXHAUSTED, why)));
  }
  return report;
}

/** A card of the run's own (plan, execute), under the run; a new id when an earlier session ended it badly. */
function ownCard(s: RunState, id: string, name: string): TaskScope {
  const was = s.priorCards?.status.get(id);
  const card = was === 'failed' || was === 'timed_out' || was === 'cancelled' ? s.freshId(id) : id;
  s.own.add(card);
  s.usedCards.add(card);
  return new StepCtx(s.core, s.work.signal, undefined, { name, id: card });
}

function isCompleted(s: RunState, taskId: string): boolean {
  return s.priorCards?.status.get(taskId) === 'completed';
}

function announce(s: RunState, ctx: TaskScope, weight: number, description: string): void {
  if (isCompleted(s, ctx.taskId)) return;
  s.core.created(ctx, false);
  ctx.emit({ kind: 'task.created', weight, description });
}

/**
 * A resumed run ends (`cancelled`, "interrupted") the cards its dead session left open, except
 * the ones it takes up again: its own cards and the cards of sub-tasks it will run again.
 */
function closeLeftOpen(s: RunState, own: readonly string[]): void {
  const prior = s.priorCards;
  if (prior === undefined) return;
  const keep = new Set(own);
  for (const [id, card] of s.cards) if (!s.prior?.done.has(id)) keep.add(card);
  for (const card of prior.open) {
    if (keep.has(card.taskId)) continue;
    const event: ProgressInput & { taskId: string } = {
      kind: 'task.cancelled',
      taskId: card.taskId,
      reason: 'interrupted: the process running it stopped; the run was resumed',
    };
    if (card.parentId !== undefined) event.parentId = card.parentId;
    s.core.emitTask(event);
  }
}

async function makePlan(s: RunState, planning: Planning, planCtx: TaskScope): Promise<void> {
  const core = s.core;
  core.started(planCtx);
  // Its two parts (the plan, then the routes) are announced first, so its share never goes back.
  planCtx.emit({ kind: 'task.progress', expectedSubtasks: 2 });
  // A plan given in code is only routed.
  if (s.plan === undefined) s.expectRemoteEnd(planCtx.taskId);
  const plan = s.plan ?? (await askPlan(planning, s.goal, planCtx));
  const routeCtx = planCtx.child({ name: 'route', id: ROUTE_CARD });
  core.created(routeCtx, false);
  core.started(routeCtx);
  s.expectRemoteEnd(routeCtx.taskId);
  const routes = await askRoutes(planning, s.goal, plan.subtasks, routeCtx);
  core.ended(routeCtx, completedEvent(routes.map((r) => `${r.subtaskId} → ${r.executor}`).join(', ')));
  s.plan = plan;
  for (const r of routes) s.routes.set(r.subtaskId, r);
  await s.savePlan();
  core.ended(planCtx, completedEvent({ subtasks: plan.subtasks.length }));
}

async function trackPlan(s: RunState): Promise<void> {
  const tracker = s.options.tracker;
  if (tracker === undefined || s.plan === undefined) return;
  const taskIds: Record<string, string> = {};
  for (const t of s.plan.subtasks) taskIds[t.id] = s.cardOf(t.id);
  await s.options.runtime
    .ref({ type: tracker.type, key: s.runId })
    .ask(TrackPlan.create({ runId: s.runId, plan: s.plan, taskIds }), { signal: s.work.signal });
}

async function execute(
  s: RunState,
  planning: Planning,
  planCtx: TaskScope,
  executeCtx: TaskScope,
): Promise<void> {
  for (;;) {
    const plan = s.plan as Plan;
    syncStates(s, plan);
    const todo = plan.subtasks.filter((t) => !s.results.has(t.id));
    if (todo.length === 0) return;
    const outcomes = await round(s, todo, executeCtx);
    const failed = todo.filter((t) => {
      const o = outcomes[t.id];
      return o !== undefined && o.status !== 'completed' && o.status !== 'skipped';
    });
    if (failed.length === 0) return;
    if (s.replans >= (s.options.maxReplans ?? 2)) {
      s.stop = 'replans_exhausted';
      return;
    }
    await replan(s, planning, planCtx, failed, outcomes);
  }
}

/** States for the plan's new sub-tasks: pending, or completed from the journal (never run again). */
function syncStates(s: RunState, plan: Plan): void {
  for (const t of plan.subtasks) {
    if (s.states.has(t.id)) continue;
    const route = s.routes.get(t.id);
    const done = s.prior?.done.get(t.id);
    const state: SubState = {
      id: t.id,
      taskId: done?.taskId ?? s.cardOf(t.id),
      name: t.name,
      executor: done?.executor ?? route?.executor ?? t.executor,
      model: done?.model ?? route?.model,
      status: 'pending',
      attempts: 0,
    };
    if (done !== undefined) {
      Object.assign(state, {
        status: 'completed',
        result: done.result,
        attempts: done.attempts,
        startedAt: done.startedAt,
        finishedAt: done.finishedAt,
        fromJournal: true,
        usage: { ...done.tokens, costUsd: done.costUsd },
      });
      s.results.set(t.id, done.result);
    }
    s.states.set(t.id, state);
  }
}

/** One round: the sub-tasks left, as a `skip-dependents` DAG under the execute card (their cards announced first). */
async function round(
  s: RunState,
  todo: SubTask[],
  executeCtx: TaskScope,
): Promise<Record<string, DagOutcome<unknown>>> {
  const ids = new Set(todo.map((t) => t.id));
  const nodes: Record<string, { step: Step<unknown, unknown>; deps: string[] }> = {};
  for (const t of todo) {
    const card = s.cardOf(t.id);
    const route = routeOf(s, t);
    (s.states.get(t.id) as SubState).taskId = card;
    executeCtx.emit({
      kind: 'task.created',
      taskId: card,
      name: t.name,
      description: t.description,
      weight: Math.max(1, t.estimatedSeconds),
      agent: route.executor,
      ...(t.dependencies.length > 0 ? { dependsOn: t.dependencies.map((d) => s.cardOf(d)) } : {}),
    });
    nodes[t.id] = { step: subtaskStep(s, t, card, route), deps: t.dependencies.filter((d) => ids.has(d)) };
  }
  const graph = dag(nodes, {
    name: 'execute',
    onFailure: 'skip-dependents',
    maxConcurrency: s.options.maxConcurrency ?? 4,
  });
  const outcomes = (await graph.run(undefined as never, executeCtx)) as Record<string, DagOutcome<unknown>>;
  for (const [id, o] of Object.entries(outcomes)) {
    const state = s.states.get(id);
    if (state === undefined || o.status === 'completed') continue;
    state.status = o.status;
    state.error = o.status === 'skipped' ? { code: 'SKIPPED', message: o.reason } : errorOf(o.error);
    state.finishedAt ??= Date.now();
  }
  return outcomes;
}

/** The sub-task's route; without one (a Strategy that skipped it), the plan's executor. */
function routeOf(s: RunState, t: SubTask): Route {
  let route = s.routes.get(t.id);
  if (route === undefined) {
    route = {
      subtaskId: t.id,
      executor: t.executor,
      timeout: Math.max(30_000, t.estimatedSeconds * 3000),
      retry: { retries: 0, backoffMs: 1000 },
      decidedBy: 'default',
      reason: 'no route: the plan’s executor',
    };
    s.routes.set(t.id, route);
  }
  return route;
}

async function replan(
  s: RunState,
  planning: Planning,
  planCtx: TaskScope,
  failed: SubTask[],
  outcomes: Record<string, DagOutcome<unknown>>,
): Promise<void> {
  const core = s.core;
  const plan = s.plan as Plan;
  s.replans += 1;
  s.phase('planning');
  const id = `@replan-${s.replans}`;
  s.own.add(id);
  const ctx = planCtx.child({ name: `re-plan ${s.replans}`, id });
  core.created(ctx, false);
  core.started(ctx);
  const results: Record<string, unknown> = {};
  for (const t of plan.subtasks) if (s.results.has(t.id)) results[t.id] = s.results.get(t.id);
  const why = failed.map((t) => {
    const o = outcomes[t.id];
    return o !== undefined && 'error' in o ? { id: t.id, error: o.error.message } : { id: t.id };
  });
  s.expectRemoteEnd(ctx.taskId);
  const revision = await askReplan(planning, plan, why, results, ctx);
  const revised = revision.plan.subtasks.filter((t) => revision.revised.includes(t.id));
  const routes = await askRoutes(planning, s.goal, revised, ctx);
  // What failed or was skipped leaves the plan's states (kept in the report); its revision starts afresh.
  for (const t of plan.subtasks) {
    if (s.results.has(t.id)) continue;
    const state = s.states.get(t.id);
    if (state !== undefined && state.status !== 'pending') s.retired.push(retiredOf(state));
    s.states.delete(t.id);
    s.cards.delete(t.id);
  }
  for (const r of routes) s.routes.set(r.subtaskId, r);
  s.plan = revision.plan;
  await s.savePlan();
  core.ended(
    ctx,
    completedEvent(`kept ${revision.kept.length}, revised ${revision.revised.join(', ') || 'none'}`),
  );
  s.phase('executing');
}

function retiredOf(state: SubState): RetiredSubTask {
  const r: RetiredSubTask = {
    id: state.id,
    taskId: state.taskId,
    name: state.name,
    executor: state.executor,
    status: state.status,
  };
  if (state.error !== undefined) r.error = state.error;
  return r;
}

/** An error as the sub-task's card shows it. */
function errorOf(error: Error): { code: string; message: string } {
  const wire = errorPreview(error);
  return { code: wire.code, message: wire.message };
}
