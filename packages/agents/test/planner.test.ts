import {
  CancelledError,
  createRuntime,
  defineAgent,
  defineMessage,
  on,
  TimeoutError,
  ValidationError,
} from '@troupe/core';
import { startModelServer } from '@troupe/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createPlan,
  type Plan,
  type PlanDraft,
  PlanError,
  type PlannerProtocol,
  PlanRequest,
  plannerAgent,
  ReplanRequest,
  replan,
  ScriptedModel,
  validatePlan,
} from '../src/index.js';
import { recorder, standIns } from './support/standIns.js';

const executors = [
  { name: 'researcher', description: 'finds facts' },
  { name: 'writer', description: 'writes prose' },
];
const names = executors.map((e) => e.name);
const sub = (id: string, executor: string, dependencies: string[] = [], estimatedSeconds = 60) => ({
  id,
  name: `do ${id}`,
  description: `the ${id} part`,
  executor,
  expectedOutput: `${id} notes`,
  estimatedSeconds,
  dependencies,
  tags: [],
});
const valid: PlanDraft = { subtasks: [sub('facts', 'researcher'), sub('report', 'writer', ['facts'])] };
const broken: PlanDraft = {
  subtasks: [
    sub('facts', 'coder'),
    sub('report', 'writer', ['facts', 'outline']),
    sub('a', 'writer', ['b']),
    sub('b', 'writer', ['a']),
  ],
};

describe('validatePlan', () => {
  it('should name every graph problem with its path', () => {
    const issues = validatePlan(
      {
        subtasks: [
          sub('x', 'researcher', ['x']),
          sub('x', 'poet'),
          sub('bad id!', 'writer', ['nowhere']),
          sub('p', 'writer', ['q']),
          sub('q', 'writer', ['r']),
          sub('r', 'writer', ['p']),
        ],
      },
      { executors: names },
    );
    expect(issues).toEqual([
      { path: 'subtasks.1.id', message: "duplicate id 'x' (also subtasks.0)" },
      {
        path: 'subtasks.1.executor',
        message: "'x' uses unknown executor 'poet'; known executors: researcher, writer",
      },
      { path: 'subtasks.2.id', message: "id 'bad id!' must be 1–64 of [A-Za-z0-9_.:-]" },
      { path: 'subtasks.0.dependencies.0', message: "'x' depends on itself" },
      {
        path: 'subtasks.2.dependencies.0',
        message: "'bad id!' depends on 'nowhere', which is not in the plan",
      },
      { path: 'subtasks', message: 'dependency cycle: p → q → r → p' },
    ]);
    expect(validatePlan({ subtasks: [] }, { executors: names })).toEqual([
      { path: 'subtasks', message: 'the plan has no sub-tasks' },
    ]);
    expect(validatePlan(valid, { executors: names })).toEqual([]);
    expect(validatePlan(valid, { executors: names, maxSubtasks: 1 })).toHaveLength(1);
  });
});

