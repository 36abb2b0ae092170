import { createModel } from '@troupe/agents';
import {
  CancelledError,
  createRuntime,
  type EventPage,
  FINISHED_STATUSES,
  type Logger,
  MemoryStore,
  newId,
  type RunPage,
  type RunRecord,
  type RunRepository,
  type RunStatus,
  type Store,
  type TaskProgress,
  ValidationError,
} from '@troupe/core';
import type { RunHandle } from '@troupe/pipelines';
import { RunConflictError, RunNotFoundError } from './errors.js';
import { LiveRun, type LiveRunOptions } from './LiveRun.js';
import { progressFromLog } from './progressFromLog.js';
import type { CreateTaskBody } from './schemas.js';
import { SessionBoard } from './sessions.js';
import type { GoalWorkflow, ServerWorkflow, ServerWorkflowContext } from './workflow.js';

/** What a {@link RunService} runs and where it keeps runs. */
export interface RunServiceOptions extends LiveRunOptions {
  repository: RunRepository;
  logger: Logger;
  goal: GoalWorkflow;
  workflows: Readonly<Record<string, ServerWorkflow>>;
  /** The store of a run's own runtime and journal (default: a MemoryStore). */
  runStore?: (runId: string) => Store | Promise<Store>;
  /** Ms a cancel waits for the run to end before answering (default 5000). */
  cancelWaitMs?: number;
}

/** Starts runs in this process, answers for them, and reads the others from the repository. */
export class RunService {
  readonly #o: RunServiceOptions;
  readonly #live = new Map<string, LiveRun>();
  readonly #controllers = new Map<string, AbortController>();

  constructor(options: RunServiceOptions) {
    this.#o = options;
  }

  /** The live run `id`, if this process drives it. */
  live(id: string): LiveRun | undefined {
    return this.#live.get(id);
  }

