/** The reducer's additions for orchestrated runs: phases, suspended tasks and their answers, resumed runs, tokens per card. */
import { describe, expect, it } from 'vitest';
import { type ProgressEvent, ProgressEventSchema, type ProgressKind } from '../src/progress/events.js';
import { initialProgress, reduceProgress } from '../src/progress/reduceProgress.js';
import type { SubTaskProgress, TaskProgress } from '../src/progress/taskProgress.js';

function recorder(runId = 'run-1') {
  let seq = 0;
  return (kind: ProgressKind, taskId: string, ts: number, fields: Record<string, unknown> = {}) =>
    ProgressEventSchema.parse({ runId, taskId, ts, seq: seq++, kind, ...fields });
}

const reduceAll = (events: ProgressEvent[], state: TaskProgress = initialProgress()): TaskProgress =>
  events.reduce(reduceProgress, state);

function card(p: TaskProgress, id: string): SubTaskProgress {
  const walk = (cards: SubTaskProgress[]): SubTaskProgress | undefined => {
    for (const c of cards) {
      if (c.taskId === id) return c;
      const below = walk(c.subtasks);
      if (below) return below;
    }
    return undefined;
  };
  const hit = walk(p.subtasks);
  if (!hit) throw new Error(`no card ${id}`);
  return hit;
}

describe('phases of an orchestrated run', () => {
  it('should go planning → executing → completed, and show paused while paused', () => {
    const e = recorder();
    const events = [e('run.started', 'R', 1, { status: 'planning' })];
    expect(reduceAll(events).status).toBe('planning');
    events.push(e('task.started', 'plan', 2, { parentId: 'R' }));
    expect(reduceAll(events).status).toBe('planning');
    events.push(e('task.completed', 'plan', 3), e('run.status', 'R', 4, { status: 'executing' }));
    events.push(e('task.started', 'a', 5, { parentId: 'R' }));
    expect(reduceAll(events).status).toBe('executing');
    expect(reduceAll([...events, e('task.paused', 'a', 6)]).status).toBe('paused');
    events.push(e('task.completed', 'a', 7), e('run.finished', 'R', 8, { status: 'completed' }));
    expect(reduceAll(events).status).toBe('completed');
  });

  it('should let the newest phase win whatever the delivery order', () => {
    const e = recorder();
    const planning = e('run.status', 'R', 2, { status: 'planning' });
    const executing = e('run.status', 'R', 3, { status: 'executing' });
    const started = e('run.started', 'R', 1);
    expect(reduceAll([started, executing, planning]).status).toBe('executing');
    expect(reduceAll([started, planning, executing]).status).toBe('executing');
  });

  it('should make a run live again when it starts after it finished (resumed), not for a late older start', () => {
    const e = recorder();
    const first = [
      e('run.started', 'R', 1),
      e('task.started', 'a', 2),
      e('run.finished', 'R', 3, { status: 'cancelled' }),
    ];
    expect(reduceAll(first).status).toBe('cancelled');
    const resumed = reduceAll([...first, e('run.started', 'R', 4, { status: 'executing' })]);
    expect(resumed.status).toBe('executing');
    expect(resumed.finishedAt).toBeUndefined();
    // The same first start delivered again after the finish changes nothing.
    expect(reduceAll([...first, first[0]!]).status).toBe('cancelled');
  });
});

describe('suspended tasks', () => {
  it('should show the question while suspended, keep it through pause and resume, and clear it on the answer', () => {
    const e = recorder();
    const events = [
      e('run.started', 'R', 1),
      e('task.started', 'a', 2, { parentId: 'R' }),
      e('task.started', 'b', 2, { parentId: 'R' }),
      e('task.suspended', 'a', 3, { question: 'Which region?', schema: { type: 'string' }, key: 'a#1' }),
    ];
    let p = reduceAll(events);
    expect(card(p, 'a')).toMatchObject({
      status: 'suspended',
      question: { text: 'Which region?', schema: { type: 'string' }, key: 'a#1' },
    });
    expect(p.status).toBe('running');
    p = reduceAll([e('task.completed', 'b', 4)], p);
    expect(p.status).toBe('suspended');
    p = reduceAll([e('task.paused', 'a', 5), e('task.resumed', 'a', 6)], p);
    expect(card(p, 'a').status).toBe('suspended');
    p = reduceAll([e('task.answered', 'a', 7, { answer: 'eu', key: 'a#1' })], p);
    expect(card(p, 'a').status).toBe('running');
    expect(card(p, 'a').question).toBeUndefined();
    p = reduceAll([e('task.completed', 'a', 8)], p);
    expect(card(p, 'a').status).toBe('completed');
  });

  it('should change nothing when an answer reaches a task that is not suspended, and drop the question when it ends', () => {
    const e = recorder();
    const paused = reduceAll([
      e('task.started', 'a', 1),
      e('task.paused', 'a', 2),
      e('task.answered', 'a', 3),
    ]);
    expect(card(paused, 'a').status).toBe('paused');
    const cancelled = reduceAll([
      e('task.started', 'a', 1),
      e('task.suspended', 'a', 2, { question: 'ok?' }),
      e('task.cancelled', 'a', 3),
    ]);
    expect(card(cancelled, 'a')).toMatchObject({ status: 'cancelled' });
    expect(card(cancelled, 'a').question).toBeUndefined();
    // A late question for a task that ended does not reopen it.
    const late = reduceAll([e('task.suspended', 'a', 4, { question: 'again?' })], cancelled);
    expect(card(late, 'a').status).toBe('cancelled');
    expect(card(late, 'a').question).toBeUndefined();
  });
});

describe('tokens per card', () => {
  it('should add each task’s tokens to it and to every card above it, whatever the order', () => {
    const e = recorder();
    const events = [
      e('task.created', 'top', 1),
      e('task.created', 'mid', 2, { parentId: 'top' }),
      e('task.tokens', 'leaf', 3, { parentId: 'mid', input: 10, output: 5 }),
      e('task.tokens', 'mid', 4, { input: 1, output: 1 }),
      e('task.tokens', 'other', 5, { input: 7, output: 0 }),
    ];
    const ordered = reduceAll(events);
    expect(card(ordered, 'leaf').tokens).toEqual({ input: 10, output: 5 });
    expect(card(ordered, 'mid').tokens).toEqual({ input: 11, output: 6 });
    expect(card(ordered, 'top').tokens).toEqual({ input: 11, output: 6 });
    expect(card(ordered, 'other').tokens).toEqual({ input: 7, output: 0 });
    expect(ordered.executionDetails.tokensUsed.total).toBe(24);
    // The leaf before its parents: its tokens join them when it is adopted.
    const reversed = reduceAll([...events].reverse());
    for (const id of ['leaf', 'mid', 'top', 'other'])
      expect(card(reversed, id).tokens, id).toEqual(card(ordered, id).tokens);
    // A card without tokens has none.
    expect('tokens' in card(reduceAll([e('task.started', 'x', 1)]), 'x')).toBe(false);
  });

  it('should keep the tokens of a snapshot restored from JSON without counting them twice', () => {
    const e = recorder();
    const p = reduceAll([
      e('task.created', 'top', 1),
      e('task.tokens', 'leaf', 2, { parentId: 'top', input: 3, output: 2 }),
    ]);
    const restored = reduceProgress(
      JSON.parse(JSON.stringify(p)) as TaskProgress,
      e('task.tokens', 'leaf', 3, { input: 1, output: 0 }),
    );
    expect(card(restored, 'top').tokens).toEqual({ input: 4, output: 2 });
    expect(card(restored, 'leaf').tokens).toEqual({ input: 4, output: 2 });
  });
});
