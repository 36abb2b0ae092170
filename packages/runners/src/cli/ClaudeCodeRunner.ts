import type { StartOptions } from '../types.js';
import { CliRunner, type CliRunnerOptions, type CliSpec } from './CliRunner.js';
import { CLAUDE_DIALECT } from './claudeDialects.js';
import { createClaudeStreamParser } from './claudeStream.js';

/** Options of {@link ClaudeCodeRunner}. */
export interface ClaudeCodeRunnerOptions extends CliRunnerOptions {
  /**
   * Keep the session open for follow-ups (`--input-format stream-json`): the prompt is the first
   * message, `session.send(text)` adds more, `session.key('eof')` ends the conversation.
   * Needs the default process base runner.
   */
  followUps?: boolean;
  /** `--permission-mode` (e.g. `acceptEdits`, `bypassPermissions`, `plan`). */
  permissionMode?: string;
  /** `--max-turns`. */
  maxTurns?: number;
}

/** One user turn in Claude Code's stream-json input format, as a line. */
export function claudeUserMessage(text: string): string {
  return `${JSON.stringify({ type: 'user', message: { role: 'user', content: [{ type: 'text', text }] } })}\n`;
}

/**
 * Claude Code, headless: `claude -p --output-format stream-json --verbose [--model m]
 * [--resume <session_id>] -- <prompt>`, parsed by {@link createClaudeStreamParser}: tool calls,
 * files written, tokens, cost (`total_cost_usd`), TodoWrite percent, and the session id to resume.
 * For interactive Claude Code, run `claude` under {@link TmuxRunner} and steer it with keys.
 * @example
 * await using claude = new ClaudeCodeRunner({ permissionMode: 'acceptEdits' });
 * const session = await claude.start({ prompt: 'add a --json flag to the CLI' }, { cwd: repo, timeout: 30 * 60_000 });
 * session.events$.subscribe((e) => e.kind === 'task.tool_call' && console.log(e.tool));
 * const { status, result, costUsd, sessionId } = await session.wait();
 */
export class ClaudeCodeRunner extends CliRunner {
  constructor(options: ClaudeCodeRunnerOptions = {}) {
    super(claudeSpec(options), options);
  }
}

function claudeSpec(o: ClaudeCodeRunnerOptions): CliSpec {
  const spec: CliSpec = {
    kind: 'claude-code',
    command: ['claude'],
    promptAsInput: o.followUps === true,
    args: (prompt: string | undefined, model: string | undefined, options: StartOptions) => {
      const args = ['-p', '--output-format', 'stream-json', '--verbose'];
      if (o.followUps) args.push('--input-format', 'stream-json');
      if (model) args.push('--model', model);
      if (options.sessionId) args.push('--resume', options.sessionId);
      if (o.permissionMode) args.push('--permission-mode', o.permissionMode);
      if (o.maxTurns !== undefined) args.push('--max-turns', String(o.maxTurns));
      return prompt === undefined ? args : [...args, '--', prompt];
    },
    parser: () => createClaudeStreamParser(CLAUDE_DIALECT),
  };
  if (o.followUps) spec.encodeInput = claudeUserMessage;
  return spec;
}
