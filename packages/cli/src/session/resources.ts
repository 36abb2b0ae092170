import type { NatsConnection } from '@nats-io/transport-node';
import { type ChatModel, createModel } from '@troupe/agents';
import { createRuntime, FileStore, type Runtime, ValidationError } from '@troupe/core';
import { connectNats, type NatsTransport } from '@troupe/nats';
import { UsageError } from '../errors.js';
import type { RunPaths } from '../runs/layout.js';
import type { RunSettings } from './settings.js';

/** What a run needs open while it runs: its model, store, runtime and (with `--nats`) NATS connection. */
export interface RunResources extends AsyncDisposable {
  readonly model: ChatModel;
  readonly store: FileStore;
  readonly runtime: Runtime;
  /** The NATS connection, with `--nats`. */
  readonly nc: NatsConnection | undefined;
  close(): Promise<void>;
}

/** The model and the NATS transport: what can fail on the user's setup before anything touches the disk. */
export interface Connections {
  model: ChatModel;
  transport: NatsTransport | undefined;
}

/**
 * Creates the model (a named provider without its key throws `MissingApiKeyError`), then connects
 * to NATS with `--nats` (`TransportError` when the server cannot be reached).
 */
export async function openConnections(settings: RunSettings): Promise<Connections> {
  const model = modelOf(settings.model);
  const transport =
    settings.nats === undefined
      ? undefined
      : await connectNats({ connection: { servers: settings.nats.split(',') } });
  return { model, transport };
}

/** The model of `--model` (else `TROUPE_MODEL`); a spec that names no model or an unknown provider is a usage error (exit 2). */
function modelOf(spec: string | undefined): ChatModel {
  try {
    return createModel(spec);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    const from = spec === undefined ? 'TROUPE_MODEL' : '--model';
    throw new UsageError(`${from}: ${err.message}`, { cause: err });
  }
}

/** Opens the run's FileStore and a runtime on the connections; `close()` drains the runtime, then closes the store. */
export async function openResources(
  settings: RunSettings,
  paths: RunPaths,
  connections: Connections,
): Promise<RunResources> {
  const { model, transport } = connections;
  let store: FileStore;
  try {
    store = await FileStore.open({ dir: paths.store });
  } catch (err) {
    await transport?.close();
    throw err;
  }
  const runtime = createRuntime({
    namespace: settings.namespace,
    store,
    ...(transport === undefined ? {} : { transport }),
  });
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await runtime.close();
      await store.close();
    })();
    return closing;
  };
  return { model, store, runtime, nc: transport?.connection, close, [Symbol.asyncDispose]: close };
}
