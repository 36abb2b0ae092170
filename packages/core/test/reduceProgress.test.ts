import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type ProgressEvent, ProgressEventSchema, type ProgressKind } from '../src/progress/events.js';
import { initialProgress, MAX_LOGS, MAX_TOOL_CALLS, reduceProgress } from '../src/progress/reduceProgress.js';
import type { SubTaskProgress, TaskProgress } from '../src/progress/taskProgress.js';
import { trackProgress } from '../src/progress/trackProgress.js';

/** Records events of one run with increasing seq; every fixture goes through the real schema. */
function recorder(runId = 'run-1') {
  let seq = 0;
  return (kind: ProgressKind, taskId: string, ts: number, fields: Record<string, unknown> = {}) =>
    ProgressEventSchema.parse({ runId, taskId, ts, seq: seq++, kind, ...fields });
}

const reduceAll = (events: ProgressEvent[], state: TaskProgress = initialProgress()): TaskProgress =>
  events.reduce(reduceProgress, state);

type Shape = { id: string; children: Shape[] };
const shape = (nodes: SubTaskProgress[]): Shape[] =>
  nodes.map((n) => ({ id: n.taskId, children: shape(n.subtasks) }));

function search(nodes: SubTaskProgress[], id: string): SubTaskProgress | undefined {
  for (const n of nodes) {
    const hit = n.taskId === id ? n : search(n.subtasks, id);
    if (hit) return hit;
  }
  return undefined;
}
function find(nodes: SubTaskProgress[], id: string): SubTaskProgress {
  const hit = search(nodes, id);
  if (!hit) throw new Error(`no task ${id}`);
  return hit;
}

/** Freezes everything reachable, including non-enumerable properties such as `_internal`. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  }
  return value;
}

/** Deterministic pseudo-random numbers, so a failing shuffle can be replayed from its seed. */
function prng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
    return x / 0x7fffffff;
  };
}

/** A random tree of 25 tasks, each started, progressing and maybe retried and finished, in order. */
function randomRun(rnd: () => number): { events: ProgressEvent[]; weights: Map<string, number> } {
  const e = recorder();
  const events: ProgressEvent[] = [];
  const weights = new Map<string, number>();
  const ids = Array.from({ length: 25 }, (_, i) => `t${i}`);
  let ts = 1000;
  ids.forEach((id, i) => {
    const parentId = i > 0 && rnd() < 0.7 ? ids[Math.floor(rnd() * i)] : undefined;
    weights.set(id, 1 + Math.floor(rnd() * 3));
    events.push(e('task.created', id, ts++, { weight: weights.get(id), ...(parentId && { parentId }) }));
  });
  const error = { code: 'E', name: 'Error', message: 'x' };
  for (const id of ids) {
    events.push(e('task.started', id, ts++, { agent: `agent-${id}` }));
    events.push(e('task.progress', id, ts++, { percent: Math.floor(rnd() * 100) }));
    if (rnd() < 0.3) {
      events.push(e('task.retrying', id, ts++, { attempt: 2, delayMs: 1 }));
      events.push(e('task.started', id, ts++));
    }
    const end = rnd();
    if (end < 0.4) events.push(e('task.completed', id, ts++));
    else if (end < 0.5) events.push(e('task.failed', id, ts++, { error }));
    else if (end < 0.6) events.push(e('task.cancelled', id, ts++));
    else events.push(e('task.progress', id, ts++, { percent: Math.floor(rnd() * 100) }));
    events.push(e('task.tokens', id, ts++, { input: 3, output: 2 }));
  }
  return { events, weights };
}

const sortTree = (nodes: SubTaskProgress[]): SubTaskProgress[] =>
  nodes
    .map((n) => ({ ...n, subtasks: sortTree(n.subtasks) }))
    .sort((a, b) => a.taskId.localeCompare(b.taskId));

