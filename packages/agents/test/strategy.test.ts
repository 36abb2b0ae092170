import { createRuntime, type ProgressEvent, TimeoutError } from '@troupe/core';
import { startModelServer } from '@troupe/testing';
import { describe, expect, it } from 'vitest';
import {
  type ChatModel,
  type Route,
  RoutePlanRequest,
  RouteRequest,
  RoutingError,
  route,
  ScriptedModel,
  type StrategyProtocol,
  type StrategyRule,
  type SubTask,
  strategyAgent,
} from '../src/index.js';
import { recorder, standIns } from './support/standIns.js';

const task = (id: string, fields: Partial<SubTask> = {}): SubTask => ({
  id,
  name: `do ${id}`,
  description: '',
  executor: 'generalist',
  expectedOutput: '',
  estimatedSeconds: 60,
  dependencies: [],
  tags: [],
  ...fields,
});
const executors = ['generalist', 'coder', 'reviewer', 'writer'];
const rules: StrategyRule[] = [
  {
    name: 'big code',
    when: { tags: ['code'], minSeconds: 600 },
    use: { executor: 'coder', model: 'anthropic:claude-opus-4-1', timeout: 3_600_000, retries: 0 },
  },
  {
    name: 'code',
    when: { tags: ['code'] },
    use: { executor: 'coder', model: 'anthropic:claude-sonnet-4-6' },
  },
  { name: 'reviews', when: { name: /^review\b/i }, use: { executor: 'reviewer' } },
  {
    name: 'quick writing',
    when: { executor: ['writer', 'generalist'], name: 'blurb', maxSeconds: 120 },
    use: { model: 'openai:gpt-4.1-mini', retries: 3, backoffMs: 250 },
  },
  { name: 'to a ghost', when: { test: (t) => t.id === 'haunted' }, use: { executor: 'ghostwriter' } },
  { name: 'haunted fallback', when: { test: (t) => t.id === 'haunted' }, use: { executor: 'writer' } },
];

