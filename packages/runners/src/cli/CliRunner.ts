import { type Store, ValidationError } from '@troupe/core';
import { FinishedSession } from '../internal/FinishedSession.js';
import { readRecord } from '../internal/records.js';
import { ProcessRunner } from '../process/ProcessRunner.js';
import type { Runner, RunnerSession, RunnerTask, StartOptions, WaitOptions } from '../types.js';
import { CliSession } from './CliSession.js';
import type { StreamParser } from './StreamParser.js';

/** Options every coding-CLI runner takes. */
export interface CliRunnerOptions {
  /**
   * What runs the CLI: a `ProcessRunner` (default, sharing `store`), or a `TmuxRunner` so the run
   * survives this process and can be reattached by id from another one.
   */
  runner?: Runner;
  /** The program and any leading arguments (default: the CLI's name, e.g. `['claude']`). */
  command?: readonly string[];
  /** Extra arguments placed before the prompt (e.g. `['--permission-mode', 'acceptEdits']`). */
  args?: readonly string[];
  /** Model when the task names none. */
  model?: string;
  /** Where finished results are recorded, so reattach finds them. */
  store?: Store;
}

/** How one CLI is driven: its arguments, its parser, how follow-up input is encoded. */
export interface CliSpec {
  readonly kind: string;
  readonly command: readonly string[];
  /** Arguments after `command`, prompt included (after `--` or as `--flag=value`, so a leading `-` stays text). */
  args(prompt: string | undefined, model: string | undefined, options: StartOptions): string[];
  parser(model: string | undefined): StreamParser;
  /** Whether the prompt is sent as the first input instead of an argument. */
  readonly promptAsInput?: boolean;
  encodeInput?: (text: string) => string;
}

/**
 * A coding CLI run headless under a base runner, its JSON lines parsed into progress. The
 * concrete runners (`ClaudeCodeRunner`, `QwenCodeRunner`, `GeminiCliRunner`, `CodexRunner`)
 * only say how to call the CLI and which parser reads it.
 */
export class CliRunner implements Runner {
  readonly kind: string;
  readonly #spec: CliSpec;
  readonly #o: CliRunnerOptions;
  readonly #base: Runner;

  constructor(spec: CliSpec, options: CliRunnerOptions = {}) {
    this.kind = spec.kind;
    this.#spec = spec;
    this.#o = options;
    this.#base = options.runner ?? new ProcessRunner(options.store ? { store: options.store } : {});
  }

  /** Starts the CLI on `task.prompt`; `options.sessionId` resumes the CLI's own earlier session. */
  async start(task: RunnerTask, options: StartOptions = {}): Promise<RunnerSession> {
    const prompt = task.prompt;
    if (typeof prompt !== 'string' || prompt === '') {
      throw new ValidationError(`${this.kind} needs task.prompt`, {
        issues: [{ path: 'prompt', message: 'required' }],
      });
    }
    const spec = this.#spec;
    const model = task.model ?? this.#o.model;
    const inline = spec.promptAsInput ? undefined : prompt;
    const command = [
      ...(this.#o.command ?? spec.command),
      ...(this.#o.args ?? []),
      ...spec.args(inline, model, options),
    ];
    const inner = await this.#base.start({ command, closeInput: !spec.promptAsInput }, options);
    const session = this.#session(inner, model);
    if (spec.promptAsInput) await session.send(prompt);
    return session;
  }

  /** A finished session from the store, else the base runner's session (a tmux log is re-parsed from its start). */
  async reattach(id: string, options?: WaitOptions): Promise<RunnerSession> {
    const record = await readRecord(this.#o.store, this.kind, id);
    if (record?.result) return new FinishedSession(id, record.result);
    return this.#session(await this.#base.reattach(id, options), this.#o.model);
  }

  /** Closes the base runner it made (a runner passed in is the caller's to close). */
  async close(): Promise<void> {
    if (!this.#o.runner) await this.#base.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #session(inner: RunnerSession, model: string | undefined): CliSession {
    return new CliSession(inner, {
      kind: this.kind,
      store: this.#o.store,
      parser: this.#spec.parser(model),
      encodeInput: this.#spec.encodeInput,
    });
  }
}
