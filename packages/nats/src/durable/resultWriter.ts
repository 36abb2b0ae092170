import type { NatsConnection } from '@nats-io/transport-node';
import { ValidationError } from '@troupe/core';
import { encodeKey } from '../store/kvKeys.js';
import { toJsonBytes } from '../store/kvValues.js';
import { isWrongLastSequence, largeValueThreshold, type NatsKvStore } from '../store/NatsKvStore.js';
import type { JetStreamPublisher } from './jsPublisher.js';
import type { TaskResult } from './taskRecord.js';

/**
 * Records task results in the results bucket, once per task id. A result is published straight
 * to the bucket's KV subject (`$KV.<bucket>.<key>`) with `Nats-Expected-Last-Subject-Sequence: 0`,
 * the very message `kv.create` writes (same key mapping, same JSON), so the bucket reads the same
 * through `NatsKvStore`, `kv.get` or a watch; but its ack is pipelined with the other results'
 * instead of being a request of its own. Large results, and a key the server says is taken (it
 * may only hold a delete marker), go through {@link NatsKvStore.setIfAbsent}, which handles both.
 */
export class ResultWriter {
  readonly #store: NatsKvStore;
  readonly #publisher: JetStreamPublisher;
  readonly #threshold: number;

  constructor(options: { store: NatsKvStore; publisher: JetStreamPublisher; nc: NatsConnection }) {
    this.#store = options.store;
    this.#publisher = options.publisher;
    this.#threshold = largeValueThreshold(options.nc);
  }

  /**
   * Stores `result` under its task id unless one is already there; true when this call stored it.
   * @throws ValidationError when the result is not JSON-serializable (a BigInt, say): retrying
   *   cannot help. Else the publish's error (server unreachable, timeout) or the store's
   *   `TransportError`.
   */
  async recordOnce(result: TaskResult): Promise<boolean> {
    let json: Uint8Array;
    try {
      json = toJsonBytes(result);
    } catch (err) {
      throw new ValidationError(
        `the result of task '${result.taskId}' is not JSON-serializable: ${(err as Error).message}`,
        { issues: [{ path: 'value', message: 'not JSON-serializable' }], cause: err },
      );
    }
    if (json.length > this.#threshold) return await this.#store.setIfAbsent(result.taskId, result);
    const subject = `$KV.${this.#store.bucket}.${encodeKey(result.taskId)}`;
    try {
      await this.#publisher.publish(subject, json, { expectLastSubjectSequence: 0 });
      return true;
    } catch (err) {
      if (!isWrongLastSequence(err)) throw err;
      return await this.#store.setIfAbsent(result.taskId, result);
    }
  }
}