describe('route: user rules', () => {
  it('should route as the rules are written: first match wins', async () => {
    const progress = recorder();
    const pick = (t: SubTask) =>
      route(t, { executors, rules, progress, defaults: { model: 'openai:gpt-4.1' } });
    expect(await pick(task('engine', { tags: ['code', 'backend'], estimatedSeconds: 900 }))).toEqual({
      subtaskId: 'engine',
      executor: 'coder',
      model: 'anthropic:claude-opus-4-1',
      timeout: 3_600_000,
      retry: { retries: 0, backoffMs: 1_000 },
      decidedBy: 'rule',
      rule: 'big code',
      reason: "rule 'big code' matched: tags [code], estimated 900 s ≥ 600 s",
    });
    expect(await pick(task('button', { tags: ['code'] }))).toMatchObject({
      executor: 'coder',
      rule: 'code',
      model: 'anthropic:claude-sonnet-4-6',
      timeout: 180_000,
    });
    expect(await pick(task('r1', { name: 'Review the PR', tags: ['code'] }))).toMatchObject({ rule: 'code' });
    expect(await pick(task('r2', { name: 'Review the PR' }))).toMatchObject({
      executor: 'reviewer',
      rule: 'reviews',
      model: 'openai:gpt-4.1',
    });
    expect(
      await pick(task('w', { name: 'Write a blurb', executor: 'writer', estimatedSeconds: 100 })),
    ).toMatchObject({
      executor: 'writer',
      rule: 'quick writing',
      model: 'openai:gpt-4.1-mini',
      retry: { retries: 3, backoffMs: 250 },
    });
    expect(
      await pick(task('w2', { name: 'Write a blurb', executor: 'writer', estimatedSeconds: 500 })),
    ).toMatchObject({
      decidedBy: 'default',
      executor: 'writer',
      timeout: 1_500_000,
    });
    expect(
      await pick(task('w3', { name: 'Write a blurb', executor: 'coder', estimatedSeconds: 100 })),
    ).toMatchObject({ decidedBy: 'default', executor: 'coder' });
    expect(progress.events.map((e) => e.message)).toEqual([
      "route engine → coder (model anthropic:claude-opus-4-1, timeout 3600 s, 0 retries): rule 'big code' matched: tags [code], estimated 900 s ≥ 600 s",
      "route button → coder (model anthropic:claude-sonnet-4-6, timeout 180 s, 1 retry): rule 'code' matched: tags [code]",
      "route r1 → coder (model anthropic:claude-sonnet-4-6, timeout 180 s, 1 retry): rule 'code' matched: tags [code]",
      "route r2 → reviewer (model openai:gpt-4.1, timeout 180 s, 1 retry): rule 'reviews' matched: name ~ /^review\\b/i",
      "route w → writer (model openai:gpt-4.1-mini, timeout 300 s, 3 retries): rule 'quick writing' matched: executor writer, name ~ blurb, estimated 100 s ≤ 120 s",
      'route w2 → writer (model openai:gpt-4.1, timeout 1500 s, 1 retry): no rule matched; the plan’s executor',
      'route w3 → coder (model openai:gpt-4.1, timeout 300 s, 1 retry): no rule matched; the plan’s executor',
    ]);
  });

  it('should never route to an unregistered executor', async () => {
    const progress = recorder();
    const haunted = await route(task('haunted'), { executors, rules, progress });
    expect(haunted).toMatchObject({ executor: 'writer', rule: 'haunted fallback' });
    expect(progress.events[0]).toMatchObject({
      level: 'warn',
      message:
        "route haunted: rule 'to a ghost' matched but chose unregistered executor 'ghostwriter'; skipped",
    });
    const err = await route(task('lost', { executor: 'poet' }), { executors, rules }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RoutingError);
    expect(err).toMatchObject({
      code: 'ROUTE_UNREGISTERED_EXECUTOR',
      data: { subtaskId: 'lost', executor: 'poet' },
    });
    // A rule may rescue a sub-task whose own executor is unknown.
    expect(await route(task('x', { executor: 'poet', tags: ['code'] }), { executors, rules })).toMatchObject({
      executor: 'coder',
    });
  });
});

