import type { ProgressInput } from '@troupe/core';
import type { RunnerErrorInfo, Usage } from '../types.js';

/** What a coding agent's output said about the run, so far. */
export interface ParsedOutcome {
  /** The final answer. */
  result?: string;
  /** The agent's own session (thread) id, for resume. */
  sessionId?: string;
  /** The model it reported. */
  model?: string;
  /** Tokens used. */
  usage?: Usage;
  /** Cost in USD. */
  costUsd?: number;
  /** Files it changed, in first-seen order. */
  artifacts: string[];
  /** The failure it reported (`code` is its own, e.g. `error_max_turns`). */
  error?: RunnerErrorInfo;
  /** Whether its final result event was seen. */
  finished: boolean;
}

/** Turns a coding agent's output lines into progress events. */
export interface StreamParser {
  /** Progress events for one output line; never throws: unknown or malformed input becomes a `task.log`. */
  parse(line: string): ProgressInput[];
  /** What the stream said so far. */
  outcome(): ParsedOutcome;
}

/** Text kept of one message in a `task.log` (the full text stays in the output lines). */
export const LOG_TEXT_MAX = 2_000;

/** `text` cut to `max` characters with an ellipsis. */
export function clip(text: string, max = LOG_TEXT_MAX): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** The JSON object on a line, or undefined when the line is not one. */
export function jsonObject(line: string): Record<string, unknown> | undefined {
  const text = line.trim();
  if (!text.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return record(value);
  } catch {
    return undefined;
  }
}

/** `value` as a plain object, or undefined. */
export function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** `value` as a string, or undefined. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** `value` as a finite non-negative integer, or 0. */
export function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/** `value` as an array (empty when it is not one). */
export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** How a line that is not a JSON event is reported. */
export function plainLine(line: string, source: string): ProgressInput[] {
  const text = line.trim();
  return text === '' ? [] : [{ kind: 'task.log', level: 'info', message: clip(`${source}: ${text}`) }];
}

/** How an event of an unknown type is reported (kept, never fatal). */
export function unknownEvent(type: string, line: string, source: string): ProgressInput {
  return {
    kind: 'task.log',
    level: 'debug',
    message: clip(`${source}: unknown event '${type}': ${line}`, 500),
  };
}

/** `task.progress` from a to-do list: percent done (rounded), the current item as the step. */
export function todoProgress(
  items: ReadonlyArray<{ text: string; done: boolean; active?: boolean }>,
): ProgressInput | undefined {
  if (items.length === 0) return undefined;
  const done = items.filter((i) => i.done).length;
  const current = items.find((i) => i.active) ?? items.find((i) => !i.done);
  const event: ProgressInput = { kind: 'task.progress', percent: Math.round((done * 100) / items.length) };
  if (current) event.step = current.text;
  return event;
}

/** Collects changed files once each, reporting each new one as a `task.artifact`. */
export class ArtifactSet {
  readonly #seen = new Set<string>();

  /** The `task.artifact` event for a path seen the first time; undefined after that. */
  add(path: string): ProgressInput | undefined {
    if (path === '' || this.#seen.has(path)) return undefined;
    this.#seen.add(path);
    return { kind: 'task.artifact', name: path, uri: path };
  }

  /** Every path, in first-seen order. */
  list(): string[] {
    return [...this.#seen];
  }
}
