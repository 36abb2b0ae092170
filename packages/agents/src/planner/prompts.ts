import type { ExecutorInfo } from './plan.js';

/** The planner's system prompt: the task, the executors and the rules a plan must follow. */
export function plannerSystem(executors: readonly ExecutorInfo[], extra?: string): string {
  const list = executors.map((e) => `- ${e.name}${e.description ? `: ${e.description}` : ''}`).join('\n');
  return [
    'You are a planner. Break the goal into sub-tasks that together achieve it, each small enough for one executor to finish.',
    `Executors (use these names exactly in "executor"):\n${list}`,
    'Rules: "id" is short and unique ([A-Za-z0-9_.:-]); "dependencies" lists the ids of sub-tasks whose results this one needs',
    '(no cycles, never its own id, only ids in the plan); "estimatedSeconds" is your estimate of its duration;',
    '"expectedOutput" says what it must produce; "tags" are short labels such as "code", "research", "review".',
    'Answer with JSON only: {"subtasks": [...]}.',
    extra ?? '',
  ]
    .filter(Boolean)
    .join('\n');
}

/** The user turn asking for a plan. */
export function planRequest(goal: string, context?: string): string {
  return context ? `Goal: ${goal}\n\nContext:\n${context}` : `Goal: ${goal}`;
}

/** Text of a value for a prompt, bounded to `max` characters. */
export function brief(value: unknown, max = 500): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}
