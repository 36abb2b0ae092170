import type { ValidationIssue } from '@troupe/core';

/** The fields of a sub-task the graph checks read. */
interface Node {
  id: string;
  executor: string;
  dependencies: readonly string[];
}

/** Options of {@link validatePlan}. */
export interface ValidatePlanOptions {
  /** Executor names a sub-task may use. */
  executors: readonly string[];
  /** Most sub-tasks allowed (default: no bound). */
  maxSubtasks?: number;
}

const ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const MAX_CYCLES = 5;

/**
 * The graph checks of a plan, each problem with its path and a message a
 * model can act on: no sub-tasks, an id that is malformed or not unique, an
 * unknown executor, a dependency on itself or on an id not in the plan, and
 * dependency cycles (named `a → b → a`). Empty when the plan is sound.
 */
export function validatePlan(
  plan: { subtasks: readonly Node[] },
  options: ValidatePlanOptions,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const { subtasks } = plan;
  if (subtasks.length === 0) issues.push({ path: 'subtasks', message: 'the plan has no sub-tasks' });
  if (options.maxSubtasks !== undefined && subtasks.length > options.maxSubtasks) {
    issues.push({
      path: 'subtasks',
      message: `the plan has ${subtasks.length} sub-tasks; at most ${options.maxSubtasks} are allowed`,
    });
  }
  const known = new Set(options.executors);
  const firstAt = new Map<string, number>();
  subtasks.forEach((t, i) => {
    if (!ID.test(t.id)) {
      issues.push({ path: `subtasks.${i}.id`, message: `id '${t.id}' must be 1–64 of [A-Za-z0-9_.:-]` });
    }
    const first = firstAt.get(t.id);
    if (first === undefined) firstAt.set(t.id, i);
    else
      issues.push({ path: `subtasks.${i}.id`, message: `duplicate id '${t.id}' (also subtasks.${first})` });
    if (!known.has(t.executor)) {
      issues.push({
        path: `subtasks.${i}.executor`,
        message: `'${t.id}' uses unknown executor '${t.executor}'; known executors: ${[...known].join(', ') || 'none'}`,
      });
    }
  });
  subtasks.forEach((t, i) => {
    t.dependencies.forEach((dep, j) => {
      const path = `subtasks.${i}.dependencies.${j}`;
      if (dep === t.id) issues.push({ path, message: `'${t.id}' depends on itself` });
      else if (!firstAt.has(dep)) {
        issues.push({ path, message: `'${t.id}' depends on '${dep}', which is not in the plan` });
      }
    });
  });
  for (const cycle of findCycles(subtasks).slice(0, MAX_CYCLES)) {
    issues.push({ path: 'subtasks', message: `dependency cycle: ${cycle.join(' → ')}` });
  }
  return issues;
}

/** Cycles of two or more sub-tasks, each as ids with the first repeated at the end. */
export function findCycles(subtasks: readonly Node[]): string[][] {
  const deps = new Map<string, string[]>();
  for (const t of subtasks) {
    if (!deps.has(t.id))
      deps.set(
        t.id,
        t.dependencies.filter((d) => d !== t.id),
      );
  }
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[][] = [];
  const stack: string[] = [];
  const visit = (id: string): void => {
    state.set(id, 'open');
    stack.push(id);
    for (const dep of deps.get(id) ?? []) {
      if (!deps.has(dep)) continue;
      const s = state.get(dep);
      if (s === 'open') cycles.push([...stack.slice(stack.indexOf(dep)), dep]);
      else if (s === undefined) visit(dep);
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const id of deps.keys()) if (!state.has(id)) visit(id);
  // Reported in dependency order (a needs b needs a), read from the dependent to what it needs.
  return cycles;
}

/** The ids of `roots` and of every sub-task that depends on them, directly or not. */
export function dependentsOf(subtasks: readonly Node[], roots: Iterable<string>): Set<string> {
  const out = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const t of subtasks) {
      if (!out.has(t.id) && t.dependencies.some((d) => out.has(d))) {
        out.add(t.id);
        grew = true;
      }
    }
  }
  return out;
}
