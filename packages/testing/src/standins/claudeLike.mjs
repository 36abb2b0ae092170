// The line format Claude Code prints with `-p --output-format stream-json --verbose` (and Qwen
// Code, whose differences are passed in): system/init, assistant, user, stream_event, result.
import { randomUUID } from 'node:crypto';
import { bigText, emit, exit, hang, newSessionId, scenarioOf, write } from './common.mjs';

let messageCount = 0;

/**
 * Runs one stand-in session. `dialect`: { versionField, version, tools: { write, todo, shell },
 * errorResult(base, text) } where the CLIs differ.
 */
export async function runClaudeLike({ prompt, model, resume, dialect, cwd }) {
  const scenario = scenarioOf(prompt);
  // A program that ignores SIGTERM, so only SIGKILL stops it.
  if (scenario === 'stubborn') process.on('SIGTERM', () => {});
  const sessionId = resume ?? newSessionId();
  const base = { session_id: sessionId };
  const m = model ?? 'claude-sonnet-4-5';
  await emit({
    type: 'system',
    subtype: 'init',
    cwd,
    ...base,
    tools: Object.values(dialect.tools),
    mcp_servers: [],
    model: m,
    permissionMode: 'default',
    slash_commands: ['compact', 'clear'],
    apiKeySource: 'none',
    [dialect.versionField]: dialect.version,
    output_style: 'default',
    uuid: randomUUID(),
  });
  const assistant = (content, usage) => ({
    type: 'assistant',
    message: {
      id: `msg_${++messageCount}`,
      type: 'message',
      role: 'assistant',
      model: m,
      content,
      stop_reason: null,
      stop_sequence: null,
      usage: {
        input_tokens: usage[0],
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: usage[1],
      },
    },
    parent_tool_use_id: null,
    ...base,
    uuid: randomUUID(),
  });
  const toolResult = (id, content, isError) => ({
    type: 'user',
    message: {
      role: 'user',
      content: [{ tool_use_id: id, type: 'tool_result', content, is_error: isError }],
    },
    parent_tool_use_id: null,
    ...base,
    uuid: randomUUID(),
  });
  const result = (subtype, isError, text, usage) => ({
    type: 'result',
    subtype,
    is_error: isError,
    duration_ms: 1234,
    duration_api_ms: 1000,
    num_turns: 3,
    ...(subtype === 'success' ? { result: text } : {}),
    ...base,
    total_cost_usd: 0.0123,
    usage: {
      input_tokens: usage[0],
      cache_creation_input_tokens: 100,
      cache_read_input_tokens: 400,
      output_tokens: usage[1],
    },
    modelUsage: {
      [m]: {
        inputTokens: usage[0],
        outputTokens: usage[1],
        cacheReadInputTokens: 400,
        cacheCreationInputTokens: 100,
        webSearchRequests: 0,
        costUSD: 0.0123,
        contextWindow: 200000,
      },
    },
    permission_denials: [],
    uuid: randomUUID(),
  });
  const steps = [
    ['Read the code', 'Reading the code'],
    ['Write the change', 'Writing the change'],
    ['Run the tests', 'Running the tests'],
  ];
  const todos = (done) =>
    steps.map(([content, activeForm], i) => ({
      content,
      activeForm,
      status: i < done ? 'completed' : i === done ? 'in_progress' : 'pending',
    }));

  if (scenario === 'hang' || scenario === 'stubborn') return hang();
  if (scenario === 'unknown') {
    await emit({ type: 'rate_limit_event', rate_limit_info: { status: 'allowed' }, ...base });
    await write('a plain text line that is not JSON\n');
    await write('{"type": "assistant", "message": {broken json\n');
  }
  if (scenario === 'echo') {
    await emit(result('success', false, prompt, [10, 5]));
    return exit(0);
  }
  if (scenario === 'big') {
    const text = bigText();
    await emit(assistant([{ type: 'text', text }], [50, 60_000]));
    await emit(result('success', false, text, [50, 60_000]));
    return exit(0);
  }
  await emit({
    type: 'stream_event',
    event: { type: 'message_start', message: { id: 'msg_0', role: 'assistant', model: m } },
    parent_tool_use_id: null,
    ...base,
    uuid: randomUUID(),
  });
  await emit(
    assistant(
      [
        { type: 'thinking', thinking: 'Planning the work.' },
        { type: 'text', text: `Working on: ${prompt.slice(0, 60)}` },
      ],
      [1200, 80],
    ),
  );
  await emit(
    assistant(
      [{ type: 'tool_use', id: 'toolu_todo1', name: dialect.tools.todo, input: { todos: todos(1) } }],
      [300, 150],
    ),
  );
  await emit(toolResult('toolu_todo1', 'Todos updated', false));
  if (scenario === 'fail' || scenario === 'is_error') {
    await emit(
      assistant(
        [{ type: 'tool_use', id: 'toolu_sh1', name: dialect.tools.shell, input: { command: 'npm test' } }],
        [200, 60],
      ),
    );
    await emit(toolResult('toolu_sh1', 'Error: 3 tests failed', true));
    if (scenario === 'is_error') {
      await emit(result('success', true, 'API Error: overloaded', [1900, 310]));
      return exit(0);
    }
    await emit(
      dialect.errorResult(
        result('error_max_turns', true, undefined, [1900, 310]),
        'Reached maximum number of turns (3)',
      ),
    );
    return exit(1);
  }
  await emit(
    assistant(
      [
        {
          type: 'tool_use',
          id: 'toolu_w1',
          name: dialect.tools.write,
          input: { file_path: 'src/feature.ts', content: 'export {}' },
        },
      ],
      [200, 60],
    ),
  );
  await emit(toolResult('toolu_w1', 'File created successfully', false));
  if (scenario === 'slow') await new Promise((r) => setTimeout(r, 600));
  await emit(
    assistant(
      [{ type: 'tool_use', id: 'toolu_todo2', name: dialect.tools.todo, input: { todos: todos(3) } }],
      [100, 20],
    ),
  );
  await emit(toolResult('toolu_todo2', 'Todos updated', false));
  await emit(assistant([{ type: 'text', text: 'Done: wrote src/feature.ts' }], [100, 20]));
  await emit(result('success', false, `Done: ${prompt.slice(0, 60)}`, [2000, 350]));
  return exit(0);
}