  /** Starts a goal or a registered workflow; throws `ValidationError` for an unknown workflow or a bad model spec. */
  async start(body: CreateTaskBody): Promise<RunRecord> {
    const options = body.options ?? {};
    let workflow: (ctx: ServerWorkflowContext) => ReturnType<ServerWorkflow>;
    if (body.workflow !== undefined) {
      const fn = this.#o.workflows[body.workflow];
      if (!Object.hasOwn(this.#o.workflows, body.workflow) || fn === undefined) {
        const known = Object.keys(this.#o.workflows);
        throw new ValidationError(`unknown workflow '${body.workflow}'`, {
          issues: [{ path: 'workflow', message: `not registered (known: ${known.join(', ') || 'none'})` }],
        });
      }
      workflow = (ctx) => fn(options.input, ctx);
    } else {
      const goal = body.goal as string;
      workflow = (ctx) => this.#o.goal(goal, ctx);
    }
    const model = (() => {
      try {
        return createModel(options.model);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        throw new ValidationError(message, { issues: [{ path: 'options.model', message }] });
      }
    })();
    const now = Date.now();
    const id = newId();
    const record: RunRecord = {
      id,
      goal: body.goal ?? (body.workflow as string),
      ...(body.workflow === undefined ? {} : { workflow: body.workflow }),
      status: 'running',
      createdAt: now,
      updatedAt: now,
      progress: 0,
      costUsd: 0,
      tokens: { input: 0, output: 0 },
    };
    await this.#o.repository.createRun(record);
    const sessions = new SessionBoard();
    const live = new LiveRun({ ...this.#o, record, repo: this.#o.repository, sessions });
    this.#live.set(id, live);
    void live.ended.then(() => {
      this.#live.delete(id);
      this.#controllers.delete(id);
    });
    const store = await (this.#o.runStore?.(id) ?? new MemoryStore());
    const runtime = createRuntime({ store, logger: this.#o.logger });
    const controller = new AbortController();
    const release = async () => {
      await runtime.close();
      await store.close?.();
    };
    const name = options.name ?? record.goal.slice(0, 200);
    const ctx: ServerWorkflowContext = {
      runId: id,
      name,
      runtime,
      store,
      model,
      options,
      signal: controller.signal,
      sessions,
      runOptions: { runId: id, name, runtime, signal: controller.signal, replay: 10_000 },
    };
    this.#controllers.set(id, controller);
    try {
      live.attach(checkHandle(await workflow(ctx), body.workflow ?? 'goal'), release);
    } catch (err) {
      live.failToStart(err, release);
    }
    return live.record();
  }

  /** The run's record; throws `RunNotFoundError`. */
  async get(id: string): Promise<RunRecord> {
    const live = this.#live.get(id);
    if (live) return live.record();
    const run = await this.#o.repository.getRun(id);
    if (!run) throw new RunNotFoundError(`task '${id}' not found`);
    return run;
  }

  /** A page of runs, newest first (live runs show their current progress). */
  async list(query: { status?: RunStatus[]; limit?: number; cursor?: string }): Promise<RunPage> {
    const page = await this.#o.repository.listRuns(query);
    return { ...page, runs: page.runs.map((r) => this.#live.get(r.id)?.record() ?? r) };
  }

  /**
   * The run's progress snapshot: live, else the saved one, else rebuilt from the stored event log
   * (a run with no saved snapshot); throws `RunNotFoundError`.
   */
  async progress(id: string): Promise<TaskProgress> {
    const live = this.#live.get(id);
    if (live) return live.snapshot();
    const run = await this.get(id);
    const repo = this.#o.repository;
    return (await repo.getSnapshot(id)) ?? progressFromLog(repo, id, run.goal.slice(0, 200));
  }

  /** A page of the run's event log; throws `RunNotFoundError`. */
  async events(id: string, query: { after?: number; limit?: number }): Promise<EventPage> {
    await this.get(id);
    await this.#live.get(id)?.persisted();
    return this.#o.repository.events(id, query);
  }

  /** The live run `id`, which must not have ended; throws `RunNotFoundError` or `RunConflictError`. */
  async #running(id: string, what: string): Promise<LiveRun> {
    const live = this.#live.get(id);
    if (live && !live.finished) return live;
    const run = await this.get(id);
    if (FINISHED_STATUSES.includes(run.status))
      throw new RunConflictError(`cannot ${what} task '${id}': it is ${run.status}`);
    throw new RunConflictError(`cannot ${what} task '${id}': it does not run in this server`);
  }

  async pause(id: string): Promise<RunRecord> {
    const live = await this.#running(id, 'pause');
    if (live.paused) throw new RunConflictError(`task '${id}' is already paused`);
    live.pause();
    return live.record();
  }

  async resume(id: string): Promise<RunRecord> {
    const live = await this.#running(id, 'resume');
    if (!live.paused) throw new RunConflictError(`task '${id}' is not paused`);
    live.resume();
    return live.record();
  }

  /** Cancels the run and waits (a bounded time) for it to end. */
  async cancel(id: string, reason = 'cancelled through the API'): Promise<RunRecord> {
    const live = await this.#running(id, 'cancel');
    this.#controllers.get(id)?.abort(new CancelledError(reason));
    live.handle?.cancel(reason);
    const wait = this.#o.cancelWaitMs ?? 5000;
    const timer = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), wait).unref());
    return (await Promise.race([live.ended, timer])) ?? live.record();
  }

  /** Answers sub-task `sid`'s question; `ValidationError` for an answer that does not fit, `RunConflictError` when it asks nothing. */
  async answer(id: string, sid: string, answer: unknown): Promise<void> {
    const live = await this.#running(id, 'answer');
    const handle = live.handle;
    const waits = handle?.suspended.some((s) => s.taskId === sid || s.key === sid) ?? false;
    if (handle === undefined || !waits) {
      throw new RunConflictError(`sub-task '${sid}' of task '${id}' is not waiting for an answer`);
    }
    await handle.resume(sid, answer);
  }

  /** Sends `text` to the runner session attached to sub-task `sid`. */
  async message(id: string, sid: string, text: string): Promise<void> {
    const live = await this.#running(id, 'message');
    const session = live.sessions.get(sid);
    if (!session) {
      const known = findTask(live.snapshot(), sid);
      if (!known) throw new RunNotFoundError(`sub-task '${sid}' of task '${id}' not found`);
      throw new RunConflictError(`sub-task '${sid}' of task '${id}' has no runner session to steer`);
    }
    await session.send(text);
  }

  /** Cancels every live run and waits for them to end (bounded). */
  async close(): Promise<void> {
    await Promise.all(
      [...this.#live.keys()].map((id) => this.cancel(id, 'server closing').catch(() => undefined)),
    );
  }
}

function findTask(snapshot: TaskProgress, id: string): boolean {
  const stack = [...snapshot.subtasks];
  for (let t = stack.pop(); t; t = stack.pop()) {
    if (t.taskId === id) return true;
    stack.push(...t.subtasks);
  }
  return false;
}

/**
 * `value` if it is a run handle (`progress$` to subscribe to, `result` to await); else a
 * `ValidationError` naming the workflow, so one wrong workflow fails its own run only.
 */
function checkHandle(value: unknown, workflow: string): RunHandle<unknown> {
  const h = value as Partial<RunHandle<unknown>> | null | undefined;
  if (
    typeof h === 'object' &&
    h !== null &&
    typeof h.progress$?.subscribe === 'function' &&
    typeof (h.result as Promise<unknown> | undefined)?.then === 'function'
  ) {
    return h as RunHandle<unknown>;
  }
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  throw new ValidationError(
    `workflow '${workflow}' returned ${got}, not a run handle: return run(...), TaskGroup.spawn(...) or orchestrate(...)`,
    { issues: [{ path: 'workflow', message: 'expected a run handle ({ progress$, result })' }] },
  );
}
