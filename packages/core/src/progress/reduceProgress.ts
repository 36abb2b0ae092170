import { cmp, emptyMap, get, isSeen, put, remember } from './bookkeeping.js';
import type { ProgressEvent, ProgressKind } from './events.js';
import type {
  ArtifactRecord,
  ProgressInternals,
  ProgressStamp,
  ProgressTotals,
  SubTaskProgress,
  TaskBookkeeping,
  TaskIdMap,
  TaskProgress,
  TaskStatus,
  ToolCallRecord,
} from './taskProgress.js';

/** Log lines kept in a snapshot (the newest); older ones are dropped so a long run stays bounded. */
export const MAX_LOGS = 1000;
/** Tool calls kept in a snapshot (the newest); a later update for a dropped call is appended anew. */
export const MAX_TOOL_CALLS = 1000;

const TERMINAL: ReadonlySet<TaskStatus> = new Set(['completed', 'failed', 'timed_out', 'cancelled']);
const STATUSES: TaskStatus[] = ['pending', 'queued', 'running', 'paused', 'retrying', ...TERMINAL];
const STATUS_OF: Partial<Record<ProgressKind, TaskStatus>> = {
  'task.created': 'pending',
  'task.queued': 'queued',
  'task.started': 'running',
  'task.retrying': 'retrying',
  'task.paused': 'paused',
  'task.resumed': 'running',
  'task.completed': 'completed',
  'task.failed': 'failed',
  'task.timed_out': 'timed_out',
  'task.cancelled': 'cancelled',
};
const isTerminal = (s: TaskStatus): boolean => TERMINAL.has(s);
const atLeast = (a: ProgressStamp, b: ProgressStamp | undefined): boolean =>
  b === undefined || cmp(a, b) >= 0;
const later = (a: ProgressStamp, b: ProgressStamp | undefined): ProgressStamp =>
  b !== undefined && cmp(b, a) > 0 ? b : a;

/** The snapshot before any event: no tasks, status pending. */
export function initialProgress(options: { taskId?: string; name?: string } = {}): TaskProgress {
  const snapshot: TaskProgress = {
    taskId: options.taskId ?? '',
    name: options.name ?? options.taskId ?? '',
    status: 'pending',
    overallProgress: 0,
    subtasks: [],
    executionDetails: { elapsedTime: 0, toolCalls: [], tokensUsed: { input: 0, output: 0, total: 0 } },
    logs: [],
    artifacts: [],
  };
  return withInternals(snapshot, { tasks: emptyMap(), seen: emptyMap(), waiting: {}, totals: emptyTotals() });
}

/** Folds one progress event into a new snapshot; pure, and a duplicate event returns `state` itself. */
export function reduceProgress(state: TaskProgress, event: ProgressEvent): TaskProgress {
  const prev = internalsOf(state);
  const stamp: ProgressStamp = [event.ts, event.seq];
  const key = `${event.runId} ${event.kind}`;
  const window = get(prev.seen, event.taskId);
  if (isSeen(window, stamp, key)) return state;

  const w: Work = {
    snap: { ...state, executionDetails: { ...state.executionDetails } },
    tasks: prev.tasks,
    waiting: { ...prev.waiting },
    totals: { ...prev.totals, counts: { ...prev.totals.counts } },
  };
  const next: ProgressInternals = {
    ...prev,
    seen: put(prev.seen, event.taskId, remember(window, stamp, key)),
    firstTs: Math.min(prev.firstTs ?? event.ts, event.ts),
    lastTs: Math.max(prev.lastTs ?? event.ts, event.ts),
  };
  if (event.kind === 'run.started') {
    startRun(w, event.taskId, event.name);
    next.runStarted = true;
  } else if (event.kind === 'run.finished') {
    next.finished = { status: event.status, ts: event.ts };
  } else {
    if (event.taskId !== w.snap.taskId || w.snap.taskId === '') applyTask(w, event, stamp);
    applyRecord(w.snap, event);
  }
  return finish(w, { ...next, tasks: w.tasks, waiting: w.waiting, totals: w.totals });
}

/** Fresh copies for one reduction: mutating them never touches the input state. */
interface Work {
  snap: TaskProgress;
  tasks: TaskIdMap<TaskBookkeeping>;
  waiting: Record<string, string[]>;
  totals: ProgressTotals;
}
type TaskEvent = Exclude<ProgressEvent, { kind: 'run.started' | 'run.finished' }>;