/** A run with two branches; A has two children. All events arrive in order. */
function normalRun(): ProgressEvent[] {
  const e = recorder();
  return [
    e('run.started', 'run-1', 1000, { name: 'Research' }),
    e('task.created', 'A', 1000, { parentId: 'run-1', name: 'Gather' }),
    e('task.created', 'A1', 1000, { parentId: 'A', name: 'Search web' }),
    e('task.created', 'A2', 1000, { parentId: 'A', name: 'Search papers' }),
    e('task.created', 'B', 1000, { parentId: 'run-1', name: 'Write' }),
    e('task.started', 'A', 1100, { agent: 'planner' }),
    e('task.started', 'A1', 1200, { agent: 'searcher/1' }),
    e('task.progress', 'A1', 1500, { percent: 40, step: 'querying' }),
    e('task.started', 'A2', 1600, { agent: 'searcher/2' }),
    e('task.completed', 'A1', 2000),
    e('task.completed', 'A2', 2500),
    e('task.completed', 'A', 2600),
    e('task.started', 'B', 2700, { agent: 'writer' }),
    e('task.progress', 'B', 3000, { percent: 50, step: 'drafting' }),
    e('task.completed', 'B', 4000),
    e('run.finished', 'run-1', 4100, { status: 'completed' }),
  ];
}

