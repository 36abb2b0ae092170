import type { ProgressInput } from '@troupe/core';
import type { Usage } from '../types.js';
import { CLAUDE_DIALECT, type ClaudeDialect } from './claudeDialects.js';
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

/**
 * Parser of Claude Code's stream-json output (and Qwen Code's, through {@link QWEN_DIALECT}):
 * `system`/`init` (session id, model, tools, cwd), `assistant` (an Anthropic message: `text`,
 * `thinking`, `tool_use` blocks), `user` (`tool_result` blocks), `stream_event` (partial deltas,
 * skipped: the whole message follows), `result` (subtype, `is_error`, `result`, `total_cost_usd`,
 * `usage`, `session_id`, `permission_denials`). A `result` with `subtype: success` but
 * `is_error: true` is a failure. Tokens are counted once per assistant message id; the `result`
 * totals top them up, so the sum of `task.tokens` equals what the CLI reported.
 */
export function createClaudeStreamParser(dialect: ClaudeDialect = CLAUDE_DIALECT): StreamParser {
  return new ClaudeStream(dialect);
}

class ClaudeStream implements StreamParser {
  readonly #d: ClaudeDialect;
  readonly #o: ParsedOutcome = { artifacts: [], finished: false };
  readonly #artifacts = new ArtifactSet();
  readonly #tools = new Map<string, string>();
  readonly #files = new Map<string, string>();
  readonly #messages = new Set<string>();
  #input = 0;
  #output = 0;
  #lastText: string | undefined;

  constructor(dialect: ClaudeDialect) {
    this.#d = dialect;
  }