function applyTask(w: Work, ev: TaskEvent, stamp: ProgressStamp): void {
  const id = ev.taskId;
  ensureTask(w, id, ev.parentId);
  const meta: TaskBookkeeping = { ...get(w.tasks, id)! };
  edit(w, id, meta, (old) => {
    const node: SubTaskProgress = { ...old };
    if (ev.agent !== undefined) node.agent = ev.agent;
    if ((ev.kind === 'task.created' || ev.kind === 'task.started') && ev.name !== undefined)
      node.name = ev.name;
    if (ev.kind === 'task.created' && ev.weight !== undefined) meta.weight = ev.weight;
    if (ev.kind === 'task.started') {
      node.startedAt = Math.min(node.startedAt ?? ev.ts, ev.ts);
      // A start already counted by task.retrying, or a repeat report of the current start, is no new attempt.
      if (meta.attemptPending) meta.attemptPending = false;
      else if (node.attempts === 0 || node.status === 'pending' || node.status === 'queued')
        node.attempts += 1;
      meta.startAt = later(stamp, meta.startAt);
    }
    if (ev.kind === 'task.started' || ev.kind === 'task.progress')
      meta.activityAt = later(stamp, meta.activityAt);
    // The newest report wins; a retry reports 0 because the next attempt starts over.
    const isReport = ev.kind === 'task.progress' || ev.kind === 'task.retrying';
    if (isReport && atLeast(stamp, meta.progressAt) && node.status !== 'completed') {
      if (ev.kind === 'task.retrying') node.progress = 0;
      else if (ev.percent !== undefined) node.progress = ev.percent;
      if (ev.kind === 'task.progress' && ev.step !== undefined) node.step = ev.step;
      meta.progressAt = stamp;
    }
    if (ev.kind === 'task.retrying') {
      // `attempt` is the attempt about to run; max() also copes with a lost or late first task.started.
      node.attempts = Math.max(node.attempts + 1, ev.attempt);
      if (meta.startAt === undefined || cmp(stamp, meta.startAt) > 0) meta.attemptPending = true;
    }
    const status = STATUS_OF[ev.kind];
    if (status === undefined || !mayReplace(node.status, status, stamp, meta.statusAt)) return node;
    node.status = status;
    meta.statusAt = stamp;
    if (isTerminal(status)) node.finishedAt = ev.ts;
    if (status === 'completed') node.progress = 100;
    if (ev.kind === 'task.failed') node.error = { code: ev.error.code, message: ev.error.message };
    return node;
  });
  w.tasks = put(w.tasks, id, meta);
}

/** A terminal status beats any non-terminal one whatever the order; otherwise the newer stamp wins. */
function mayReplace(was: TaskStatus, next: TaskStatus, at: ProgressStamp, since?: ProgressStamp): boolean {
  return isTerminal(was) !== isTerminal(next) ? isTerminal(next) : atLeast(at, since);
}

function applyRecord(snap: TaskProgress, ev: TaskEvent): void {
  const { taskId, ts } = ev;
  const details = snap.executionDetails;
  if (ev.kind === 'task.log') {
    snap.logs = capAppend(snap.logs, { level: ev.level, message: ev.message, taskId, ts }, MAX_LOGS);
  } else if (ev.kind === 'task.artifact') {
    const artifact: ArtifactRecord = { name: ev.name, taskId, ts };
    if (ev.uri !== undefined) artifact.uri = ev.uri;
    if (ev.mimeType !== undefined) artifact.mimeType = ev.mimeType;
    if (ev.size !== undefined) artifact.size = ev.size;
    snap.artifacts = [...snap.artifacts, artifact];
  } else if (ev.kind === 'task.tokens') {
    const { input, output, total } = details.tokensUsed;
    details.tokensUsed = {
      input: input + ev.input,
      output: output + ev.output,
      total: total + ev.input + ev.output,
    };
  } else if (ev.kind === 'task.tool_call') {
    const calls = details.toolCalls;
    const i = ev.callId === undefined ? -1 : calls.findLastIndex((c) => c.callId === ev.callId);
    const old = calls[i];
    if (old === undefined) {
      const call: ToolCallRecord = { tool: ev.tool, status: ev.status, taskId, ts };
      if (ev.callId !== undefined) call.callId = ev.callId;
      details.toolCalls = capAppend(calls, call, MAX_TOOL_CALLS);
    } else {
      // A late 'started' must not undo the call's outcome.
      const status = ev.status === 'started' ? old.status : ev.status;
      details.toolCalls = calls.with(i, { ...old, status, ts: Math.min(old.ts, ts) });
    }
  }
}

