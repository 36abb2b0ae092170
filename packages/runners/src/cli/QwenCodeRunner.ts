import type { StartOptions } from '../types.js';
import { CliRunner, type CliRunnerOptions } from './CliRunner.js';
import { QWEN_DIALECT } from './claudeDialects.js';
import { createClaudeStreamParser } from './claudeStream.js';

/** Options of {@link QwenCodeRunner}. */
export interface QwenCodeRunnerOptions extends CliRunnerOptions {
  /** `--approval-mode` (e.g. `yolo`, `auto-edit`). */
  approvalMode?: string;
}

/**
 * Qwen Code, headless: `qwen --output-format stream-json [--model m] [--resume <session_id>]
 * --prompt=<prompt>`. Its stream-json copies Claude Code's message shapes, so it shares
 * {@link createClaudeStreamParser}; the differences live in {@link QWEN_DIALECT}.
 * @example
 * await using qwen = new QwenCodeRunner({ approvalMode: 'yolo' });
 * const result = await (await qwen.start({ prompt: 'write the migration' }, { cwd: repo })).wait();
 */
export class QwenCodeRunner extends CliRunner {
  constructor(options: QwenCodeRunnerOptions = {}) {
    super(
      {
        kind: 'qwen-code',
        command: ['qwen'],
        args: (prompt: string | undefined, model: string | undefined, start: StartOptions) => {
          const args = ['--output-format', 'stream-json'];
          if (model) args.push('--model', model);
          if (start.sessionId) args.push('--resume', start.sessionId);
          if (options.approvalMode) args.push('--approval-mode', options.approvalMode);
          return prompt === undefined ? args : [...args, `--prompt=${prompt}`];
        },
        parser: () => createClaudeStreamParser(QWEN_DIALECT),
      },
      options,
    );
  }
}
