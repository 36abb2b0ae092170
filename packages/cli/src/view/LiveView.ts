import type { ProgressEvent } from '@troupe/core';
import { createLogUpdate } from 'log-update';
import { renderFrame } from './frame.js';
import type { OutputStreams, RunEnding, RunOutput } from './RunOutput.js';
import { renderReport } from './report.js';
import type { Tracker } from './Tracker.js';

/** Options of {@link LiveView}. */
export interface LiveViewOptions {
  runId: string;
  /** Ms between redraws (default 100). */
  interval?: number;
  /** Colours (default: unless `NO_COLOR` is set). */
  color?: boolean;
  /** The last line of the view. */
  hint?: string;
}

/**
 * The live terminal view: `log-update` redraws the frame (see `renderFrame`) in place every
 * `interval` ms while the run goes on, then leaves the last frame and prints the report below it.
 */
export class LiveView implements RunOutput {
  readonly #io: OutputStreams;
  readonly #tracker: Tracker;
  readonly #options: LiveViewOptions;
  readonly #update: ReturnType<typeof createLogUpdate>;
  readonly #timer: ReturnType<typeof setInterval>;
  #state = 'running';
  #note: string | undefined;
  #drawn = -1;
  #ended = false;

  constructor(io: OutputStreams, tracker: Tracker, options: LiveViewOptions) {
    this.#io = io;
    this.#tracker = tracker;
    this.#options = options;
    this.#update = createLogUpdate(io.stdout, { showCursor: false });
    this.#timer = setInterval(() => this.#draw(false), options.interval ?? 100);
    this.#timer.unref();
    this.#draw(true);
  }

  event(_event: ProgressEvent): void {}

  state(state: string): void {
    this.#state = state;
    this.#draw(true);
  }

  note(text: string): void {
    this.#note = text;
    this.#draw(true);
  }

  end(ending: RunEnding): void {
    if (this.#ended) return;
    this.#state = ending.state;
    this.#draw(true, true);
    this.#ended = true;
    clearInterval(this.#timer);
    this.#update.done();
    const report = renderReport({
      ...ending,
      runId: this.#options.runId,
      width: this.#width(),
      color: this.#color(),
    });
    this.#io.stdout.write(`\n${[...report, ...ending.notes].join('\n')}\n`);
  }

  #draw(force: boolean, final = false): void {
    if (this.#ended) return;
    const version = this.#tracker.version;
    const running = this.#tracker.snapshot.finishedAt === undefined;
    // Redraw when something changed, and while running (the spinner and the clocks move).
    if (!force && version === this.#drawn && !running) return;
    this.#drawn = version;
    const hint = final ? '' : [this.#note, this.#options.hint].filter(Boolean).join('  ·  ');
    const lines = renderFrame({
      snapshot: this.#tracker.snapshot,
      stats: this.#tracker.stats,
      runId: this.#options.runId,
      state: this.#state,
      now: Date.now(),
      width: this.#width(),
      height: this.#io.stdout.rows ?? 24,
      color: this.#color(),
      ...(hint ? { hint } : {}),
    });
    this.#update(lines.join('\n'));
  }

  #width(): number {
    return (this.#io.stdout.columns ?? 100) - 1;
  }

  #color(): boolean {
    return this.#options.color ?? !('NO_COLOR' in process.env);
  }
}
