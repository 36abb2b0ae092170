import type { ProgressInput } from '@troupe/core';
import {
  ArtifactSet,
  clip,
  count,
  jsonObject,
  list,
  type ParsedOutcome,
  plainLine,
  record,
  type StreamParser,
  str,
  todoProgress,
  unknownEvent,
} from './StreamParser.js';

type Obj = Record<string, unknown>;

/** Gemini CLI tools that write a file, with the parameter holding its path. */
const FILE_TOOLS: Readonly<Record<string, string>> = { write_file: 'file_path', replace: 'file_path' };
const TODO_TOOL = 'write_todos';

/**
 * Parser of Gemini CLI's `--output-format stream-json` (packages/core/src/output/types.ts in
 * google-gemini/gemini-cli): `init {session_id, model}`, `message {role, content, delta?}`,
 * `tool_use {tool_name, tool_id, parameters}`, `tool_result {tool_id, status, output?, error?}`,
 * `error {severity, message}`, `result {status, error?, stats {total_tokens, input_tokens,
 * output_tokens, duration_ms, tool_calls}}`. Streamed assistant deltas are joined into the result.
 */
export function createGeminiStreamParser(): StreamParser {
  return new GeminiStream();
}

class GeminiStream implements StreamParser {
  readonly #o: ParsedOutcome = { artifacts: [], finished: false };
  readonly #artifacts = new ArtifactSet();
  readonly #tools = new Map<string, string>();
  readonly #files = new Map<string, string>();
  #text = '';

  parse(line: string): ProgressInput[] {
    const event = jsonObject(line);
    if (!event) return plainLine(line, 'gemini');
    const type = str(event.type) ?? '';
    switch (type) {
      case 'init':
        return this.#init(event);
      case 'message':
        return this.#message(event);
      case 'tool_use':
        return this.#toolUse(event);
      case 'tool_result':
        return this.#toolResult(event);
      case 'error': {
        const level = str(event.severity) === 'warning' ? 'warn' : 'error';
        return [{ kind: 'task.log', level, message: clip(`gemini: ${str(event.message) ?? 'error'}`) }];
      }
      case 'result':
        return this.#result(event);
      default:
        return [unknownEvent(type, line, 'gemini')];
    }
  }

  outcome(): ParsedOutcome {
    const o = { ...this.#o, artifacts: this.#artifacts.list() };
    if (o.result === undefined && this.#text !== '' && !o.error) o.result = this.#text;
    return o;
  }

  #init(event: Obj): ProgressInput[] {
    const sessionId = str(event.session_id);
    const model = str(event.model);
    if (sessionId) this.#o.sessionId = sessionId;
    if (model) this.#o.model = model;
    return [
      {
        kind: 'task.log',
        level: 'info',
        message: `gemini: session ${sessionId ?? '?'}, model ${model ?? '?'}`,
      },
    ];
  }

  #message(event: Obj): ProgressInput[] {
    if (str(event.role) !== 'assistant') return [];
    const content = str(event.content) ?? '';
    if (event.delta === true) {
      this.#text += content;
      return [];
    }
    this.#text = content;
    return content.trim() === '' ? [] : [{ kind: 'task.log', level: 'info', message: clip(content) }];
  }

  #toolUse(event: Obj): ProgressInput[] {
    const tool = str(event.tool_name) ?? 'tool';
    const callId = str(event.tool_id);
    const params = record(event.parameters) ?? {};
    const call: ProgressInput = { kind: 'task.tool_call', tool, status: 'started', args: event.parameters };
    if (callId) {
      call.callId = callId;
      this.#tools.set(callId, tool);
      const field = FILE_TOOLS[tool];
      const path = field === undefined ? undefined : str(params[field]);
      if (path !== undefined) this.#files.set(callId, path);
    }
    const out: ProgressInput[] = [call];
    if (tool === TODO_TOOL) {
      const items = list(params.todos).map((t) => {
        const todo = record(t) ?? {};
        const status = str(todo.status);
        return {
          text: str(todo.description) ?? '',
          done: status === 'completed',
          active: status === 'in_progress',
        };
      });
      const progress = todoProgress(items);
      if (progress) out.push(progress);
    }
    return out;
  }

  #toolResult(event: Obj): ProgressInput[] {
    const callId = str(event.tool_id) ?? '';
    const failed = str(event.status) !== 'success';
    const out: ProgressInput[] = [
      {
        kind: 'task.tool_call',
        tool: this.#tools.get(callId) ?? 'tool',
        callId,
        status: failed ? 'failed' : 'succeeded',
      },
    ];
    const file = this.#files.get(callId);
    const artifact = file !== undefined && !failed ? this.#artifacts.add(file) : undefined;
    if (artifact) out.push(artifact);
    if (failed) {
      const message = str(record(event.error)?.message) ?? 'tool failed';
      out.push({ kind: 'task.log', level: 'warn', message: clip(`gemini: ${message}`) });
    }
    return out;
  }

  #result(event: Obj): ProgressInput[] {
    const o = this.#o;
    o.finished = true;
    const out: ProgressInput[] = [];
    const stats = record(event.stats);
    if (stats) {
      const usage = { inputTokens: count(stats.input_tokens), outputTokens: count(stats.output_tokens) };
      o.usage = stats.cached === undefined ? usage : { ...usage, cachedInputTokens: count(stats.cached) };
      const tokens: ProgressInput = {
        kind: 'task.tokens',
        input: usage.inputTokens,
        output: usage.outputTokens,
      };
      if (o.model) tokens.model = o.model;
      out.push(tokens);
    }
    if (str(event.status) !== 'success') {
      const error = record(event.error);
      o.error = {
        code: str(error?.type) ?? 'error',
        message: str(error?.message) ?? 'gemini reported an error',
      };
    }
    const summary = o.error ? `gemini: failed (${o.error.code}): ${o.error.message}` : 'gemini: done';
    out.push({ kind: 'task.log', level: o.error ? 'error' : 'info', message: clip(summary) });
    return out;
  }
}
