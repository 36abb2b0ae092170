#!/usr/bin/env node
// Stand-in for `gemini` (Gemini CLI 0.x): `gemini --output-format stream-json [--model m]
// [--resume id] --prompt=<prompt>`, printing init, message, tool_use, tool_result, error, result.
import { bigText, emit, exit, flag, hang, newSessionId, scenarioOf, write } from './common.mjs';

const args = process.argv.slice(2);
const prompt = flag(args, '--prompt') ?? flag(args, '-p');
if (flag(args, '--output-format') !== 'stream-json' || prompt === undefined) {
  await write('fake-gemini: only --output-format stream-json with --prompt is simulated\n');
  await exit(42);
}
const scenario = scenarioOf(prompt);
const ts = () => new Date().toISOString();
const model = flag(args, '--model') ?? 'gemini-2.5-pro';
await emit({ type: 'init', timestamp: ts(), session_id: flag(args, '--resume') ?? newSessionId(), model });
if (scenario === 'hang') await hang();
await emit({ type: 'message', timestamp: ts(), role: 'user', content: prompt });
if (scenario === 'unknown') {
  await emit({ type: 'thought', timestamp: ts(), subject: 'planning' });
  await write('Loaded cached credentials.\n');
}
if (scenario === 'echo' || scenario === 'big') {
  const text = scenario === 'big' ? bigText() : prompt;
  await emit({ type: 'message', timestamp: ts(), role: 'assistant', content: text, delta: true });
  await emit({
    type: 'result',
    timestamp: ts(),
    status: 'success',
    stats: { total_tokens: 30, input_tokens: 20, output_tokens: 10, duration_ms: 5, tool_calls: 0 },
  });
  await exit(0);
}
const todos = (done) =>
  ['Read the design', 'Write the summary'].map((description, i) => ({
    description,
    status: i < done ? 'completed' : i === done ? 'in_progress' : 'pending',
  }));
await emit({
  type: 'tool_use',
  timestamp: ts(),
  tool_name: 'write_todos',
  tool_id: 'todo-1',
  parameters: { todos: todos(1) },
});
await emit({ type: 'tool_result', timestamp: ts(), tool_id: 'todo-1', status: 'success', output: 'ok' });
if (scenario === 'fail') {
  await emit({
    type: 'tool_use',
    timestamp: ts(),
    tool_name: 'run_shell_command',
    tool_id: 'sh-1',
    parameters: { command: 'make' },
  });
  await emit({
    type: 'tool_result',
    timestamp: ts(),
    tool_id: 'sh-1',
    status: 'error',
    error: { type: 'execution_failed', message: 'make: *** [all] Error 2' },
  });
  await emit({ type: 'error', timestamp: ts(), severity: 'error', message: 'Quota exceeded' });
  await emit({
    type: 'result',
    timestamp: ts(),
    status: 'error',
    error: { type: 'FatalTurnLimitedError', message: 'Reached max session turns' },
    stats: { total_tokens: 700, input_tokens: 600, output_tokens: 100, duration_ms: 900, tool_calls: 2 },
  });
  await exit(53);
}
await emit({
  type: 'tool_use',
  timestamp: ts(),
  tool_name: 'write_file',
  tool_id: 'wf-1',
  parameters: { file_path: 'docs/summary.md', content: '# Summary' },
});
await emit({
  type: 'tool_result',
  timestamp: ts(),
  tool_id: 'wf-1',
  status: 'success',
  output: 'Wrote docs/summary.md',
});
await emit({
  type: 'tool_use',
  timestamp: ts(),
  tool_name: 'write_todos',
  tool_id: 'todo-2',
  parameters: { todos: todos(2) },
});
await emit({ type: 'tool_result', timestamp: ts(), tool_id: 'todo-2', status: 'success', output: 'ok' });
await emit({ type: 'message', timestamp: ts(), role: 'assistant', content: 'Summary ', delta: true });
await emit({ type: 'message', timestamp: ts(), role: 'assistant', content: 'written.', delta: true });
await emit({
  type: 'result',
  timestamp: ts(),
  status: 'success',
  stats: {
    total_tokens: 1500,
    input_tokens: 1200,
    output_tokens: 300,
    cached: 200,
    input: 1000,
    duration_ms: 2100,
    tool_calls: 4,
  },
});
await exit(0);