/** Makes `run.started`'s task the snapshot root: a card for it that came earlier is dissolved. */
function startRun(w: Work, id: string, name: string | undefined): void {
  w.snap.taskId = id;
  if (name !== undefined) w.snap.name = name;
  else if (w.snap.name === '') w.snap.name = id;
  delete w.waiting[id];
  const meta = get(w.tasks, id);
  const node = meta && detach(w, id);
  if (meta === undefined || node === undefined) return;
  account(w.totals, node, meta.weight, -1);
  w.tasks = put(w.tasks, id, undefined);
  for (const child of node.subtasks) {
    const { parent: _parent, ...rest } = get(w.tasks, child.taskId)!;
    w.tasks = put(w.tasks, child.taskId, rest);
    w.snap.subtasks = [...w.snap.subtasks, child];
  }
}

/** Creates the card on first sight (adopting children that came first) and learns its parent once. */
function ensureTask(w: Work, id: string, parentId: string | undefined): void {
  if (get(w.tasks, id) === undefined) {
    const node: SubTaskProgress = {
      taskId: id,
      name: id,
      status: 'pending',
      progress: 0,
      attempts: 0,
      subtasks: [],
    };
    w.tasks = put(w.tasks, id, { weight: 1 });
    w.snap.subtasks = [...w.snap.subtasks, node];
    account(w.totals, node, 1, 1);
    const early = w.waiting[id];
    delete w.waiting[id];
    for (const child of early ?? []) adopt(w, child, id);
  }
  const meta = get(w.tasks, id)!;
  if (!parentId || parentId === id || findNode(w.snap.subtasks, pathTo(w.tasks, id))?.parentId) return;
  edit(w, id, meta, (n) => ({ ...n, parentId }));
  if (parentId !== w.snap.taskId) adopt(w, id, parentId); // children of the run stay top-level
}

/** Nests the top-level task `id` under `parentId`, or parks it until that parent appears. */
function adopt(w: Work, id: string, parentId: string): void {
  const meta = get(w.tasks, id);
  const parentMeta = get(w.tasks, parentId);
  if (meta === undefined || meta.parent !== undefined) return;
  if (parentMeta === undefined) {
    w.waiting[parentId] = [...(w.waiting[parentId] ?? []), id];
    return;
  }
  if (pathTo(w.tasks, parentId).includes(id)) return; // contradictory parents would make a cycle
  const node = detach(w, id);
  if (node === undefined) return;
  edit(w, parentId, parentMeta, (p) => ({ ...p, subtasks: [...p.subtasks, node] }));
  w.tasks = put(w.tasks, id, { ...meta, parent: parentId });
}

/** Takes the card `id` (with its subtree) out of the tree; the caller re-homes or drops it. */
function detach(w: Work, id: string): SubTaskProgress | undefined {
  const parent = get(w.tasks, id)?.parent;
  const parentMeta = parent === undefined ? undefined : get(w.tasks, parent);
  let found: SubTaskProgress | undefined;
  const drop = (list: SubTaskProgress[]): SubTaskProgress[] => {
    found = list.find((n) => n.taskId === id);
    return list.filter((n) => n.taskId !== id);
  };
  if (parent === undefined || parentMeta === undefined) w.snap.subtasks = drop(w.snap.subtasks);
  else edit(w, parent, parentMeta, (p) => ({ ...p, subtasks: drop(p.subtasks) }));
  return found;
}

/** Replaces the card `id` with `fn(card)` and moves its share of the totals along. */
function edit(w: Work, id: string, meta: TaskBookkeeping, fn: (n: SubTaskProgress) => SubTaskProgress): void {
  const before = meta.weight; // read before `fn`, which may change the weight
  w.snap.subtasks = mapAt(w.snap.subtasks, pathTo(w.tasks, id), (old) => {
    const node = fn(old);
    account(w.totals, old, before, -1);
    account(w.totals, node, meta.weight, 1);
    return node;
  });
}

/** Ids from the top level down to `id`, following attached parents (acyclic by construction). */
function pathTo(tasks: TaskIdMap<TaskBookkeeping>, id: string): string[] {
  const path = [id];
  for (let p = get(tasks, id)?.parent; p !== undefined; p = get(tasks, p)?.parent) path.unshift(p);
  return path;
}

function findNode(nodes: SubTaskProgress[], path: string[]): SubTaskProgress | undefined {
  let node: SubTaskProgress | undefined;
  for (const id of path) {
    node = nodes.find((n) => n.taskId === id);
    if (node === undefined) return undefined;
    nodes = node.subtasks;
  }
  return node;
}

/** Replaces the node at `path`, copying only the arrays on the way, so untouched subtrees are shared. */
function mapAt(
  nodes: SubTaskProgress[],
  path: string[],
  fn: (n: SubTaskProgress) => SubTaskProgress,
): SubTaskProgress[] {
  const [head, ...rest] = path;
  const i = nodes.findIndex((n) => n.taskId === head);
  const node = nodes[i];
  if (node === undefined) return nodes;
  return nodes.with(i, rest.length === 0 ? fn(node) : { ...node, subtasks: mapAt(node.subtasks, rest, fn) });
}

