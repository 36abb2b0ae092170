import type { ProgressEvent } from '@troupe/core';
import { cut } from './format.js';

const SHOWN = new Set([
  'run.started',
  'run.finished',
  'task.started',
  'task.completed',
  'task.failed',
  'task.timed_out',
  'task.cancelled',
  'task.retrying',
  'task.paused',
  'task.resumed',
  'task.suspended',
  'task.log',
  'task.tool_call',
  'task.artifact',
]);

/**
 * Progress as plain lines, for a stdout that is not a terminal (a pipe, a file, CI logs): one line
 * per lifecycle event, log line, tool call and artifact, plus the overall percent at each tenth.
 * No colours, no cursor movement.
 */
export class PlainLines {
  readonly #names = new Map<string, string>();
  readonly #t0: number | undefined;
  #first: number | undefined;
  #tenth = -1;

  constructor(t0?: number) {
    this.#t0 = t0;
  }

  /** The line for one event, or `undefined` when it is not worth a line. */
  event(e: ProgressEvent): string | undefined {
    const kind = e.kind as string;
    if (
      (e.kind === 'task.created' || e.kind === 'task.started' || e.kind === 'run.started') &&
      e.name !== undefined
    ) {
      this.#names.set(e.taskId, e.name);
    }
    this.#first ??= this.#t0 ?? e.ts;
    if (!SHOWN.has(kind)) return undefined;
    if (e.kind === 'task.log' && e.level === 'debug') return undefined;
    const at = `+${((e.ts - this.#first) / 1_000).toFixed(3)}s`.padStart(9);
    const who = this.#names.get(e.taskId) ?? e.taskId;
    return `${at}  ${kind.padEnd(15)} ${who}${details(e)}`;
  }

  /** A line each time the run's overall progress passes another tenth. */
  progress(percent: number): string | undefined {
    const tenth = Math.floor(percent / 10);
    if (tenth <= this.#tenth) return undefined;
    this.#tenth = tenth;
    return `progress ${Math.floor(percent)}%`;
  }
}

function details(e: ProgressEvent): string {
  const kind = e.kind as string;
  switch (e.kind) {
    case 'run.finished':
      return ` ${e.status}`;
    case 'task.started':
      return e.agent ? `  agent=${e.agent}` : '';
    case 'task.failed':
      return `  ${e.error.code}: ${cut(e.error.message, 200)}`;
    case 'task.cancelled':
      return e.reason ? `  ${cut(e.reason, 200)}` : '';
    case 'task.retrying':
      return `  attempt ${e.attempt} in ${e.delayMs}ms`;
    case 'task.log':
      return `  [${e.level}] ${cut(e.message, 300)}`;
    case 'task.tool_call':
      return `  ${e.tool} ${e.status}`;
    case 'task.artifact':
      return `  ${e.name}${e.uri ? ` ${e.uri}` : ''}`;
    default:
      if (kind === 'task.suspended') {
        const q = (e as { question?: unknown }).question;
        return typeof q === 'string' ? `  asks: ${cut(q, 300)}` : '';
      }
      return '';
  }
}
