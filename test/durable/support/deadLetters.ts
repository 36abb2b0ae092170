import type { NatsConnection } from '@nats-io/transport-node';
import type { DeadLetter } from '@troupe/nats';

/** Collects every dead letter of `namespace` as it is published, until `stop()`. */
export function watchDeadLetters(
  nc: NatsConnection,
  namespace: string,
): { letters: DeadLetter[]; stop(): void } {
  const letters: DeadLetter[] = [];
  const sub = nc.subscribe(`troupe.${namespace}.tasks.dead`, {
    callback: (_err, msg) => {
      letters.push(msg.json<DeadLetter>());
    },
  });
  return { letters, stop: () => sub.unsubscribe() };
}
