import type { StartOptions } from '../types.js';
import { CliRunner, type CliRunnerOptions } from './CliRunner.js';
import { createGeminiStreamParser } from './geminiStream.js';

/** Options of {@link GeminiCliRunner}. */
export interface GeminiCliRunnerOptions extends CliRunnerOptions {
  /** `--approval-mode` (e.g. `yolo`, `auto_edit`). */
  approvalMode?: string;
}

/**
 * Gemini CLI, headless: `gemini --output-format stream-json [--model m] [--resume <session_id>]
 * --prompt=<prompt>`, parsed by {@link createGeminiStreamParser}.
 * @example
 * await using gemini = new GeminiCliRunner({ approvalMode: 'auto_edit' });
 * const result = await (await gemini.start({ prompt: 'summarize the design doc' })).wait();
 */
export class GeminiCliRunner extends CliRunner {
  constructor(options: GeminiCliRunnerOptions = {}) {
    super(
      {
        kind: 'gemini-cli',
        command: ['gemini'],
        args: (prompt: string | undefined, model: string | undefined, start: StartOptions) => {
          const args = ['--output-format', 'stream-json'];
          if (model) args.push('--model', model);
          if (start.sessionId) args.push('--resume', start.sessionId);
          if (options.approvalMode) args.push('--approval-mode', options.approvalMode);
          return prompt === undefined ? args : [...args, `--prompt=${prompt}`];
        },
        parser: () => createGeminiStreamParser(),
      },
      options,
    );
  }
}
