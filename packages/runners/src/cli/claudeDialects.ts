import { list, record, str } from './StreamParser.js';

/**
 * Where Claude Code and Qwen Code differ in their stream-json output; everything else in
 * {@link createClaudeStreamParser} is shared. Qwen Code's non-interactive output copies Claude
 * Code's message shapes (packages/cli/src/nonInteractive/types.ts in QwenLM/qwen-code).
 */
export interface ClaudeDialect {
  /** Name used in log lines. */
  readonly name: string;
  /** The `system`/`init` field holding the CLI version. */
  readonly versionField: string;
  /** Tools that write files, with the input field holding the path. */
  readonly fileTools: Readonly<Record<string, readonly string[]>>;
  /** Tools that maintain a to-do list (their `todos` give percent progress). */
  readonly todoTools: ReadonlySet<string>;
  /** The error text of a failed `result` event. */
  resultError(event: Record<string, unknown>): string | undefined;
}

/** Claude Code 2.x (`claude -p --output-format stream-json --verbose`): errors in `errors: string[]`. */
export const CLAUDE_DIALECT: ClaudeDialect = {
  name: 'claude',
  versionField: 'claude_code_version',
  fileTools: {
    Write: ['file_path'],
    Edit: ['file_path'],
    MultiEdit: ['file_path'],
    NotebookEdit: ['notebook_path'],
  },
  todoTools: new Set(['TodoWrite']),
  resultError: (event) => {
    const errors = list(event.errors).filter((e): e is string => typeof e === 'string');
    return errors.length > 0 ? errors.join('; ') : str(event.result);
  },
};

/** Qwen Code 0.x (`qwen --output-format stream-json`): version in `qwen_code_version`, error in `error.message`. */
export const QWEN_DIALECT: ClaudeDialect = {
  name: 'qwen',
  versionField: 'qwen_code_version',
  fileTools: {
    write_file: ['file_path'],
    edit: ['file_path'],
    replace: ['file_path'],
  },
  todoTools: new Set(['todo_write']),
  resultError: (event) => str(record(event.error)?.message) ?? str(event.result),
};
