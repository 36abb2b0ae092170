import type { StartOptions } from '../types.js';
import { CliRunner, type CliRunnerOptions } from './CliRunner.js';
import { createCodexStreamParser } from './codexStream.js';
import type { ModelPrice } from './prices.js';

/** Options of {@link CodexRunner}. */
export interface CodexRunnerOptions extends CliRunnerOptions {
  /** USD per 1M tokens by model, for `costUsd` (default `DEFAULT_CODEX_PRICES`). */
  prices?: Readonly<Record<string, ModelPrice>>;
  /** `--sandbox` (e.g. `workspace-write`). */
  sandbox?: string;
}

/**
 * Codex, headless: `codex exec --json [-m model] -- <prompt>`, or `codex exec resume <thread_id>
 * --json … -- <prompt>` to continue, parsed by {@link createCodexStreamParser}: commands, file
 * changes, MCP calls, to-do list percent, tokens, and cost from a price table (Codex reports
 * tokens, not dollars; `costUsd` is set when the model is known).
 * @example
 * await using codex = new CodexRunner({ model: 'gpt-5-codex', sandbox: 'workspace-write' });
 * const { result, costUsd, sessionId } = await (await codex.start({ prompt: 'bump deps' })).wait();
 */
export class CodexRunner extends CliRunner {
  constructor(options: CodexRunnerOptions = {}) {
    super(
      {
        kind: 'codex',
        command: ['codex'],
        args: (prompt: string | undefined, model: string | undefined, start: StartOptions) => {
          const args = start.sessionId ? ['exec', 'resume', start.sessionId, '--json'] : ['exec', '--json'];
          if (model) args.push('--model', model);
          if (options.sandbox) args.push('--sandbox', options.sandbox);
          return prompt === undefined ? args : [...args, '--', prompt];
        },
        parser: (model) => {
          const parserOptions: { model?: string; prices?: Readonly<Record<string, ModelPrice>> } = {};
          if (model) parserOptions.model = model;
          if (options.prices) parserOptions.prices = options.prices;
          return createCodexStreamParser(parserOptions);
        },
      },
      options,
    );
  }
}
