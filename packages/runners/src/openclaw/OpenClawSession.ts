import { newId, type Store, TimeoutError, TransportError, ValidationError } from '@troupe/core';
import { clip, list, record, str } from '../cli/StreamParser.js';
import { ended, type SessionRecord, writeRecord } from '../internal/records.js';
import { errorInfo, SessionCore } from '../internal/SessionCore.js';
import type { RunnerResult, StartOptions } from '../types.js';
import {
  type EventFrame,
  SendReplySchema,
  SessionMessageSchema,
  SessionToolSchema,
  WaitReplySchema,
} from './frames.js';
import type { OpenClawClient } from './OpenClawClient.js';

/** How an OpenClaw session is wired (internal to the OpenClaw runner). */
export interface OpenClawWiring {
  client: OpenClawClient;
  record: SessionRecord & { extra: { key: string; runId: string } };
  store: Store | undefined;
  /** Ms one `agent.wait` asks the gateway to wait. */
  waitSliceMs: number;
  onEnd: () => void;
}

/**
 * One OpenClaw session and its current run: `session.message` and `session.tool` events become
 * progress, `agent.wait` (in slices, again after a reconnect) decides the end, `sessions.abort`
 * cancels. The gateway protocol has no pause and no keys.
 */
export class OpenClawSession extends SessionCore {
  readonly #w: OpenClawWiring;
  readonly #key: string;
  readonly #off: () => void;
  #runId: string;
  #lastText: string | undefined;
  #following = true;

  constructor(w: OpenClawWiring, options: StartOptions) {
    super(w.record.id);
    this.#w = w;
    this.#key = w.record.extra.key;
    this.#runId = w.record.extra.runId;
    this.#off = w.client.onEvent((frame) => this.#event(frame));
    this.begin(options);
  }

  /** Starts following run `runId` until it ends. */
  follow(runId: string): void {
    this.#runId = runId;
    this.#w.record.extra.runId = runId;
    void this.#waitLoop();
  }

  protected override async terminate(): Promise<void> {
    await this.#w.client.request('sessions.abort', { key: this.#key, runId: this.#runId });
    this.#end({ exitCode: null });
  }

  protected override async doSend(text: string): Promise<void> {
    const reply = SendReplySchema.parse(
      await this.#w.client.request('sessions.send', {
        key: this.#key,
        message: text,
        idempotencyKey: newId(),
      }),
    );
    this.#runId = reply.runId;
  }

  protected override doKey(name: string): Promise<void> {
    return Promise.reject(new ValidationError(`OpenClaw sessions take no keys ('${name}'); use send()`));
  }

  protected override doPause(): Promise<void> {
    return Promise.reject(new ValidationError('the OpenClaw gateway protocol has no pause'));
  }

  protected override doResume(): Promise<void> {
    return this.doPause();
  }

  protected override persist(result: RunnerResult): Promise<void> {
    return writeRecord(this.#w.store, ended(this.#w.record, result));
  }

  protected override onDetach(): void {
    this.#following = false;
    this.#off();
    this.#w.client.forget(this.#key);
  }

  async #waitLoop(): Promise<void> {
    const client = this.#w.client;
    const slice = this.#w.waitSliceMs;
    while (!this.result && this.#following) {
      const runId = this.#runId;
      try {
        const reply = WaitReplySchema.parse(
          await client.request('agent.wait', { runId, timeoutMs: slice }, slice + 15_000),
        );
        if (this.result || reply.status === 'timeout' || runId !== this.#runId) continue;
        if (reply.status === 'ok') this.#end({ exitCode: null, status: 'completed' });
        else this.#end({ exitCode: null, status: 'failed', error: runError(reply.error, reply.status) });
      } catch (err) {
        // A dropped connection (or a lost reply) is retried: the next request reconnects and re-subscribes.
        if (this.result || !this.#following || this.stopping) return;
        if (err instanceof TransportError || err instanceof TimeoutError) {
          if (err instanceof TransportError && /cannot reach/.test(err.message)) {
            this.#end({ exitCode: null, status: 'failed', error: errorInfo(err) });
          }
          continue;
        }
        this.#end({ exitCode: null, status: 'failed', error: errorInfo(err as Error) });
      }
    }
  }

  #end(ending: Parameters<SessionCore['finish']>[0]): void {
    if (this.result) return;
    this.#off();
    this.#w.client.forget(this.#key);
    this.#w.onEnd();
    const final = { ...ending, sessionId: this.#key };
    if (this.#lastText !== undefined && ending.status === 'completed') final.result = this.#lastText;
    this.finish(final);
  }

  #event(frame: EventFrame): void {
    const payload = record(frame.payload);
    if (str(payload?.sessionKey) !== this.#key) return;
    if (frame.event === 'session.message') {
      const parsed = SessionMessageSchema.safeParse(payload);
      const message = parsed.success ? parsed.data.message : {};
      const text = textOf(message.content);
      if (message.role !== 'assistant' || text === '') return;
      this.#lastText = text;
      this.line({ stream: 'gateway', text });
      this.emit({ kind: 'task.log', level: 'info', message: clip(text) });
    } else if (frame.event === 'session.tool') {
      const parsed = SessionToolSchema.safeParse(payload);
      if (!parsed.success) return;
      const data = parsed.data.data;
      const phase = data.phase;
      if (phase !== 'start' && phase !== 'result') return;
      const status = phase === 'start' ? 'started' : data.isError ? 'failed' : 'succeeded';
      const call: Parameters<SessionCore['emit']>[0] = {
        kind: 'task.tool_call',
        tool: data.name ?? 'tool',
        status,
      };
      if (data.toolCallId !== undefined) call.callId = data.toolCallId;
      if (phase === 'start' && data.args !== undefined) call.args = data.args;
      this.emit(call);
    } else {
      this.emit({ kind: 'task.log', level: 'debug', message: clip(`openclaw: event ${frame.event}`, 200) });
    }
  }
}

/** Text of a transcript message's content: a string, or the `text` blocks joined. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  return list(content)
    .map((block) => (str(record(block)?.type) === 'text' ? (str(record(block)?.text) ?? '') : ''))
    .join('');
}

function runError(error: unknown, status: string): { code: string; message: string } {
  const shape = record(error);
  const message = str(shape?.message) ?? str(error) ?? `run ended with status ${status}`;
  return { code: str(shape?.code) ?? status, message };
}
