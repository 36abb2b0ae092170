import { type AgentDef, createRuntime, type Logger, type Runtime, type Store } from '@troupe/core';
import { loadAgents } from './loadAgents.js';
import { connectNats, type NatsTransport, type NatsTransportOptions } from './NatsTransport.js';

/** Options of {@link startWorker}: how to reach NATS (`connection` or `nc`, see {@link NatsTransportOptions}) and what to host. */
export interface WorkerOptions extends NatsTransportOptions {
  /** The namespace to serve in (default `default`). */
  namespace?: string;
  /** Agent definitions, or the path of a module exporting them (see {@link loadAgents}). */
  agents: readonly AgentDef[] | string;
  /** Instances per type serving un-keyed messages: one number for all, or by type (default 1). */
  instances?: number | Readonly<Record<string, number>>;
  /** Persistence for passivated agent state. */
  store?: Store;
  /** How long `close()` waits for in-flight work, ms (default 10 000). */
  closeTimeout?: number;
  /** Where the runtime logs. */
  logger?: Logger;
}

/** A running worker: its runtime and transport; `close()` drains both. */
export interface Worker extends AsyncDisposable {
  readonly runtime: Runtime;
  readonly transport: NatsTransport;
  /** The agent types it serves. */
  readonly types: readonly string[];
  /** Stops serving, drains in-flight work and disconnects. Idempotent. */
  close(): Promise<void>;
}

/**
 * Connects to NATS and hosts agents there, so any runtime on the same
 * servers and namespace can ask them.
 * @example
 * await using worker = await startWorker({ connection: { servers: 'nats://127.0.0.1:4222' }, namespace: 'demo', agents: [Echo] });
 */
export async function startWorker(options: WorkerOptions): Promise<Worker> {
  const { namespace, agents, instances, store, closeTimeout, logger, ...transportOptions } = options;
  const defs = typeof agents === 'string' ? await loadAgents(agents) : [...agents];
  const transport = await connectNats({
    ...transportOptions,
    ...(closeTimeout === undefined ? {} : { closeTimeout }),
    ...(logger === undefined ? {} : { logger }),
  });
  const runtime = createRuntime({
    transport,
    namespace: namespace ?? 'default',
    ...(store === undefined ? {} : { store }),
    ...(closeTimeout === undefined ? {} : { closeTimeout }),
    ...(logger === undefined ? {} : { logger }),
  });
  try {
    for (const def of defs) {
      const count = typeof instances === 'number' ? instances : instances?.[def.type];
      await runtime.register(def, count === undefined ? {} : { instances: count });
    }
  } catch (err) {
    await runtime.close();
    throw err;
  }
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= runtime.close();
    return closing;
  };
  return {
    runtime,
    transport,
    types: defs.map((d) => d.type),
    close,
    [Symbol.asyncDispose]: close,
  };
}
