import type { NatsKvStore } from '../store/NatsKvStore.js';
import type { TaskResult } from './taskRecord.js';

/**
 * Every result in the bucket (current values first, then new ones as they are recorded),
 * optionally only those of one run; ends when `signal` aborts.
 */
export async function* resultsIterator(
  store: NatsKvStore,
  options: { runId?: string; signal?: AbortSignal },
): AsyncGenerator<TaskResult> {
  const watch = await store.watch({
    existing: true,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  try {
    for await (const change of watch) {
      if (change.operation !== 'put') continue;
      const result = await change.value<TaskResult>();
      if (result === undefined) continue;
      if (options.runId !== undefined && result.runId !== options.runId) continue;
      yield result;
    }
  } finally {
    watch.stop();
  }
}
