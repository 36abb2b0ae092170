import type { ProgressEvent } from '@troupe/core';
import { PlainLines } from './plainLines.js';
import type { OutputStreams, RunEnding, RunOutput } from './RunOutput.js';
import { renderReport } from './report.js';
import type { Tracker } from './Tracker.js';

/** A stdout that is not a terminal: plain lines as events arrive, then the report. */
export class PlainOutput implements RunOutput {
  readonly #io: OutputStreams;
  readonly #tracker: Tracker;
  readonly #runId: string;
  readonly #lines = new PlainLines();

  constructor(io: OutputStreams, tracker: Tracker, runId: string) {
    this.#io = io;
    this.#tracker = tracker;
    this.#runId = runId;
  }

  event(event: ProgressEvent): void {
    const line = this.#lines.event(event);
    if (line !== undefined) this.#io.stdout.write(`${line}\n`);
    const progress = this.#lines.progress(this.#tracker.snapshot.overallProgress);
    if (progress !== undefined) this.#io.stdout.write(`${progress}\n`);
  }

  state(state: string): void {
    this.#io.stdout.write(`state ${state}\n`);
  }

  note(text: string): void {
    this.#io.stdout.write(`${text}\n`);
  }

  end(ending: RunEnding): void {
    const report = renderReport({ ...ending, runId: this.#runId, width: 200, color: false });
    this.#io.stdout.write(`\n${[...report, ...ending.notes].join('\n')}\n`);
  }
}
