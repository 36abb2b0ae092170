import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createRuntime,
  defineAgent,
  defineMessage,
  on,
  type ProgressEvent,
  ProgressEventSchema,
  type Runtime,
  trackProgress,
} from '../src/index.js';
import { Boom, Sleep, Sleeper } from './fixtures.js';

let rt: Runtime;
afterEach(async () => {
  await rt?.close();
});

const Research = defineMessage('test.research', z.object({ topics: z.array(z.string()) }));
const Study = defineMessage('test.study', z.object({ topic: z.string() }));

const Student = defineAgent({
  type: 'test.student',
  handles: {
    [Study.type]: on(Study, ({ topic }, ctx) => {
      ctx.emit({ kind: 'task.progress', percent: 50, step: `reading ${topic}` });
      ctx.emit({ kind: 'task.tool_call', tool: 'search', callId: `c-${topic}`, status: 'succeeded' });
      ctx.emit({ kind: 'task.tokens', input: 10, output: 5, model: 'scripted' });
      return `${topic}: done`;
    }),
  },
});

const Lead = defineAgent({
  type: 'test.lead',
  handles: {
    [Research.type]: on(Research, async ({ topics }, ctx) => {
      const notes = await Promise.all(
        topics.map((topic) => ctx.ask<string>(Student, Study.create({ topic }))),
      );
      ctx.emit({ kind: 'task.log', level: 'info', message: `combined ${notes.length} notes` });
      return notes.join('; ');
    }),
  },
});

describe('progress', () => {
  it('should emit valid task events around every ask, with parent ids for nested asks', async () => {
    rt = createRuntime();
    await rt.register(Student, { instances: 3 });
    await rt.register(Lead);
    const events: ProgressEvent[] = [];
    rt.progress$.subscribe((e) => events.push(e));
    const reply = await rt
      .ref(Lead)
      .ask(Research.create({ topics: ['a', 'b', 'c'] }), { runId: 'run-1', taskId: 'root' });
    expect(reply).toBe('a: done; b: done; c: done');
    for (const e of events) expect(() => ProgressEventSchema.parse(e)).not.toThrow();
    expect(events.every((e) => e.runId === 'run-1')).toBe(true);
    const root = events.filter((e) => e.taskId === 'root').map((e) => e.kind);
    expect(root).toEqual(['task.started', 'task.log', 'task.completed']);
    const children = events.filter((e) => e.kind === 'task.completed' && e.parentId === 'root');
    expect(children).toHaveLength(3);
    expect(new Set(children.map((e) => e.agent))).toEqual(
      new Set(['test.student/_0', 'test.student/_1', 'test.student/_2']),
    );
    const seqs = events.map((e) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
  });

  it('should reduce the runtime stream to a TaskProgress tree with trackProgress', async () => {
    rt = createRuntime();
    await rt.register(Student);
    await rt.register(Lead);
    const snapshots = trackProgress(rt.progress$, { name: 'research' });
    const last = lastValueFrom(snapshots);
    await rt.ref(Lead).ask(Research.create({ topics: ['x', 'y'] }), { runId: 'r2', taskId: 'lead' });
    await rt.close();
    const progress = await last;
    expect(progress.subtasks).toHaveLength(1);
    const lead = progress.subtasks[0];
    expect(lead?.taskId).toBe('lead');
    expect(lead?.status).toBe('completed');
    expect(lead?.subtasks.map((s) => s.status)).toEqual(['completed', 'completed']);
    expect(progress.overallProgress).toBe(100);
    expect(progress.executionDetails.tokensUsed).toEqual({ input: 20, output: 10, total: 30 });
    expect(progress.executionDetails.toolCalls.map((c) => c.tool)).toEqual(['search', 'search']);
    expect(progress.logs.map((l) => l.message)).toEqual(['combined 2 notes']);
  });

  it('should emit task.failed with the wire error, and task.timed_out for a timeout', async () => {
    rt = createRuntime();
    await rt.register(Sleeper);
    const failed = firstValueFrom(rt.progress$.pipe(toArray()));
    await rt
      .ref(Sleeper)
      .ask(Boom.create({ code: 'E_X' }))
      .catch(() => {});
    await rt
      .ref(Sleeper)
      .ask(Sleep.create({ ms: 1_000, tag: 't' }), { timeout: 20 })
      .catch(() => {});
    await rt.close();
    const kinds = (await failed).map((e) =>
      e.kind === 'task.failed' ? `${e.kind}:${e.error.code}` : e.kind,
    );
    expect(kinds).toContain('task.failed:E_X');
    expect(kinds).toContain('task.timed_out');
  });

  it('should not build events when nobody listens', async () => {
    rt = createRuntime();
    await rt.register(Student);
    // No subscriber: the runtime skips building events, and handler emits are dropped.
    expect(rt.wantsProgress).toBe(false);
    expect(await rt.ref(Student).ask(Study.create({ topic: 'q' }))).toBe('q: done');
    const seen: ProgressEvent[] = [];
    const sub = rt.progress$.subscribe((e) => seen.push(e));
    expect(rt.wantsProgress).toBe(true);
    await rt.ref(Student).ask(Study.create({ topic: 'r' }));
    sub.unsubscribe();
    expect(rt.wantsProgress).toBe(false);
    // Nothing from the first ask was buffered: only the second one's events arrived, numbered from 1.
    expect(seen.map((e) => e.seq)).toEqual(seen.map((_, i) => i + 1));
    expect(seen.every((e) => e.kind !== 'task.started' || e.name === 'test.study')).toBe(true);
    expect(seen).toHaveLength(5);
  });
});
