#!/usr/bin/env node
// Stand-in for `qwen` (Qwen Code 0.x): `qwen --output-format stream-json [--model m] [--resume id]
// --prompt=<prompt>`. Same message shapes as Claude Code; init carries `qwen_code_version`, a
// failed result carries `error: { message }`.
import { runClaudeLike } from './claudeLike.mjs';
import { exit, flag, write } from './common.mjs';

const args = process.argv.slice(2);
const prompt = flag(args, '--prompt') ?? flag(args, '-p');
if (flag(args, '--output-format') !== 'stream-json' || prompt === undefined) {
  await write('fake-qwen: only --output-format stream-json with --prompt is simulated\n');
  await exit(2);
}
const dialect = {
  versionField: 'qwen_code_version',
  version: '0.24.4',
  tools: { write: 'write_file', todo: 'todo_write', shell: 'run_shell_command' },
  errorResult: (base, text) => ({ ...base, error: { type: 'max_turns', message: text } }),
};
await runClaudeLike({
  prompt,
  model: flag(args, '--model') ?? 'qwen3-coder-plus',
  resume: flag(args, '--resume'),
  dialect,
  cwd: process.cwd(),
});
