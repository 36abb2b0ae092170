import type { ToolCall } from '../model/types.js';
import { parseArguments } from '../tools/tool.js';

/**
 * Counts identical tool calls (same tool, same arguments, whatever their key
 * order) across a run, to stop a model that keeps asking for the same thing.
 */
export class RepeatGuard {
  readonly #counts = new Map<string, number>();
  readonly #limit: number;

  /** `limit`: the number of identical calls that stops the run (the calls before it run). */
  constructor(limit: number) {
    this.#limit = limit;
  }

  /**
   * Counts a turn's calls; returns the first one that reaches the limit
   * (and how often it was asked for), or undefined when the turn may run.
   */
  check(calls: readonly ToolCall[]): { call: ToolCall; times: number } | undefined {
    let hit: { call: ToolCall; times: number } | undefined;
    for (const call of calls) {
      const key = signature(call);
      const times = (this.#counts.get(key) ?? 0) + 1;
      this.#counts.set(key, times);
      if (hit === undefined && times >= this.#limit) hit = { call, times };
    }
    return hit;
  }
}

/** `name` plus the arguments as JSON with sorted keys (raw text when they are not JSON). */
export function signature(call: ToolCall): string {
  const parsed = parseArguments(call.arguments);
  return `${call.name}\u0000${parsed.ok ? canonical(parsed.value) : call.arguments}`;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
