import { type ProgressInput, ValidationError } from '@troupe/core';
import { SessionLostError } from '../errors.js';
import { errorInfo, SessionCore } from '../internal/SessionCore.js';
import type { FinalStatus, RunnerResult, StartOptions } from '../types.js';
import { type GatewayApi, GatewayEventSchema, type GatewaySession } from './gatewayApi.js';

const FINAL = new Set(['completed', 'failed', 'cancelled', 'timed_out']);

/** A session running on a gateway, followed by polling (internal to the gateway runner). */
export class GatewayRemoteSession extends SessionCore {
  /** The last event sequence number seen. */
  cursor = 0;
  readonly #api: GatewayApi;
  readonly #onEnd: () => void;
  #misses = 0;

  constructor(id: string, api: GatewayApi, options: StartOptions, onEnd: () => void) {
    super(id);
    this.#api = api;
    this.#onEnd = onEnd;
    this.begin(options);
  }

  /** One poll's view of the session (undefined: the gateway did not list it). */
  update(remote: GatewaySession | undefined): void {
    if (this.result) return;
    if (remote === undefined) {
      // A session the gateway forgot twice in a row is gone.
      if (++this.#misses >= 2)
        this.#end({ exitCode: null, status: 'failed', error: errorInfo(lost(this.id)) });
      return;
    }
    this.#misses = 0;
    for (const raw of remote.events) {
      const event = GatewayEventSchema.safeParse(raw);
      if (!event.success) {
        this.emit({
          kind: 'task.log',
          level: 'debug',
          message: `gateway: unknown event ${JSON.stringify(raw).slice(0, 300)}`,
        });
        continue;
      }
      this.cursor = Math.max(this.cursor, event.data.seq);
      this.emit(toProgress(event.data));
      if (event.data.type === 'log') this.line({ stream: 'gateway', text: event.data.message });
    }
    if (FINAL.has(remote.status)) this.#end(ending(remote));
  }

  protected override async terminate(): Promise<void> {
    await this.#api.action(this.id, 'cancel', {});
    this.#end({ exitCode: null });
  }

  protected override doSend(text: string): Promise<void> {
    return this.#api.action(this.id, 'send', { text });
  }

  protected override doKey(name: string): Promise<void> {
    return Promise.reject(new ValidationError(`gateway sessions take no keys ('${name}'); use send()`));
  }

  protected override doPause(): Promise<void> {
    return this.#api.action(this.id, 'pause');
  }

  protected override doResume(): Promise<void> {
    return this.#api.action(this.id, 'resume');
  }

  #end(
    result: Omit<RunnerResult, 'artifacts' | 'status'> & { status?: FinalStatus; artifacts?: string[] },
  ): void {
    this.#onEnd();
    this.finish(result);
  }
}

function lost(id: string): SessionLostError {
  return new SessionLostError(`gateway session ${id} is no longer listed`);
}

function ending(remote: GatewaySession): Omit<RunnerResult, 'durationMs'> {
  const result: Omit<RunnerResult, 'durationMs'> = {
    status: remote.status as FinalStatus,
    exitCode: null,
    artifacts: remote.artifacts ?? [],
  };
  if (remote.result !== undefined) result.result = remote.result;
  if (remote.error)
    result.error = { code: remote.error.code ?? remote.status, message: remote.error.message };
  if (remote.usage)
    result.usage = { inputTokens: remote.usage.input_tokens, outputTokens: remote.usage.output_tokens };
  if (remote.cost_usd !== undefined) result.costUsd = remote.cost_usd;
  if (remote.session_id !== undefined) result.sessionId = remote.session_id;
  return result;
}

function toProgress(event: ReturnType<typeof GatewayEventSchema.parse>): ProgressInput {
  switch (event.type) {
    case 'log':
      return { kind: 'task.log', level: event.level ?? 'info', message: event.message };
    case 'tool': {
      const call: ProgressInput = { kind: 'task.tool_call', tool: event.tool, status: event.status };
      if (event.call_id !== undefined) call.callId = event.call_id;
      return call;
    }
    case 'progress': {
      const progress: ProgressInput = { kind: 'task.progress' };
      if (event.percent !== undefined) progress.percent = event.percent;
      if (event.step !== undefined) progress.step = event.step;
      return progress;
    }
    case 'tokens':
      return { kind: 'task.tokens', input: event.input, output: event.output };
    case 'artifact':
      return { kind: 'task.artifact', name: event.path, uri: event.path };
  }
}
