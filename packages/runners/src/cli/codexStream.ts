import type { ProgressInput } from '@troupe/core';
import type { Usage } from '../types.js';
import { costOf, DEFAULT_CODEX_PRICES, type ModelPrice, priceOf } from './prices.js';
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

/** Options of {@link createCodexStreamParser}. */
export interface CodexParserOptions {
  /** The model Codex runs (for the price; Codex's JSON output does not name it). */
  model?: string;
  /** USD per 1M tokens by model (default {@link DEFAULT_CODEX_PRICES}). */
  prices?: Readonly<Record<string, ModelPrice>>;
}

/** Item types of early `--experimental-json` builds, by their current names. */
const ITEM_ALIASES: Readonly<Record<string, string>> = { assistant_message: 'agent_message' };

/**
 * Parser of `codex exec --json` (codex-rs/exec/src/exec_events.rs in openai/codex):
 * `thread.started {thread_id}`, `turn.started`, `turn.completed {usage {input_tokens,
 * cached_input_tokens, output_tokens}}`, `turn.failed {error}`, `item.started|updated|completed
 * {item}` with items `agent_message`, `reasoning`, `command_execution`, `file_change`,
 * `mcp_tool_call`, `web_search`, `todo_list` (→ real percent progress), `error`; and `error`.
 * Cost comes from the usage and a price table.
 */
export function createCodexStreamParser(options: CodexParserOptions = {}): StreamParser {
  return new CodexStream(options);
}

class CodexStream implements StreamParser {
  readonly #o: ParsedOutcome = { artifacts: [], finished: false };
  readonly #artifacts = new ArtifactSet();
  readonly #price: ModelPrice | undefined;

  constructor(options: CodexParserOptions) {
    if (options.model) {
      this.#o.model = options.model;
      this.#price = priceOf(options.model, options.prices ?? DEFAULT_CODEX_PRICES);
    }
  }

  parse(line: string): ProgressInput[] {
    const event = jsonObject(line);
    if (!event) return plainLine(line, 'codex');
    const type = str(event.type) ?? '';
    switch (type) {
      case 'thread.started': {
        const id = str(event.thread_id);
        if (id) this.#o.sessionId = id;
        return [{ kind: 'task.log', level: 'info', message: `codex: thread ${id ?? '?'}` }];
      }
      case 'turn.started':
        return [{ kind: 'task.log', level: 'debug', message: 'codex: turn started' }];
      case 'turn.completed':
        return this.#turnCompleted(record(event.usage) ?? {});
      case 'turn.failed':
      case 'error':
        return this.#failed(type, str(record(event.error)?.message) ?? str(event.message) ?? type);
      case 'item.started':
      case 'item.updated':
      case 'item.completed':
        return this.#item(type.slice(5), record(event.item) ?? {}, line);
      default:
        return [unknownEvent(type, line, 'codex')];
    }
  }

  outcome(): ParsedOutcome {
    return { ...this.#o, artifacts: this.#artifacts.list() };
  }

  #turnCompleted(usage: Obj): ProgressInput[] {
    const o = this.#o;
    o.finished = true;
    const cached = count(usage.cached_input_tokens);
    const input = count(usage.input_tokens);
    const output = count(usage.output_tokens);
    const before: Usage = o.usage ?? { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
    o.usage = {
      inputTokens: before.inputTokens + Math.max(0, input - cached),
      outputTokens: before.outputTokens + output,
      cachedInputTokens: (before.cachedInputTokens ?? 0) + cached,
    };
    if (this.#price) o.costUsd = costOf(o.usage, this.#price);
    const tokens: ProgressInput = { kind: 'task.tokens', input: Math.max(0, input - cached), output };
    if (o.model) tokens.model = o.model;
    return [tokens];
  }

  #failed(type: string, message: string): ProgressInput[] {
    this.#o.error = { code: type === 'error' ? 'error' : 'turn_failed', message };
    return [{ kind: 'task.log', level: 'error', message: clip(`codex: ${message}`) }];
  }

  #item(phase: string, item: Obj, line: string): ProgressInput[] {
    const raw = str(item.type) ?? str(item.item_type) ?? '';
    const type = ITEM_ALIASES[raw] ?? raw;
    const id = str(item.id);
    const call = (tool: string, args?: unknown): ProgressInput => {
      const bad = item.status === 'failed' || item.status === 'declined';
      const status =
        bad || (typeof item.exit_code === 'number' && item.exit_code !== 0) ? 'failed' : 'succeeded';
      const event: ProgressInput = {
        kind: 'task.tool_call',
        tool,
        status: phase === 'completed' ? status : 'started',
      };
      if (id) event.callId = id;
      if (args !== undefined) event.args = args;
      return event;
    };
    switch (type) {
      case 'agent_message': {
        if (phase !== 'completed') return [];
        const text = str(item.text) ?? '';
        this.#o.result = text;
        return text.trim() === '' ? [] : [{ kind: 'task.log', level: 'info', message: clip(text) }];
      }
      case 'reasoning':
        return phase === 'completed'
          ? [{ kind: 'task.log', level: 'debug', message: clip(`reasoning: ${str(item.text) ?? ''}`) }]
          : [];
      case 'command_execution': {
        return phase === 'updated' ? [] : [call('shell', { command: item.command })];
      }
      case 'file_change':
        return this.#fileChange(phase, item, call);
      case 'mcp_tool_call':
        return phase === 'updated'
          ? []
          : [call(`${str(item.server) ?? 'mcp'}.${str(item.tool) ?? 'tool'}`, item.arguments)];
      case 'web_search':
        return phase === 'updated' ? [] : [call('web_search', { query: item.query })];
      case 'todo_list': {
        const items = list(item.items).map((t) => {
          const todo = record(t) ?? {};
          return { text: str(todo.text) ?? '', done: todo.completed === true };
        });
        const progress = todoProgress(items);
        return progress ? [progress] : [];
      }
      case 'error':
        return [{ kind: 'task.log', level: 'warn', message: clip(`codex: ${str(item.message) ?? 'error'}`) }];
      default:
        return [unknownEvent(`item ${raw}`, line, 'codex')];
    }
  }

  #fileChange(
    phase: string,
    item: Obj,
    call: (tool: string, args?: unknown) => ProgressInput,
  ): ProgressInput[] {
    const changes = list(item.changes).map((c) => record(c) ?? {});
    const out: ProgressInput[] = [call('apply_patch', { changes })];
    if (phase === 'completed' && item.status !== 'failed') {
      for (const change of changes) {
        const artifact = this.#artifacts.add(str(change.path) ?? '');
        if (artifact) out.push(artifact);
      }
    }
    return out;
  }
}
