/** What a durable worker has done so far. */
export interface WorkerCounters {
  /** Asks made to local agents (including failed ones). */
  executed: number;
  /** Results this worker recorded. */
  recorded: number;
  /** Deliveries whose result already existed (or lost the recording race): acked, not recorded. */
  duplicates: number;
  /** Retryable failures handed back for redelivery. */
  retried: number;
  /** Tasks sent to the dead-letter subject. */
  deadLettered: number;
  /** In-flight tasks left for redelivery at shutdown. */
  abandoned: number;
}

/** A snapshot of a worker's counters plus what is running now. */
export interface DurableWorkerStats extends WorkerCounters {
  /** Tasks running now. */
  inFlight: number;
}

/** Fresh counters, all zero. */
export function newCounters(): WorkerCounters {
  return { executed: 0, recorded: 0, duplicates: 0, retried: 0, deadLettered: 0, abandoned: 0 };
}
