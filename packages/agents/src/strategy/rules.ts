import type { SubTask } from '../planner/plan.js';

/** When a rule applies; every field given must match (an empty `when` matches everything). */
export interface RuleMatch {
  /** The executor the plan named: one, or any of several. */
  executor?: string | readonly string[];
  /** The sub-task's name: a string matches when the name contains it (any case); a RegExp when it tests true. */
  name?: string | RegExp;
  /** Tags the sub-task must all have. */
  tags?: readonly string[];
  /** Estimated size: at least this many seconds. */
  minSeconds?: number;
  /** Estimated size: at most this many seconds. */
  maxSeconds?: number;
  /** Anything else, in code. */
  test?: (subtask: SubTask) => boolean;
}

/** What a rule decides; anything left out comes from the plan (executor) or the defaults. */
export interface RouteChoice {
  /** The executor (agent type) to run it; must be registered. */
  executor?: string;
  /** The model the executor should use, e.g. `anthropic:claude-sonnet-4-6`. */
  model?: string;
  /** Milliseconds the sub-task may take. */
  timeout?: number;
  /** Retries after a failure. */
  retries?: number;
  /** Delay before the first retry, ms. */
  backoffMs?: number;
}

/** A user rule: when `when` matches a sub-task, `use` decides its route. Rules are tried in order; the first match wins. */
export interface StrategyRule {
  /** Shown in the explanation of each choice. */
  name?: string;
  when: RuleMatch;
  use: RouteChoice;
}

/** Why `when` matches `subtask` (a short text), or undefined when it does not. */
export function matchRule(when: RuleMatch, subtask: SubTask): string | undefined {
  const why: string[] = [];
  if (when.executor !== undefined) {
    const any = typeof when.executor === 'string' ? [when.executor] : when.executor;
    if (!any.includes(subtask.executor)) return undefined;
    why.push(`executor ${subtask.executor}`);
  }
  if (when.name !== undefined) {
    const ok =
      typeof when.name === 'string'
        ? subtask.name.toLowerCase().includes(when.name.toLowerCase())
        : when.name.test(subtask.name);
    if (!ok) return undefined;
    why.push(`name ~ ${String(when.name)}`);
  }
  if (when.tags !== undefined) {
    if (!when.tags.every((t) => subtask.tags.includes(t))) return undefined;
    why.push(`tags [${when.tags.join(', ')}]`);
  }
  if (when.minSeconds !== undefined) {
    if (subtask.estimatedSeconds < when.minSeconds) return undefined;
    why.push(`estimated ${subtask.estimatedSeconds} s ≥ ${when.minSeconds} s`);
  }
  if (when.maxSeconds !== undefined) {
    if (subtask.estimatedSeconds > when.maxSeconds) return undefined;
    why.push(`estimated ${subtask.estimatedSeconds} s ≤ ${when.maxSeconds} s`);
  }
  if (when.test !== undefined) {
    if (!when.test(subtask)) return undefined;
    why.push('custom test');
  }
  return why.length ? why.join(', ') : 'matches every sub-task';
}
