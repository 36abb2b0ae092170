import type { ProgressEvent } from '@troupe/core';
import type { OutputStreams, RunEnding, RunOutput } from './RunOutput.js';

/** `--json`: every progress event as one JSON line on stdout; messages go to stderr. */
export class JsonOutput implements RunOutput {
  readonly #io: OutputStreams;

  constructor(io: OutputStreams) {
    this.#io = io;
  }

  event(event: ProgressEvent): void {
    this.#io.stdout.write(`${JSON.stringify(event)}\n`);
  }

  state(): void {}

  note(text: string): void {
    this.#io.stderr.write(`${text}\n`);
  }

  end(ending: RunEnding): void {
    for (const line of ending.notes) this.#io.stderr.write(`${line}\n`);
  }
}
