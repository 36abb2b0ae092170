import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Dispatcher } from '@troupe/nats';
import { FaultWork } from './faultJob.js';

/** Results being awaited: how many arrived so far, and all of them. */
export interface Collected {
  done(): number;
  all: Promise<unknown[]>;
}

/** Dispatches `count` tasks numbered from `from` (taking `ms` each, if given), resolving to their ids in order. */
export function dispatchJobs(
  dispatcher: Dispatcher,
  count: number,
  from = 0,
  ms?: number,
): Promise<string[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      dispatcher.dispatch(
        {
          to: { type: 'fault.job' },
          message: FaultWork.create(ms === undefined ? { n: from + i } : { n: from + i, ms }),
        },
        { timeout: 60_000 },
      ),
    ),
  );
}

/** Waits for every task's result, counting arrivals as they come. */
export function collect(dispatcher: Dispatcher, ids: string[], timeout = 90_000): Collected {
  let done = 0;
  const all = Promise.all(
    ids.map(async (id) => {
      const value = await dispatcher.result(id, { timeout });
      done++;
      return value;
    }),
  );
  // Observed by the caller later; without this an early rejection would be reported as unhandled.
  all.catch(() => {});
  return { done: () => done, all };
}

/** Stream sequence facts about a KV bucket: with history 1, `lastSeq === keys` means no key was written twice. */
export async function bucketWrites(
  nc: NatsConnection,
  bucket: string,
): Promise<{ messages: number; lastSeq: number }> {
  const info = await (await jetstreamManager(nc)).streams.info(`KV_${bucket}`);
  return { messages: info.state.messages, lastSeq: info.state.last_seq };
}

/** Messages left in a stream. */
export async function streamMessages(nc: NatsConnection, stream: string): Promise<number> {
  return (await (await jetstreamManager(nc)).streams.info(stream)).state.messages;
}
