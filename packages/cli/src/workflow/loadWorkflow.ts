import { existsSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { importModule } from '@troupe/nats/internal';
import { type AnyStep, isStep, type RunHandle, run } from '@troupe/pipelines';
import { WorkflowModuleError } from '../errors.js';
import type { Workflow, WorkflowContext } from './types.js';

/** What `troupe run <target>` names: a file that looks like a module, else a goal in words. */
export function isWorkflowPath(target: string): boolean {
  return /\.(m|c)?(t|j)s$/.test(target) || existsSync(target);
}

/** The default name of a workflow's run: its file name without the extension. */
export function workflowName(path: string): string {
  return basename(path, extname(path));
}

/**
 * Imports a workflow module (TypeScript through tsx where Node cannot run it) and returns what
 * starts its run: the module's `default` (or `workflow`) export, either a pipelines step (run on
 * `ctx.input`) or a function `(ctx) => RunHandle`. Throws {@link WorkflowModuleError} for a
 * missing file, an import that fails, or no such export.
 */
export async function loadWorkflow(path: string, cwd: string): Promise<Workflow> {
  const file = resolve(cwd, path);
  if (!existsSync(file)) throw new WorkflowModuleError(`no workflow module at ${file}`);
  let mod: Record<string, unknown>;
  try {
    mod = await importModule(file, cwd);
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause ?? err;
    throw new WorkflowModuleError(
      `cannot load the workflow ${path}: ${(cause as Error).message ?? String(cause)}`,
      {
        cause: err,
      },
    );
  }
  const exported = mod.default ?? mod.workflow;
  if (isStep(exported)) {
    const step = exported as AnyStep;
    return (ctx) => run(step as never, ctx.input as never, ctx.runOptions);
  }
  if (typeof exported === 'function') return checked(exported as Workflow, path);
  throw new WorkflowModuleError(
    `${path} exports nothing to run: export default a step (step(), sequential(), dag(), …) or a function (ctx) => RunHandle`,
  );
}

/** The workflow, checking that it returns a run handle. */
function checked(fn: Workflow, path: string): Workflow {
  return async (ctx: WorkflowContext) => {
    const handle = await fn(ctx);
    if (!isRunHandle(handle)) {
      throw new WorkflowModuleError(
        `${path}: the exported function returned ${typeof handle} instead of a run handle; ` +
          'return run(step, input, ctx.runOptions) (or orchestrate(…)), or export the step itself',
      );
    }
    return handle;
  };
}

function isRunHandle(value: unknown): value is RunHandle<unknown> {
  const h = value as Partial<RunHandle<unknown>> | null;
  return (
    typeof h === 'object' &&
    h !== null &&
    typeof h.cancel === 'function' &&
    typeof h.pause === 'function' &&
    h.progress$ !== undefined &&
    h.result instanceof Promise
  );
}