describe('reduceProgress', () => {
  it('should build the nested task tree of a normal run', () => {
    const events = normalRun();
    const p = reduceAll(events);
    expect(shape(p.subtasks)).toEqual([
      {
        id: 'A',
        children: [
          { id: 'A1', children: [] },
          { id: 'A2', children: [] },
        ],
      },
      { id: 'B', children: [] },
    ]);
    expect(p).toMatchObject({ taskId: 'run-1', name: 'Research', status: 'completed', overallProgress: 100 });
    expect(find(p.subtasks, 'A1')).toEqual({
      taskId: 'A1',
      parentId: 'A',
      name: 'Search web',
      agent: 'searcher/1',
      status: 'completed',
      progress: 100,
      step: 'querying',
      attempts: 1,
      startedAt: 1200,
      finishedAt: 2000,
      subtasks: [],
    });
    expect(p.executionDetails).toEqual({
      elapsedTime: 3100,
      estimatedRemaining: 0,
      toolCalls: [],
      tokensUsed: { input: 0, output: 0, total: 0 },
    });
  });

  it('should report the current agent and step of the latest running task', () => {
    const events = normalRun();
    const mid = reduceAll(events.slice(0, 9)); // A1 at 40%, A2 just started
    expect(mid.status).toBe('running');
    expect(mid.executionDetails).toMatchObject({ currentAgent: 'searcher/2', currentStep: 'Search papers' });
    const later = reduceAll(events.slice(0, 11)); // A1, A2 done; only A still runs
    expect(later.executionDetails).toMatchObject({ currentAgent: 'planner', currentStep: 'Gather' });
    const drafting = reduceAll(events.slice(0, 14));
    expect(drafting.executionDetails).toMatchObject({ currentAgent: 'writer', currentStep: 'drafting' });
  });

  it('should keep a terminal status when started and progress arrive after completed', () => {
    const e = recorder();
    const started = e('task.started', 'T', 100, { agent: 'a' });
    const progress = e('task.progress', 'T', 150, { percent: 30 });
    const done = e('task.completed', 'T', 200);
    const p = reduceAll([done, progress, started]);
    expect(find(p.subtasks, 'T')).toMatchObject({
      status: 'completed',
      progress: 100,
      attempts: 1,
      startedAt: 100,
      finishedAt: 200,
    });
    expect(p.status).toBe('completed');
  });

  it('should not let an older non-terminal event overwrite a newer one', () => {
    const e = recorder();
    const queued = e('task.queued', 'T', 100);
    const started = e('task.started', 'T', 110);
    const half = e('task.progress', 'T', 120, { percent: 50 });
    const paused = e('task.paused', 'T', 130);
    const quarter = e('task.progress', 'T', 115, { percent: 25 });
    const p = reduceAll([started, paused, queued, half, quarter]);
    expect(find(p.subtasks, 'T')).toMatchObject({ status: 'paused', progress: 50, attempts: 1 });
    expect(p.status).toBe('paused');
  });

  it('should attach children that arrive before their parent', () => {
    const e = recorder();
    const grandchild = e('task.started', 'C', 300, { parentId: 'B' });
    const child = e('task.created', 'B', 200, { parentId: 'A' });
    const parent = e('task.created', 'A', 100);
    const p1 = reduceAll([grandchild]);
    expect(shape(p1.subtasks)).toEqual([{ id: 'C', children: [] }]);
    const p2 = reduceAll([grandchild, child]);
    expect(shape(p2.subtasks)).toEqual([{ id: 'B', children: [{ id: 'C', children: [] }] }]);
    const p3 = reduceAll([grandchild, child, parent]);
    expect(shape(p3.subtasks)).toEqual([
      { id: 'A', children: [{ id: 'B', children: [{ id: 'C', children: [] }] }] },
    ]);
    expect(find(p3.subtasks, 'C')).toMatchObject({ parentId: 'B', status: 'running' });
  });

  it('should learn a parent from a later event and refuse a cycle', () => {
    const e = recorder();
    const p = reduceAll([
      e('task.started', 'X', 100),
      e('task.created', 'P', 90),
      e('task.created', 'X', 80, { parentId: 'P', name: 'x' }),
      e('task.created', 'P', 95, { parentId: 'X' }), // contradicts the tree: P stays top-level
    ]);
    expect(shape(p.subtasks)).toEqual([{ id: 'P', children: [{ id: 'X', children: [] }] }]);
  });

  it('should dissolve a card for the run root when run.started arrives late', () => {
    const e = recorder();
    const p = reduceAll([
      e('task.created', 'A', 100, { parentId: 'run-1' }),
      e('task.log', 'run-1', 100, { message: 'root log' }),
      e('task.created', 'run-1', 100),
      e('run.started', 'run-1', 90, { name: 'Late' }),
    ]);
    expect(shape(p.subtasks)).toEqual([{ id: 'A', children: [] }]);
    expect(p).toMatchObject({ taskId: 'run-1', name: 'Late', status: 'running' });
    expect(p.logs).toHaveLength(1);
  });

  it('should give the same snapshot when every event is delivered twice', () => {
    const e = recorder();
    const events = [
      ...normalRun(),
      e('task.tokens', 'B', 3500, { input: 10, output: 5 }),
      e('task.log', 'B', 3500, { message: 'hello' }),
      e('task.tool_call', 'B', 3500, { tool: 'search' }),
      e('task.artifact', 'B', 3600, { name: 'draft.md' }),
      e('task.retrying', 'A1', 1900, { attempt: 2, delayMs: 10 }),
    ];
    const once = reduceAll(events);
    const twice = reduceAll(events.flatMap((ev) => [ev, ev]));
    expect(twice).toEqual(once);
    expect(JSON.stringify(twice)).toBe(JSON.stringify(once));
    const last = events.at(-1)!;
    expect(reduceProgress(once, last)).toBe(once);
  });

  it('should recognise a full replay of a long task beyond the recent window', () => {
    const e = recorder();
    const logs = Array.from({ length: 600 }, (_, i) =>
      e('task.log', 'T', 1000 + i, { message: `line ${i}` }),
    );
    const once = reduceAll(logs);
    const replayed = reduceAll(logs, once);
    expect(replayed).toBe(once);
    expect(once.logs).toHaveLength(600);
  });

  it('should reach the same snapshot from any delivery order with duplicates', async () => {
    for (let seed = 1; seed <= 25; seed++) {
      const rnd = prng(seed);
      const { events, weights } = randomRun(rnd);
      const shuffled = [...events, ...events.filter(() => rnd() < 0.2)];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      const ordered = reduceAll(events);
      const mixed = reduceAll(shuffled);
      // A snapshot after every event and one batched by trackProgress patch their lists differently.
      expect(await lastValueFrom(trackProgress(from(shuffled), { maxDelay: 0 })), `seed ${seed}`).toEqual(
        mixed,
      );
      expect(sortTree(mixed.subtasks), `seed ${seed}`).toEqual(sortTree(ordered.subtasks));
      expect(mixed.status, `seed ${seed}`).toBe(ordered.status);
      expect(mixed.executionDetails.tokensUsed.total).toBe(125);
      // The incrementally kept overall % must match a walk over the final tree: completed reads 100;
      // anything else the larger of its own report and its weighted share of its children, capped at 99.
      const expectedValue = (n: SubTaskProgress): number => {
        if (n.status === 'completed') return 100;
        const kids = n.subtasks;
        let w = 0;
        let sum = 0;
        for (const k of kids) {
          w += weights.get(k.taskId)!;
          sum += weights.get(k.taskId)! * expectedValue(k);
        }
        return Math.min(99, Math.max(reportedOf(n.taskId), w > 0 ? sum / w : 0));
      };
      const reportedOf = (id: string): number => {
        const last = events
          .filter((ev) => ev.taskId === id && (ev.kind === 'task.progress' || ev.kind === 'task.retrying'))
          .at(-1);
        return last?.kind === 'task.progress' ? (last.percent ?? 0) : 0;
      };
      let sum = 0;
      let weight = 0;
      for (const n of ordered.subtasks) {
        sum += weights.get(n.taskId)! * expectedValue(n);
        weight += weights.get(n.taskId)!;
      }
      expect(ordered.overallProgress, `seed ${seed}`).toBe(Math.round((sum / weight) * 10) / 10);
      expect(mixed.overallProgress, `seed ${seed}`).toBe(ordered.overallProgress);
    }
  });

  it('should count attempts across retries, also out of order', () => {
    const e = recorder();
    const events = [
      e('task.started', 'T', 100),
      e('task.progress', 'T', 150, { percent: 60 }),
      e('task.retrying', 'T', 200, {
        attempt: 2,
        delayMs: 50,
        error: { code: 'TIMEOUT', name: 'TimeoutError', message: 'slow' },
      }),
      e('task.started', 'T', 250),
      e('task.completed', 'T', 300),
    ];
    // An attempt counts once it starts: while the task waits out its backoff it has made one.
    const retrying = reduceAll(events.slice(0, 3));
    expect(find(retrying.subtasks, 'T')).toMatchObject({ status: 'retrying', attempts: 1, progress: 0 });
    expect(find(reduceAll(events.slice(0, 4)).subtasks, 'T')).toMatchObject({
      status: 'running',
      attempts: 2,
    });
    // A start that names its attempt counts as that attempt, whatever arrived before it.
    const named = e('task.started', 'N', 400, { attempt: 3 });
    expect(find(reduceAll([named]).subtasks, 'N').attempts).toBe(3);
    expect(find(reduceAll(events).subtasks, 'T')).toMatchObject({ status: 'completed', attempts: 2 });
    const [s1, , retry, s2, done] = events as [
      ProgressEvent,
      ProgressEvent,
      ProgressEvent,
      ProgressEvent,
      ProgressEvent,
    ];
    for (const order of [
      [done, retry, s1, s2],
      [retry, s1, s2, done],
      [s1, s2, retry, done],
      [done, s2, s1, retry],
    ]) {
      expect(find(reduceAll(order).subtasks, 'T')).toMatchObject({ status: 'completed', attempts: 2 });
    }
  });

  it('should update a tool call with the same callId instead of appending', () => {
    const e = recorder();
    const p = reduceAll([
      e('task.tool_call', 'T', 100, { tool: 'search', callId: 'c1' }),
      e('task.tool_call', 'T', 110, { tool: 'fetch' }),
      e('task.tool_call', 'T', 120, { tool: 'search', callId: 'c1', status: 'succeeded' }),
      e('task.tool_call', 'T', 130, { tool: 'write', callId: 'c2', status: 'failed' }),
      e('task.tool_call', 'T', 125, { tool: 'write', callId: 'c2', status: 'started' }), // late
    ]);
    expect(p.executionDetails.toolCalls).toEqual([
      { tool: 'search', callId: 'c1', status: 'succeeded', taskId: 'T', ts: 100 },
      { tool: 'fetch', status: 'started', taskId: 'T', ts: 110 },
      { tool: 'write', callId: 'c2', status: 'failed', taskId: 'T', ts: 125 },
    ]);
  });

  it('should sum tokens over tasks', () => {
    const e = recorder();
    const p = reduceAll([
      e('task.tokens', 'A', 100, { input: 100, output: 20, model: 'gpt' }),
      e('task.tokens', 'B', 110, { input: 50 }),
      e('task.tokens', 'A', 120, { output: 7 }),
    ]);
    expect(p.executionDetails.tokensUsed).toEqual({ input: 150, output: 27, total: 177 });
  });

  it('should append logs and artifacts and cap logs and tool calls', () => {
    const e = recorder();
    const p = reduceAll([
      e('task.log', 'A', 100, { message: 'starting' }),
      e('task.log', 'A', 110, { level: 'warn', message: 'slow' }),
      e('task.artifact', 'A', 120, {
        name: 'out.md',
        uri: 'file:///out.md',
        mimeType: 'text/markdown',
        size: 42,
      }),
      e('task.artifact', 'A', 130, { name: 'notes' }),
    ]);
    expect(p.logs).toEqual([
      { level: 'info', message: 'starting', taskId: 'A', ts: 100 },
      { level: 'warn', message: 'slow', taskId: 'A', ts: 110 },
    ]);
    expect(p.artifacts).toEqual([
      { name: 'out.md', uri: 'file:///out.md', mimeType: 'text/markdown', size: 42, taskId: 'A', ts: 120 },
      { name: 'notes', taskId: 'A', ts: 130 },
    ]);
    const many = Array.from({ length: MAX_LOGS + 5 }, (_, i) => [
      e('task.log', `T${i % 3}`, 200 + i, { message: `m${i}` }),
      e('task.tool_call', `T${i % 3}`, 200 + i, { tool: `t${i}` }),
    ]).flat();
    const capped = reduceAll(many);
    expect(capped.logs).toHaveLength(MAX_LOGS);
    expect(capped.logs[0]?.message).toBe('m5');
    expect(capped.executionDetails.toolCalls).toHaveLength(MAX_TOOL_CALLS);
    expect(capped.executionDetails.toolCalls.at(-1)?.tool).toBe(`t${MAX_LOGS + 4}`);
  });

  it('should weight overall progress over leaf tasks only', () => {
    const e = recorder();
    expect(initialProgress().overallProgress).toBe(0);
    const p = reduceAll([
      e('task.created', 'P', 100, { weight: 10 }), // a parent: its own weight and progress do not count
      e('task.created', 'A', 100, { parentId: 'P', weight: 3 }),
      e('task.created', 'B', 100, { parentId: 'P' }),
      e('task.progress', 'A', 110, { percent: 50 }),
      e('task.progress', 'P', 110, { percent: 5 }),
      e('task.completed', 'B', 120),
    ]);
    expect(p.overallProgress).toBe(62.5); // (3 * 50 + 1 * 100) / 4
    const q = reduceAll([
      e('task.created', 'A', 100),
      e('task.created', 'B', 100),
      e('task.created', 'C', 100),
      e('task.progress', 'A', 110, { percent: 50 }),
    ]);
    expect(q.overallProgress).toBe(16.7);
    const r = reduceAll([
      e('task.created', 'A', 100),
      e('task.cancelled', 'A', 110),
      e('task.created', 'B', 100),
    ]);
    // A cancelled (or failed) task keeps the progress it had made: it is not finished work.
    expect(r.overallProgress).toBe(0);
    expect(
      reduceAll([e('task.progress', 'A', 105, { percent: 40 }), e('task.cancelled', 'A', 110)])
        .overallProgress,
    ).toBe(40);
  });

  it('should estimate the remaining time once a leaf has finished', () => {
    const e = recorder();
    const events = [
      e('run.started', 'run-1', 1000),
      e('task.created', 'A', 1000),
      e('task.created', 'B', 1000),
      e('task.progress', 'B', 2000, { percent: 20 }),
      e('task.completed', 'A', 3000),
      e('task.progress', 'B', 4000, { percent: 50 }),
      e('task.completed', 'B', 5000),
    ];
    expect(reduceAll(events.slice(0, 4)).executionDetails.estimatedRemaining).toBeUndefined();
    const half = reduceAll(events.slice(0, 5)).executionDetails; // 60% after 2000 ms
    expect(half).toMatchObject({ elapsedTime: 2000, estimatedRemaining: 1333 });
    expect(reduceAll(events.slice(0, 6)).executionDetails.estimatedRemaining).toBe(1000); // 75% after 3000
    const done = reduceAll(events);
    expect(done.executionDetails).toMatchObject({ elapsedTime: 4000, estimatedRemaining: 0 });
    expect(done.status).toBe('running'); // run.started without run.finished
  });

  it('should store the error of a failed task and derive the run status without run.started', () => {
    const e = recorder();
    const events = [
      e('task.started', 'A', 100),
      e('task.started', 'B', 100),
      e('task.failed', 'A', 200, {
        error: { code: 'E_TOOL', name: 'ToolError', message: 'boom', retryable: false },
      }),
    ];
    const running = reduceAll(events);
    expect(find(running.subtasks, 'A')).toMatchObject({
      status: 'failed',
      error: { code: 'E_TOOL', message: 'boom' },
      finishedAt: 200,
    });
    expect(running.status).toBe('running');
    expect(reduceAll([...events, e('task.completed', 'B', 300)]).status).toBe('failed');
    expect(reduceAll([e('task.completed', 'A', 100)]).status).toBe('completed');
    expect(initialProgress({ taskId: 'r', name: 'Run' })).toMatchObject({
      taskId: 'r',
      name: 'Run',
      status: 'pending',
    });
  });

  it('should never mutate the state it is given', () => {
    const e = recorder();
    const events = [
      ...normalRun(),
      e('task.tool_call', 'B', 3100, { tool: 'x', callId: 'c' }),
      e('task.tool_call', 'B', 3200, { tool: 'x', callId: 'c', status: 'succeeded' }),
      e('task.tokens', 'B', 3300, { input: 1 }),
      e('task.log', 'B', 3300, { message: 'm' }),
      e('task.artifact', 'B', 3300, { name: 'a' }),
      e('task.created', 'Z', 3400, { parentId: 'late-parent' }),
      e('task.created', 'late-parent', 3500),
      e('task.retrying', 'Z', 3600, { attempt: 2, delayMs: 0 }),
    ];
    let state = deepFreeze(initialProgress());
    for (const ev of events) {
      const before = JSON.stringify(state);
      const next = reduceProgress(state, ev);
      expect(JSON.stringify(state)).toBe(before);
      state = deepFreeze(next);
    }
    expect(find(state.subtasks, 'Z').parentId).toBe('late-parent');
  });

  it('should keep its bookkeeping out of JSON and still reduce a snapshot parsed from JSON', () => {
    const e = recorder();
    const p = reduceAll([e('task.created', 'A', 100), e('task.created', 'B', 100, { parentId: 'A' })]);
    expect(JSON.stringify(p)).not.toContain('_internal');
    const restored = JSON.parse(JSON.stringify(p)) as TaskProgress;
    const next = reduceProgress(restored, e('task.completed', 'B', 200));
    expect(shape(next.subtasks)).toEqual([{ id: 'A', children: [{ id: 'B', children: [] }] }]);
    expect(find(next.subtasks, 'B').status).toBe('completed');
  });
});