  parse(line: string): ProgressInput[] {
    const event = jsonObject(line);
    if (!event) return plainLine(line, this.#d.name);
    const type = str(event.type) ?? '';
    if (type === 'system') return this.#system(event);
    if (type === 'assistant') return this.#assistant(record(event.message) ?? {});
    if (type === 'user') return this.#user(record(event.message) ?? {});
    if (type === 'stream_event') return [];
    if (type === 'result') return this.#result(event);
    return [unknownEvent(type, line, this.#d.name)];
  }

  outcome(): ParsedOutcome {
    const o = { ...this.#o, artifacts: this.#artifacts.list() };
    if (o.result === undefined && this.#lastText !== undefined && !o.error) o.result = this.#lastText;
    return o;
  }

  #system(event: Obj): ProgressInput[] {
    const subtype = str(event.subtype) ?? '';
    if (subtype !== 'init')
      return [{ kind: 'task.log', level: 'debug', message: `${this.#d.name}: system ${subtype}` }];
    const sessionId = str(event.session_id);
    const model = str(event.model);
    if (sessionId) this.#o.sessionId = sessionId;
    if (model) this.#o.model = model;
    const version = str(event[this.#d.versionField]) ?? '?';
    const tools = list(event.tools).length;
    const message = `${this.#d.name} ${version}: session ${sessionId ?? '?'}, model ${model ?? '?'}, ${tools} tools, cwd ${str(event.cwd) ?? '?'}`;
    return [{ kind: 'task.log', level: 'info', message }];
  }

  #assistant(message: Obj): ProgressInput[] {
    const out: ProgressInput[] = [];
    for (const raw of list(message.content)) {
      const block = record(raw) ?? {};
      const type = str(block.type);
      if (type === 'text') {
        const text = str(block.text) ?? '';
        if (text.trim() !== '') {
          this.#lastText = text;
          out.push({ kind: 'task.log', level: 'info', message: clip(text) });
        }
      } else if (type === 'thinking') {
        out.push({
          kind: 'task.log',
          level: 'debug',
          message: clip(`thinking: ${str(block.thinking) ?? ''}`),
        });
      } else if (type === 'tool_use') {
        out.push(...this.#toolUse(block));
      }
    }
    const id = str(message.id);
    const usage = record(message.usage);
    if (usage && id && !this.#messages.has(id)) {
      this.#messages.add(id);
      out.push(this.#tokens(count(usage.input_tokens), count(usage.output_tokens), str(message.model)));
    }
    return out;
  }

  #toolUse(block: Obj): ProgressInput[] {
    const name = str(block.name) ?? 'tool';
    const callId = str(block.id);
    const input = record(block.input) ?? {};
    const out: ProgressInput[] = [];
    const call: ProgressInput = { kind: 'task.tool_call', tool: name, status: 'started', args: block.input };
    if (callId) {
      call.callId = callId;
      this.#tools.set(callId, name);
      const pathField = this.#d.fileTools[name]?.find((f) => typeof input[f] === 'string');
      if (pathField) this.#files.set(callId, input[pathField] as string);
    }
    out.push(call);
    if (this.#d.todoTools.has(name)) {
      const items = list(input.todos).map((t) => {
        const todo = record(t) ?? {};
        const status = str(todo.status);
        const text = str(todo.activeForm) ?? str(todo.content) ?? '';
        return { text, done: status === 'completed', active: status === 'in_progress' };
      });
      const progress = todoProgress(items);
      if (progress) out.push(progress);
    }
    return out;
  }

  #user(message: Obj): ProgressInput[] {
    const out: ProgressInput[] = [];
    for (const raw of list(message.content)) {
      const block = record(raw) ?? {};
      if (str(block.type) !== 'tool_result') continue;
      const callId = str(block.tool_use_id) ?? '';
      const failed = block.is_error === true;
      out.push({
        kind: 'task.tool_call',
        tool: this.#tools.get(callId) ?? 'tool',
        callId,
        status: failed ? 'failed' : 'succeeded',
      });
      const file = this.#files.get(callId);
      if (file !== undefined && !failed) {
        const artifact = this.#artifacts.add(file);
        if (artifact) out.push(artifact);
      }
    }
    return out;
  }

  #result(event: Obj): ProgressInput[] {
    const o = this.#o;
    o.finished = true;
    const subtype = str(event.subtype) ?? 'unknown';
    const sessionId = str(event.session_id);
    if (sessionId) o.sessionId = sessionId;
    if (typeof event.total_cost_usd === 'number') o.costUsd = event.total_cost_usd;
    const usage = record(event.usage);
    const out: ProgressInput[] = [];
    if (usage) {
      const total: Usage = {
        inputTokens: count(usage.input_tokens),
        outputTokens: count(usage.output_tokens),
      };
      if (usage.cache_read_input_tokens !== undefined)
        total.cachedInputTokens = count(usage.cache_read_input_tokens);
      if (usage.cache_creation_input_tokens !== undefined) {
        total.cacheCreationTokens = count(usage.cache_creation_input_tokens);
      }
      o.usage = total;
      const input = Math.max(0, total.inputTokens - this.#input);
      const output = Math.max(0, total.outputTokens - this.#output);
      if (input + output > 0) out.push(this.#tokens(input, output, o.model));
    }
    const failed = subtype !== 'success' || event.is_error === true;
    if (failed) {
      const code = subtype === 'success' ? 'is_error' : subtype;
      o.error = { code, message: this.#d.resultError(event) ?? subtype };
    } else {
      const text = str(event.result);
      if (text !== undefined) o.result = text;
    }
    const denials = list(event.permission_denials)
      .map((d) => str(record(d)?.tool_name))
      .filter((n): n is string => n !== undefined);
    if (denials.length > 0)
      out.push({ kind: 'task.log', level: 'warn', message: `permission denied: ${denials.join(', ')}` });
    const turns = count(event.num_turns);
    const cost = o.costUsd === undefined ? '' : `, $${o.costUsd.toFixed(4)}`;
    const summary = `${this.#d.name}: ${failed ? `failed (${o.error?.code})` : 'done'} after ${turns} turns${cost}`;
    out.push({ kind: 'task.log', level: failed ? 'error' : 'info', message: summary });
    return out;
  }

  #tokens(input: number, output: number, model: string | undefined): ProgressInput {
    this.#input += input;
    this.#output += output;
    const event: ProgressInput = { kind: 'task.tokens', input, output };
    if (model) event.model = model;
    return event;
  }
}