describe('route: a model within the allowed set', () => {
  it('should ask the model when no rule matched, offering only allowed, registered choices', async () => {
    const model = new ScriptedModel({
      script: [{ output: { executor: 'writer', model: 'openai:gpt-4.1-mini', reason: 'it is prose' } }],
    });
    const progress = recorder();
    const chosen = await route(task('essay', { executor: 'generalist' }), {
      executors,
      rules,
      model,
      allowed: {
        executors: ['writer', 'generalist', 'ghostwriter'],
        models: ['openai:gpt-4.1-mini', 'openai:gpt-4.1'],
      },
      progress,
    });
    expect(chosen).toMatchObject({
      executor: 'writer',
      model: 'openai:gpt-4.1-mini',
      decidedBy: 'model',
      reason: 'model: it is prose',
    });
    const schema = model.requests[0]!.output as { properties: Record<string, { enum?: string[] }> };
    expect(schema.properties.executor!.enum).toEqual(['writer', 'generalist']);
    expect(schema.properties.model!.enum).toEqual(['openai:gpt-4.1-mini', 'openai:gpt-4.1']);
    expect(progress.events.find((e) => e.kind === 'task.log')).toMatchObject({
      message: 'route essay → writer (model openai:gpt-4.1-mini, timeout 180 s, 1 retry): model: it is prose',
    });
  });

  it('should fall back to the plan’s executor when the model answers outside the set', async () => {
    const model = new ScriptedModel({ script: [{ output: { executor: 'ghostwriter', reason: 'spooky' } }] });
    const progress = recorder();
    const chosen = await route(task('essay'), {
      executors,
      model,
      allowed: { executors: ['writer'] },
      progress,
    });
    expect(chosen).toMatchObject({ executor: 'generalist', decidedBy: 'default' });
    expect(
      progress.events.some((e) => e.level === 'warn' && String(e.message).includes('could not choose')),
    ).toBe(true);
  });

  it('should not trust a client that ignored the schema', async () => {
    // A client that returns whatever it got, unchecked: the strategy checks the choice itself.
    const lax = new ScriptedModel();
    const model = {
      ...lax,
      name: 'lax',
      provider: 'lax',
      deltas$: lax.deltas$,
      stream: lax.stream.bind(lax),
      chat: async () => ({
        ...(await lax.chat({ messages: [] })),
        output: { executor: 'ghostwriter', reason: 'spooky' },
      }),
    } as unknown as ChatModel;
    const progress = recorder();
    const chosen = await route(task('essay'), {
      executors,
      model,
      allowed: { executors: ['writer'] },
      progress,
    });
    expect(chosen).toMatchObject({ executor: 'generalist', decidedBy: 'default' });
    expect(progress.events[0]).toMatchObject({
      level: 'warn',
      message: 'route essay: the model chose outside the allowed set; falling back',
    });
  });

  it('should stop at its timeout while the model chooses', async () => {
    const model = new ScriptedModel({
      script: [{ output: { executor: 'writer', reason: 'slow' }, latencyMs: 60_000 }],
    });
    await expect(route(task('essay'), { executors, model, timeout: 50 })).rejects.toBeInstanceOf(
      TimeoutError,
    );
  });

  it('should not ask the model when a rule matched', async () => {
    const model = new ScriptedModel();
    await route(task('c', { tags: ['code'] }), { executors, rules, model });
    expect(model.requests).toHaveLength(0);
  });
});

describe('strategyAgent', () => {
  it('should answer strategy.route and strategy.routePlan, explaining each choice on the run', async () => {
    await using runtime = createRuntime();
    await runtime.register(strategyAgent({ executors, rules }));
    const events: ProgressEvent[] = [];
    const sub = runtime.progress$.subscribe((e) => events.push(e));
    const strategy = runtime.ref<StrategyProtocol>({ type: 'strategy' });
    const one: Route = await strategy.ask(RouteRequest.create({ subtask: task('c', { tags: ['code'] }) }), {
      runId: 'r',
    });
    expect(one).toMatchObject({ executor: 'coder', rule: 'code' });
    const all: Route[] = await strategy.ask(
      RoutePlanRequest.create({
        plan: { goal: 'g', subtasks: [task('a'), task('b', { name: 'review it' })] },
        executors: ['generalist', 'reviewer'],
      }),
      { runId: 'r' },
    );
    sub.unsubscribe();
    expect(all.map((r) => r.executor)).toEqual(['generalist', 'reviewer']);
    expect(
      events
        .filter((e) => e.kind === 'task.log')
        .map((e) => e.kind === 'task.log' && e.message.split(':')[0]),
    ).toEqual([
      'route c → coder (model anthropic',
      'route a → generalist (timeout 180 s, 1 retry)',
      'route b → reviewer (timeout 180 s, 1 retry)',
    ]);
  });
});

describe.each(standIns)('route on the $name stand-in (real SDK)', (standIn) => {
  it('should take the model’s choice through the real client', async () => {
    await using server = await startModelServer();
    server.reply(standIn.json({ text: '{"executor":"reviewer","reason":"needs a second pair of eyes"}' }));
    const chosen = await route(task('audit'), {
      executors,
      model: standIn.model(server),
      allowed: { executors: ['reviewer', 'coder'] },
    });
    expect(chosen).toMatchObject({ executor: 'reviewer', decidedBy: 'model' });
    expect(JSON.stringify(server.requests[0]!.body)).toContain('"enum":["reviewer","coder"]');
  });
});