describe('reduceProgress — honest progress', () => {
  it('should keep a task below 100 until it completes itself, even when all its sub-tasks did', () => {
    const e = recorder();
    const events = [
      e('run.started', 'run-1', 100),
      e('task.started', 'S', 100, { parentId: 'run-1' }),
      e('task.started', 'A', 110, { parentId: 'S' }),
      e('task.completed', 'A', 120),
      e('task.completed', 'S', 130),
    ];
    const agentDone = reduceAll(events.slice(0, 4));
    expect(find(agentDone.subtasks, 'S')).toMatchObject({ status: 'running', progress: 99 });
    expect(agentDone.overallProgress).toBe(99);
    expect(reduceAll(events).overallProgress).toBe(100);
  });

  it('should split a parent between its children, so a child that becomes a parent moves nothing else', () => {
    const e = recorder();
    const events = [
      e('run.started', 'run-1', 100),
      e('task.started', 'seq', 100, { parentId: 'run-1' }),
      ...['a', 'b', 'c'].map((id) => e('task.created', id, 100, { parentId: 'seq' })),
      e('task.completed', 'a', 110),
      e('task.started', 'b', 120),
      ...['b1', 'b2', 'b3', 'b4'].map((id) => e('task.created', id, 120, { parentId: 'b' })),
      e('task.completed', 'b1', 130),
    ];
    let state = initialProgress();
    const overall = events.map((ev) => {
      state = reduceProgress(state, ev);
      return state.overallProgress;
    });
    expect(overall.slice(5)).toEqual([33.3, 33.3, 33.3, 33.3, 33.3, 33.3, 41.7]);
  });

  it('should split a task announcing its sub-tasks over that many parts from the start', () => {
    const e = recorder();
    const p = reduceAll([
      e('task.started', 'L', 100),
      e('task.progress', 'L', 100, { expectedSubtasks: 4 }),
      e('task.created', 'i1', 110, { parentId: 'L' }),
      e('task.completed', 'i1', 120),
    ]);
    expect(find(p.subtasks, 'L').progress).toBe(25);
  });

  it('should leave pending and queued tasks as they are on pause and resume', () => {
    const e = recorder();
    const p = reduceAll([
      e('task.created', 'Q', 100),
      e('task.queued', 'Q', 100),
      e('task.created', 'P', 100),
      e('task.started', 'R', 100),
      ...['Q', 'P', 'R'].map((id) => e('task.paused', id, 110)),
    ]);
    expect(p.subtasks.map((t) => [t.taskId, t.status])).toEqual([
      ['Q', 'queued'],
      ['P', 'pending'],
      ['R', 'paused'],
    ]);
    expect(p.status).toBe('paused');
    const resumed = reduceAll(
      ['Q', 'P', 'R'].map((id) => e('task.resumed', id, 120)),
      p,
    );
    expect(resumed.subtasks.map((t) => t.status)).toEqual(['queued', 'pending', 'running']);
  });

  it('should carry descriptions and result previews, and ignore kinds it does not track', () => {
    const e = recorder();
    const p = reduceAll([
      e('run.started', 'run-1', 100, { name: 'Run', description: 'why it runs' }),
      e('task.created', 'T', 100, { parentId: 'run-1', description: 'what T does' }),
      e('task.completed', 'T', 150, { result: 'r'.repeat(1000) }),
      e('run.finished', 'run-1', 160, { status: 'completed' }),
    ]);
    expect(p).toMatchObject({ description: 'why it runs', startedAt: 100, finishedAt: 160 });
    const t = find(p.subtasks, 'T');
    expect(t.description).toBe('what T does');
    expect((t.result as string).length).toBe(256);
    // A kind added later (e.g. task.model_call) changes no status and breaks nothing.
    const future = { runId: 'run-1', taskId: 'T', ts: 170, seq: 99, kind: 'task.model_call', model: 'm' };
    const after = reduceProgress(p, future as unknown as ProgressEvent);
    expect(find(after.subtasks, 'T')).toMatchObject({ status: 'completed', progress: 100 });
  });

  it('should reduce a snapshot that is not the latest of its chain from what it shows', () => {
    const e = recorder();
    const first = reduceAll([e('task.created', 'A', 100), e('task.created', 'B', 100)]);
    const later = reduceProgress(first, e('task.completed', 'A', 110));
    const branch = reduceProgress(first, e('task.completed', 'B', 120)); // `first` again: not the latest
    expect(later.subtasks.map((t) => t.status)).toEqual(['completed', 'pending']);
    expect(branch.subtasks.map((t) => t.status)).toEqual(['pending', 'completed']);
    expect(first.subtasks.map((t) => t.status)).toEqual(['pending', 'pending']);
  });
});

