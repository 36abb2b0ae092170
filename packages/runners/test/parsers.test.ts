import type { ProgressInput } from '@troupe/core';
import { describe, expect, it } from 'vitest';
import {
  createClaudeStreamParser,
  createCodexStreamParser,
  createGeminiStreamParser,
  QWEN_DIALECT,
  type StreamParser,
} from '../src/index.js';
import { ofKind } from './support.js';

function feed(parser: StreamParser, events: unknown[]): ProgressInput[] {
  return events.flatMap((e) => parser.parse(typeof e === 'string' ? e : JSON.stringify(e)));
}

const usage = (input: number, output: number) => ({
  input_tokens: input,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
  output_tokens: output,
});
const assistant = (id: string, content: unknown[], u = usage(100, 10)) => ({
  type: 'assistant',
  message: { id, type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content, usage: u },
  parent_tool_use_id: null,
  session_id: 's-1',
});

describe('Claude Code stream-json parser', () => {
  it('should turn init, tool use, results, todos and the result into progress and an outcome', () => {
    const parser = createClaudeStreamParser();
    const events = feed(parser, [
      {
        type: 'system',
        subtype: 'init',
        session_id: 's-1',
        model: 'claude-sonnet-4-5',
        tools: ['Write'],
        cwd: '/r',
        claude_code_version: '2.1.332',
      },
      assistant('m1', [
        { type: 'text', text: 'Looking.' },
        { type: 'tool_use', id: 't1', name: 'Write', input: { file_path: 'a.ts', content: '' } },
      ]),
      assistant('m1', [
        {
          type: 'tool_use',
          id: 't2',
          name: 'TodoWrite',
          input: {
            todos: [
              { content: 'A', activeForm: 'Doing A', status: 'completed' },
              { content: 'B', activeForm: 'Doing B', status: 'in_progress' },
              { content: 'C', activeForm: 'Doing C', status: 'pending' },
            ],
          },
        },
      ]),
      {
        type: 'user',
        message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }] },
      },
      {
        type: 'user',
        message: {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 't2', content: 'boom', is_error: true }],
        },
      },
      {
        type: 'stream_event',
        event: { type: 'content_block_delta', delta: { type: 'text_delta', text: 'x' } },
      },
      {
        type: 'result',
        subtype: 'success',
        is_error: false,
        result: 'All done',
        session_id: 's-1',
        total_cost_usd: 0.5,
        num_turns: 2,
        usage: { ...usage(300, 40), cache_read_input_tokens: 7 },
        permission_denials: [{ tool_name: 'Bash' }],
      },
    ]);
    expect(ofKind(events, 'task.tool_call').map((e) => [e.tool, e.status])).toEqual([
      ['Write', 'started'],
      ['TodoWrite', 'started'],
      ['Write', 'succeeded'],
      ['TodoWrite', 'failed'],
    ]);
    expect(ofKind(events, 'task.progress')).toEqual([
      { kind: 'task.progress', percent: 33, step: 'Doing B' },
    ]);
    expect(ofKind(events, 'task.artifact')).toEqual([{ kind: 'task.artifact', name: 'a.ts', uri: 'a.ts' }]);
    // m1 counted once; the result's totals top it up.
    const tokens = ofKind(events, 'task.tokens');
    expect(tokens.reduce((sum, e) => sum + e.input, 0)).toBe(300);
    expect(tokens.reduce((sum, e) => sum + e.output, 0)).toBe(40);
    expect(ofKind(events, 'task.log').map((e) => e.message)).toContain('permission denied: Bash');
    expect(parser.outcome()).toMatchObject({
      sessionId: 's-1',
      model: 'claude-sonnet-4-5',
      result: 'All done',
      costUsd: 0.5,
      usage: { inputTokens: 300, outputTokens: 40, cachedInputTokens: 7 },
      artifacts: ['a.ts'],
      finished: true,
    });
    expect(parser.outcome().error).toBeUndefined();
  });

  it('should treat subtype success with is_error true as a failure', () => {
    const parser = createClaudeStreamParser();
    feed(parser, [
      {
        type: 'result',
        subtype: 'success',
        is_error: true,
        result: 'API Error: 529 overloaded',
        session_id: 's',
      },
    ]);
    expect(parser.outcome().error).toEqual({ code: 'is_error', message: 'API Error: 529 overloaded' });
    expect(parser.outcome().result).toBeUndefined();
  });

  it('should read the error subtype and errors[] of a failed result', () => {
    const parser = createClaudeStreamParser();
    const events = feed(parser, [
      {
        type: 'result',
        subtype: 'error_max_turns',
        is_error: true,
        errors: ['Reached maximum number of turns (3)'],
        session_id: 's',
      },
    ]);
    expect(parser.outcome().error).toEqual({
      code: 'error_max_turns',
      message: 'Reached maximum number of turns (3)',
    });
    expect(ofKind(events, 'task.log').at(-1)).toMatchObject({ level: 'error' });
  });

  it('should keep unknown events, plain text and broken JSON as logs, never throw', () => {
    const parser = createClaudeStreamParser();
    const events = feed(parser, [
      { type: 'rate_limit_event', rate_limit_info: { status: 'allowed' } },
      { type: 'system', subtype: 'compact_boundary' },
      'Some banner text',
      '{"type": "assistant", "message": {broken',
      '   ',
      { type: 'assistant', message: 'not an object' },
      { type: 'user' },
      { no: 'type' },
    ]);
    expect(events.every((e) => e.kind === 'task.log')).toBe(true);
    expect(events.map((e) => (e as { message: string }).message)).toEqual([
      expect.stringContaining("unknown event 'rate_limit_event'"),
      'claude: system compact_boundary',
      'claude: Some banner text',
      expect.stringContaining('claude: {"type": "assistant"'),
      expect.stringContaining("unknown event ''"),
    ]);
  });

  it('should read Qwen Code through the Qwen dialect: its version field, tool names and error shape', () => {
    const parser = createClaudeStreamParser(QWEN_DIALECT);
    const events = feed(parser, [
      {
        type: 'system',
        subtype: 'init',
        session_id: 'q-1',
        model: 'qwen3-coder-plus',
        qwen_code_version: '0.24.4',
        tools: [],
      },
      assistant('m1', [{ type: 'tool_use', id: 't1', name: 'write_file', input: { file_path: 'b.py' } }]),
      {
        type: 'user',
        message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }] },
      },
      {
        type: 'result',
        subtype: 'error_max_turns',
        is_error: true,
        error: { type: 'max_turns', message: 'too many turns' },
        session_id: 'q-1',
      },
    ]);
    expect(ofKind(events, 'task.log')[0]?.message).toContain('qwen 0.24.4');
    expect(parser.outcome()).toMatchObject({
      artifacts: ['b.py'],
      error: { code: 'error_max_turns', message: 'too many turns' },
    });
  });
});