describe('createPlan', () => {
  it('should return a validated plan from the model’s structured answer', async () => {
    const model = new ScriptedModel({ script: [{ output: valid }] });
    const progress = recorder();
    const plan = await createPlan(
      { goal: 'A report on X', context: 'for managers' },
      { model, executors, progress },
    );
    expect(plan).toEqual({ goal: 'A report on X', ...valid });
    const request = model.requests[0]!;
    expect(request.messages[0]!.content).toContain('- researcher: finds facts');
    expect(request.messages[1]!.content).toBe('Goal: A report on X\n\nContext:\nfor managers');
    expect(request.output).toMatchObject({ type: 'object', required: ['subtasks'] });
    expect(progress.events.at(-1)).toMatchObject({
      kind: 'task.log',
      message: 'plan: facts (researcher), report (writer)',
    });
  });

  it('should send an invalid plan back with the exact errors and return the repaired one', async () => {
    const model = new ScriptedModel({ script: [{ output: broken }, { output: valid }] });
    const plan = await createPlan({ goal: 'A report on X' }, { model, executors });
    expect(plan.subtasks.map((t) => t.id)).toEqual(['facts', 'report']);
    const repair = model.requests[1]!.messages;
    expect(repair.at(-2)).toMatchObject({ role: 'assistant', content: JSON.stringify(broken) });
    expect(repair.at(-1)!.content).toBe(
      [
        'That plan is not valid:',
        "- subtasks.0.executor: 'facts' uses unknown executor 'coder'; known executors: researcher, writer",
        "- subtasks.1.dependencies.1: 'report' depends on 'outline', which is not in the plan",
        '- subtasks: dependency cycle: a → b → a',
        'Fix every problem and answer with the whole corrected JSON.',
      ].join('\n'),
    );
  });

  it('should repair an answer that is not a plan at all', async () => {
    const model = new ScriptedModel({
      script: [{ text: 'Sure! Here is my plan: first research, then write.' }, { output: valid }],
    });
    const plan = await createPlan({ goal: 'A report on X' }, { model, executors });
    expect(plan.subtasks).toHaveLength(2);
    expect(model.requests[1]!.messages.at(-1)!.content).toMatch(
      /^That plan is not valid:\n- \(answer\): .*not valid JSON/,
    );
  });

  it('should reject with PlanError once the repairs are spent', async () => {
    const model = new ScriptedModel({ script: [{ output: broken }, { output: broken }] });
    const err = await createPlan({ goal: 'X' }, { model, executors, maxRepairs: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlanError);
    expect(err).toMatchObject({ code: 'PLAN_INVALID', attempts: 2 });
    expect((err as PlanError).issues).toHaveLength(3);
    expect(model.requests).toHaveLength(2);
  });

  it('should stop at its timeout, or when its signal aborts, with the model request', async () => {
    const slow = () => new ScriptedModel({ script: [{ output: valid, latencyMs: 60_000 }] });
    await expect(createPlan({ goal: 'X' }, { model: slow(), executors, timeout: 50 })).rejects.toBeInstanceOf(
      TimeoutError,
    );
    const controller = new AbortController();
    const planning = createPlan({ goal: 'X' }, { model: slow(), executors, signal: controller.signal });
    controller.abort(new CancelledError('stop'));
    await expect(planning).rejects.toBeInstanceOf(CancelledError);
  });

  it('should refuse to plan without executors', async () => {
    await expect(
      createPlan({ goal: 'X' }, { model: new ScriptedModel(), executors: [] }),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('replan', () => {
  const plan: Plan = {
    goal: 'A report on X',
    subtasks: [
      sub('facts', 'researcher'),
      sub('figures', 'researcher'),
      sub('draft', 'writer', ['facts', 'figures']),
      sub('polish', 'writer', ['draft']),
      sub('summary', 'writer', ['facts']),
    ],
  };

  it('should revise only the failed sub-task and its dependents, keeping finished work', async () => {
    const revision: PlanDraft = {
      subtasks: [
        sub('figures2', 'researcher', [], 30),
        sub('draft', 'writer', ['facts', 'figures2']),
        sub('polish', 'writer', ['draft']),
      ],
    };
    const model = new ScriptedModel({ script: [{ output: revision }] });
    const result = await replan(
      plan,
      { failed: [{ id: 'figures', error: 'source offline' }], results: { facts: 'X was founded in 1990' } },
      { model, executors },
    );
    expect(result.kept).toEqual(['facts', 'summary']);
    expect(result.revised).toEqual(['figures2', 'draft', 'polish']);
    expect(result.dropped).toEqual(['figures']);
    expect(result.plan.subtasks.slice(0, 2)).toEqual([plan.subtasks[0], plan.subtasks[4]]);
    expect(result.plan.subtasks.map((t) => t.id)).toEqual([
      'facts',
      'summary',
      'figures2',
      'draft',
      'polish',
    ]);
    const prompt = model.requests[0]!.messages[1]!.content;
    expect(prompt).toContain('Revise only these sub-tasks: figures, draft, polish');
    expect(prompt).toContain('- facts (do facts): X was founded in 1990');
    expect(prompt).toContain('- figures (do figures): source offline');
  });

  it('should not let the model redefine a kept sub-task', async () => {
    const model = new ScriptedModel({
      script: [
        { output: { subtasks: [sub('facts', 'researcher', [], 1), sub('figures', 'researcher')] } },
        { output: { subtasks: [sub('figures', 'researcher')] } },
      ],
    });
    const result = await replan(plan, { failed: ['figures'] }, { model, executors });
    // Neither finished nor failed, draft, polish and summary: draft and polish depend on figures.
    expect(result.kept).toEqual(['facts', 'summary']);
    expect(result.plan.subtasks.map((t) => t.id)).toEqual(['facts', 'summary', 'figures']);
    expect(result.dropped).toEqual(['draft', 'polish']);
    expect(model.requests[1]!.messages.at(-1)!.content).toContain(
      "- subtasks.0.id: 'facts' is a kept sub-task and cannot be redefined",
    );
  });

  it('should refuse failures that are not in the plan or are also finished', async () => {
    const model = new ScriptedModel();
    await expect(replan(plan, { failed: ['nope'] }, { model, executors })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(
      replan(plan, { failed: ['facts'], results: { facts: 1 } }, { model, executors }),
    ).rejects.toThrow(/listed as failed and finished/);
    expect(model.requests).toHaveLength(0);
  });
});

describe('plannerAgent', () => {
  const Work = defineMessage('work.do', z.object({ id: z.string() }));

  /** Plans, then dispatches each sub-task to its executor agent: nothing is dispatched from an invalid plan. */
  async function planAndDispatch(script: Array<{ output: PlanDraft }>) {
    const dispatched: string[] = [];
    const worker = (type: string) =>
      defineAgent({ type, handles: { [Work.type]: on(Work, ({ id }) => dispatched.push(id)) } });
    await using runtime = createRuntime();
    await runtime.register(plannerAgent({ model: new ScriptedModel({ script }), executors, maxRepairs: 1 }));
    await runtime.register(worker('researcher'));
    await runtime.register(worker('writer'));
    try {
      const plan = await runtime
        .ref<PlannerProtocol>({ type: 'planner' })
        .ask(PlanRequest.create({ goal: 'A report on X' }), { timeout: 5_000 });
      for (const t of plan.subtasks) await runtime.ref({ type: t.executor }).ask(Work.create({ id: t.id }));
      return { dispatched };
    } catch (error) {
      return { dispatched, error };
    }
  }

  it('should repair an invalid plan before anything is dispatched', async () => {
    expect(await planAndDispatch([{ output: broken }, { output: valid }])).toEqual({
      dispatched: ['facts', 'report'],
    });
  });

  it('should reject an unrepairable plan with PlanError and dispatch nothing', async () => {
    const { dispatched, error } = await planAndDispatch([{ output: broken }, { output: broken }]);
    expect(dispatched).toEqual([]);
    expect(error).toBeInstanceOf(PlanError);
  });

  it('should replan through planner.replan', async () => {
    const model = new ScriptedModel({
      script: [{ output: { subtasks: [sub('report2', 'writer', ['facts'])] } }],
    });
    await using runtime = createRuntime();
    await runtime.register(plannerAgent({ model, executors }));
    const result = await runtime
      .ref<PlannerProtocol>({ type: 'planner' })
      .ask(
        ReplanRequest.create({ plan: { goal: 'X', ...valid }, failed: ['report'], results: { facts: 'ok' } }),
      );
    expect(result.plan.subtasks.map((t) => t.id)).toEqual(['facts', 'report2']);
  });
});

describe.each(standIns)('plannerAgent on the $name stand-in (real SDK)', (standIn) => {
  it('should repair an invalid plan through the real client', async () => {
    await using server = await startModelServer();
    server.reply(
      standIn.json({ text: JSON.stringify(broken) }),
      standIn.json({ text: JSON.stringify(valid) }),
    );
    await using runtime = createRuntime();
    await runtime.register(plannerAgent({ model: standIn.model(server), executors }));
    const plan = await runtime
      .ref<PlannerProtocol>({ type: 'planner' })
      .ask(PlanRequest.create({ goal: 'A report on X' }), { timeout: 20_000 });
    expect(plan.subtasks.map((t) => [t.id, t.executor, t.dependencies])).toEqual([
      ['facts', 'researcher', []],
      ['report', 'writer', ['facts']],
    ]);
    expect(JSON.stringify(server.requests[1]!.body)).toContain("unknown executor 'coder'");
  });
});