describe('trackProgress', () => {
  it('should batch snapshots of a wide fan-out, and end on the same snapshot as the reducer', async () => {
    const e = recorder();
    const width = 5_000;
    const events = [
      e('run.started', 'run-1', 1),
      e('task.started', 'P', 1, { parentId: 'run-1' }),
      ...Array.from({ length: width }, (_, i) => e('task.created', `k${i}`, 2, { parentId: 'P' })),
      ...Array.from({ length: width }, (_, i) => e('task.completed', `k${i}`, 3 + i)),
      e('task.completed', 'P', 10_000),
      e('run.finished', 'run-1', 10_001, { status: 'completed' }),
    ];
    const all = await lastValueFrom(trackProgress(from(events)).pipe(toArray()));
    // One snapshot per event would rebuild a 5,000-card list 10,000 times.
    expect(all.length).toBeLessThan(events.length / 20);
    expect(all.at(-1)).toEqual(reduceAll(events));
    const overall = all.map((p) => p.overallProgress);
    expect(overall).toEqual([...overall].sort((a, b) => a - b));
  });

  it('should emit the reduced snapshot for an observable of events', async () => {
    const events = normalRun();
    const last = await lastValueFrom(trackProgress(from(events)));
    expect(last).toEqual(reduceAll(events));
    expect(last.status).toBe('completed');
  });

  it('should not re-emit for a duplicate event and should use the given root', async () => {
    const e = recorder('r');
    const a = e('task.started', 'A', 100, { parentId: 'root' });
    const all = await lastValueFrom(
      trackProgress(from([a, a, e('task.completed', 'A', 200)]), { taskId: 'root', name: 'Job' }).pipe(
        toArray(),
      ),
    );
    expect(all).toHaveLength(2);
    expect(all.at(-1)).toMatchObject({
      taskId: 'root',
      name: 'Job',
      status: 'completed',
      overallProgress: 100,
    });
    expect(shape(all.at(-1)!.subtasks)).toEqual([{ id: 'A', children: [] }]);
  });
});