describe('Gemini CLI stream-json parser', () => {
  it('should parse init, tools, todos, deltas and the result stats', () => {
    const parser = createGeminiStreamParser();
    const ts = '2026-01-01T00:00:00.000Z';
    const events = feed(parser, [
      { type: 'init', timestamp: ts, session_id: 'g-1', model: 'gemini-2.5-pro' },
      { type: 'message', timestamp: ts, role: 'user', content: 'hi' },
      {
        type: 'tool_use',
        timestamp: ts,
        tool_name: 'write_todos',
        tool_id: 'w1',
        parameters: {
          todos: [
            { description: 'a', status: 'completed' },
            { description: 'b', status: 'in_progress' },
          ],
        },
      },
      {
        type: 'tool_use',
        timestamp: ts,
        tool_name: 'write_file',
        tool_id: 'f1',
        parameters: { file_path: 'x.md' },
      },
      { type: 'tool_result', timestamp: ts, tool_id: 'f1', status: 'success', output: 'ok' },
      {
        type: 'tool_result',
        timestamp: ts,
        tool_id: 'w1',
        status: 'error',
        error: { type: 'x', message: 'bad' },
      },
      { type: 'error', timestamp: ts, severity: 'warning', message: 'slow' },
      { type: 'message', timestamp: ts, role: 'assistant', content: 'Hel', delta: true },
      { type: 'message', timestamp: ts, role: 'assistant', content: 'lo', delta: true },
      {
        type: 'result',
        timestamp: ts,
        status: 'success',
        stats: { total_tokens: 30, input_tokens: 20, output_tokens: 10, duration_ms: 5, tool_calls: 2 },
      },
      { type: 'thought', timestamp: ts },
    ]);
    expect(ofKind(events, 'task.progress')).toEqual([{ kind: 'task.progress', percent: 50, step: 'b' }]);
    expect(ofKind(events, 'task.tool_call').map((e) => [e.tool, e.status])).toEqual([
      ['write_todos', 'started'],
      ['write_file', 'started'],
      ['write_file', 'succeeded'],
      ['write_todos', 'failed'],
    ]);
    expect(ofKind(events, 'task.tokens')).toEqual([
      { kind: 'task.tokens', input: 20, output: 10, model: 'gemini-2.5-pro' },
    ]);
    expect(ofKind(events, 'task.log').at(-1)?.message).toContain("unknown event 'thought'");
    expect(parser.outcome()).toMatchObject({
      sessionId: 'g-1',
      result: 'Hello',
      artifacts: ['x.md'],
      usage: { inputTokens: 20, outputTokens: 10 },
    });
  });

  it('should report a failed result with its error type', () => {
    const parser = createGeminiStreamParser();
    feed(parser, [
      {
        type: 'result',
        timestamp: '',
        status: 'error',
        error: { type: 'FatalTurnLimitedError', message: 'turns' },
      },
    ]);
    expect(parser.outcome().error).toEqual({ code: 'FatalTurnLimitedError', message: 'turns' });
  });
});

