import type { ProgressEvent, TaskProgress } from '@troupe/core';
import type { RunStats } from './RunStats.js';

/** How a run ended, for the last thing an output prints. */
export interface RunEnding {
  snapshot: TaskProgress;
  stats: RunStats;
  /** `completed`, `failed`, `interrupted`, … */
  state: string;
  reason?: string;
  /** Lines to print after the report (how to resume, replay, answer). */
  notes: string[];
}

/** Where a run's progress goes: the live view, plain lines, or JSON lines. */
export interface RunOutput {
  /** One progress event (already folded into the tracker). */
  event(event: ProgressEvent): void;
  /** The run's state changed (`paused`, `stopping…`). */
  state(state: string): void;
  /** A message for the person watching (on stderr where stdout carries data). */
  note(text: string): void;
  /** The run ended: stop redrawing and print the report. */
  end(ending: RunEnding): void;
}

/** What an output writes to. */
export interface OutputStreams {
  stdout: NodeJS.WritableStream & { columns?: number; rows?: number; isTTY?: boolean };
  stderr: NodeJS.WritableStream;
}