function emptyTotals(): ProgressTotals {
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
  return { counts, leaves: 0, leavesDone: 0, weights: 0, weighted: 0, running: [] };
}

/** Adds (`sign` 1) or removes (-1) one card's share; `t` must be this reduction's own copy. */
function account(t: ProgressTotals, n: SubTaskProgress, weight: number, sign: 1 | -1): void {
  t.counts[n.status] += sign;
  if (n.status === 'running') {
    t.running = sign > 0 ? [...t.running, n.taskId] : t.running.filter((id) => id !== n.taskId);
  }
  if (n.subtasks.length > 0) return;
  // Failed, cancelled and timed-out leaves will not move again, so they count as done.
  const done = isTerminal(n.status);
  t.leaves += sign;
  t.leavesDone += done ? sign : 0;
  t.weights += sign * weight;
  t.weighted += sign * weight * (done ? 100 : n.progress);
}

/** Derives the run-level fields from the totals and the event times. */
function finish(w: Work, internals: ProgressInternals): TaskProgress {
  const t = internals.totals;
  const allDone = internals.finished !== undefined || (t.leaves > 0 && t.leavesDone === t.leaves);
  // Sums are kept incrementally, so clamp away float dust.
  const overall = t.leaves === 0 ? 0 : Math.min(100, Math.max(0, t.weighted / t.weights));
  const end = internals.finished?.ts ?? internals.lastTs ?? 0;
  const elapsedTime = Math.max(0, end - (internals.firstTs ?? end));
  const { toolCalls, tokensUsed } = w.snap.executionDetails;
  const details: TaskProgress['executionDetails'] = { elapsedTime, toolCalls, tokensUsed };
  let current: { at: ProgressStamp; id: string } | undefined;
  for (const id of t.running) {
    const at = get(internals.tasks, id)?.activityAt;
    if (at !== undefined && (current === undefined || cmp(at, current.at) > 0)) current = { at, id };
  }
  const node = current && findNode(w.snap.subtasks, pathTo(internals.tasks, current.id));
  if (node?.agent !== undefined) details.currentAgent = node.agent;
  if (node !== undefined) details.currentStep = node.step ?? node.name;
  if (allDone) details.estimatedRemaining = 0;
  else if (t.leavesDone > 0 && overall > 0) {
    details.estimatedRemaining = Math.round((elapsedTime * (100 - overall)) / overall);
  }
  const snap: TaskProgress = {
    ...w.snap,
    status: internals.finished?.status ?? deriveStatus(t.counts, internals.runStarted === true),
    overallProgress: Math.round(overall * 10) / 10,
    executionDetails: details,
  };
  return withInternals(snap, internals);
}

function deriveStatus(c: Record<TaskStatus, number>, runStarted: boolean): TaskStatus {
  const total = STATUSES.reduce((sum, s) => sum + c[s], 0);
  const open = total - c.completed - c.failed - c.timed_out - c.cancelled;
  // Without run.started the tasks are all we know; with it only run.finished ends the run.
  if (!runStarted && total > 0 && open === 0) {
    if (c.failed + c.timed_out > 0) return 'failed';
    return c.cancelled === total ? 'cancelled' : 'completed';
  }
  if (c.running + c.retrying > 0) return 'running';
  if (open > 0 && c.paused === open) return 'paused';
  if (runStarted || open < total) return 'running';
  return c.queued > 0 ? 'queued' : 'pending';
}

function capAppend<T>(list: T[], item: T, max: number): T[] {
  return [...list.slice(Math.max(0, list.length - max + 1)), item];
}

function withInternals(snap: TaskProgress, internals: ProgressInternals): TaskProgress {
  return Object.defineProperty(snap, '_internal', { value: internals, enumerable: false });
}

/** The reducer state, rebuilt from the tree for a snapshot that lost it (e.g. one parsed from JSON). */
function internalsOf(state: TaskProgress): ProgressInternals {
  if (state._internal !== undefined) return state._internal;
  let tasks = emptyMap<TaskBookkeeping>();
  const totals = emptyTotals();
  const walk = (nodes: SubTaskProgress[], parent?: string): void => {
    for (const n of nodes) {
      tasks = put(tasks, n.taskId, parent === undefined ? { weight: 1 } : { parent, weight: 1 });
      account(totals, n, 1, 1);
      walk(n.subtasks, n.taskId);
    }
  };
  walk(state.subtasks);
  return { tasks, seen: emptyMap(), waiting: {}, totals };
}