describe('Codex exec --json parser', () => {
  it('should give real percent progress from todo_list, tools from items, and cost from usage and prices', () => {
    const parser = createCodexStreamParser({
      model: 'gpt-5-codex-2025-09',
      prices: { 'gpt-5-codex': { input: 1, cachedInput: 0.1, output: 10 } },
    });
    const todo = (done: number) => ({
      id: 'i1',
      type: 'todo_list',
      items: [0, 1, 2, 3].map((i) => ({ text: `step ${i}`, completed: i < done })),
    });
    const events = feed(parser, [
      { type: 'thread.started', thread_id: 'th-1' },
      { type: 'turn.started' },
      { type: 'item.started', item: todo(1) },
      {
        type: 'item.started',
        item: {
          id: 'c1',
          type: 'command_execution',
          command: 'ls',
          aggregated_output: '',
          exit_code: null,
          status: 'in_progress',
        },
      },
      {
        type: 'item.updated',
        item: {
          id: 'c1',
          type: 'command_execution',
          command: 'ls',
          aggregated_output: 'a',
          exit_code: null,
          status: 'in_progress',
        },
      },
      {
        type: 'item.completed',
        item: {
          id: 'c1',
          type: 'command_execution',
          command: 'ls',
          aggregated_output: 'a',
          exit_code: 2,
          status: 'completed',
        },
      },
      {
        type: 'item.completed',
        item: {
          id: 'f1',
          type: 'file_change',
          changes: [{ path: 'a.rs', kind: 'update' }],
          status: 'completed',
        },
      },
      {
        type: 'item.completed',
        item: {
          id: 'm1',
          type: 'mcp_tool_call',
          server: 'gh',
          tool: 'search',
          arguments: {},
          status: 'failed',
        },
      },
      { type: 'item.completed', item: { id: 'w1', type: 'web_search', query: 'q' } },
      { type: 'item.updated', item: todo(3) },
      { type: 'item.completed', item: { id: 'a1', item_type: 'assistant_message', text: 'Done.' } },
      {
        type: 'turn.completed',
        usage: { input_tokens: 1_000_000, cached_input_tokens: 400_000, output_tokens: 100_000 },
      },
    ]);
    expect(ofKind(events, 'task.progress').map((e) => e.percent)).toEqual([25, 75]);
    expect(ofKind(events, 'task.tool_call').map((e) => [e.tool, e.status])).toEqual([
      ['shell', 'started'],
      ['shell', 'failed'],
      ['apply_patch', 'succeeded'],
      ['gh.search', 'failed'],
      ['web_search', 'succeeded'],
    ]);
    expect(parser.outcome()).toMatchObject({
      sessionId: 'th-1',
      result: 'Done.',
      artifacts: ['a.rs'],
      usage: { inputTokens: 600_000, cachedInputTokens: 400_000, outputTokens: 100_000 },
    });
    // 0.6M × $1 + 0.4M × $0.1 + 0.1M × $10
    expect(parser.outcome().costUsd).toBeCloseTo(0.6 + 0.04 + 1, 10);
  });

  it('should fail on turn.failed and keep unknown events and items as logs', () => {
    const parser = createCodexStreamParser();
    const events = feed(parser, [
      { type: 'session.configured' },
      { type: 'item.completed', item: { id: 'x', type: 'collab_tool_call' } },
      { type: 'turn.failed', error: { message: 'stream disconnected' } },
    ]);
    expect(events.map((e) => e.kind)).toEqual(['task.log', 'task.log', 'task.log']);
    expect(parser.outcome().error).toEqual({ code: 'turn_failed', message: 'stream disconnected' });
    expect(parser.outcome().costUsd).toBeUndefined();
  });
});
