#!/usr/bin/env node
// Stand-in for `codex` (Codex CLI): `codex exec [resume <thread_id>] --json [--model m] -- <prompt>`,
// printing thread.started, turn.started, item.started/updated/completed, turn.completed/failed, error.
import { afterDashes, bigText, emit, exit, flag, hang, newSessionId, scenarioOf, write } from './common.mjs';

const args = process.argv.slice(2);
if (args[0] !== 'exec' || !args.includes('--json')) {
  await write('fake-codex: only `codex exec --json` is simulated\n');
  await exit(2);
}
const resumed = args[1] === 'resume' ? args[2] : undefined;
const prompt = afterDashes(args) ?? '';
const scenario = scenarioOf(prompt);
await emit({ type: 'thread.started', thread_id: resumed ?? newSessionId() });
await emit({ type: 'turn.started' });
if (scenario === 'hang') await hang();
if (scenario === 'unknown') {
  await emit({ type: 'session.configured', model: flag(args, '--model') });
  await emit({
    type: 'item.completed',
    item: { id: 'item_x', type: 'collab_tool_call', tool: 'wait', status: 'completed' },
  });
  await write('Reading prompt from stdin...\n');
}
if (scenario === 'echo' || scenario === 'big') {
  await emit({
    type: 'item.completed',
    item: { id: 'item_0', type: 'agent_message', text: scenario === 'big' ? bigText() : prompt },
  });
  await emit({
    type: 'turn.completed',
    usage: { input_tokens: 20, cached_input_tokens: 0, output_tokens: 10 },
  });
  await exit(0);
}
const todo = (done) => ({
  id: 'item_1',
  type: 'todo_list',
  items: ['Inspect the failing test', 'Fix the parser', 'Run the suite', 'Update the changelog'].map(
    (text, i) => ({ text, completed: i < done }),
  ),
});
await emit({
  type: 'item.completed',
  item: { id: 'item_0', type: 'reasoning', text: '**Planning the fix**' },
});
await emit({ type: 'item.started', item: todo(0) });
await emit({
  type: 'item.started',
  item: {
    id: 'item_2',
    type: 'command_execution',
    command: 'bash -lc "npm test"',
    aggregated_output: '',
    exit_code: null,
    status: 'in_progress',
  },
});
const failed = scenario === 'fail';
await emit({
  type: 'item.completed',
  item: {
    id: 'item_2',
    type: 'command_execution',
    command: 'bash -lc "npm test"',
    aggregated_output: failed ? '3 failing' : 'ok',
    exit_code: failed ? 1 : 0,
    status: failed ? 'failed' : 'completed',
  },
});
await emit({ type: 'item.updated', item: todo(1) });
if (failed) {
  await emit({ type: 'error', message: 'stream disconnected before completion' });
  await emit({ type: 'turn.failed', error: { message: 'stream disconnected before completion' } });
  await exit(1);
}
await emit({
  type: 'item.started',
  item: {
    id: 'item_3',
    type: 'file_change',
    changes: [
      { path: 'src/parser.rs', kind: 'update' },
      { path: 'CHANGELOG.md', kind: 'update' },
    ],
    status: 'in_progress',
  },
});
await emit({
  type: 'item.completed',
  item: {
    id: 'item_3',
    type: 'file_change',
    changes: [
      { path: 'src/parser.rs', kind: 'update' },
      { path: 'CHANGELOG.md', kind: 'update' },
    ],
    status: 'completed',
  },
});
await emit({
  type: 'item.started',
  item: {
    id: 'item_4',
    type: 'mcp_tool_call',
    server: 'github',
    tool: 'search_issues',
    arguments: { q: 'parser' },
    result: null,
    error: null,
    status: 'in_progress',
  },
});
await emit({
  type: 'item.completed',
  item: {
    id: 'item_4',
    type: 'mcp_tool_call',
    server: 'github',
    tool: 'search_issues',
    arguments: { q: 'parser' },
    result: { content: [], structured_content: null },
    error: null,
    status: 'completed',
  },
});
await emit({ type: 'item.updated', item: todo(3) });
await emit({ type: 'item.completed', item: todo(4) });
await emit({
  type: 'item.completed',
  item: { id: 'item_5', type: 'agent_message', text: 'Fixed the parser; all tests pass.' },
});
await emit({
  type: 'turn.completed',
  usage: { input_tokens: 24000, cached_input_tokens: 20000, output_tokens: 1500 },
});
await exit(0);
