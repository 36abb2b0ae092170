import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  initialProgress,
  type Logger,
  type ProgressEvent,
  ProgressEventSchema,
  reduceProgress,
  type TaskProgress,
} from '@troupe/core';
import { ensureProgressStream } from '@troupe/nats';
import type { RunRecord, RunRepository } from '@troupe/server';

const decoder = new TextDecoder();
/** Ms between record updates (progress, tokens) of a run being ingested. */
const UPDATE_MS = 500;

interface Ingested {
  /** Events of this run in the stream that the repository has already (skipped once). */
  skip: number;
  state: TaskProgress;
  updatedAt: number;
}

/**
 * Copies every run of a NATS namespace into `repository`, from the namespace's JetStream progress
 * stream (from its first message, then live): a record per run (created on its first event), its
 * events in stream order, its progress, and at `run.finished` its status and snapshot. A run the
 * repository already holds (a restart) skips as many of its events as are stored. So `troupe serve
 * --nats` lists and streams runs that `troupe run --nats` processes run anywhere in the namespace.
 */
export async function ingestNats(options: {
  nc: NatsConnection;
  namespace: string;
  repository: RunRepository;
  logger: Logger;
}): Promise<{ close(): Promise<void> }> {
  const { nc, namespace, repository: repo, logger } = options;
  const stream = await ensureProgressStream(await jetstreamManager(nc), namespace);
  const consumer = await jetstream(nc).consumers.get(stream, {
    filter_subjects: `troupe.${namespace}.progress.>`,
  });
  const runs = new Map<string, Ingested>();
  let chain: Promise<void> = Promise.resolve();

  const open = async (first: ProgressEvent): Promise<Ingested> => {
    const id = first.runId;
    const stored = await repo.getRun(id);
    let state = initialProgress({ taskId: id });
    let skip = 0;
    if (!stored) {
      const name = first.kind === 'run.started' ? (first.name ?? first.description) : undefined;
      await repo.createRun({
        id,
        goal: name ?? id,
        status: 'running',
        createdAt: first.ts,
        updatedAt: first.ts,
        progress: 0,
        costUsd: 0,
        tokens: { input: 0, output: 0 },
      });
    } else {
      for (let after = 0; ; ) {
        const page = await repo.events(id, { after, limit: 5000 });
        for (const e of page.events) state = reduceProgress(state, e.event);
        skip += page.events.length;
        if (page.nextAfter === undefined) break;
        after = page.nextAfter;
      }
    }
    const run = { skip, state, updatedAt: 0 };
    runs.set(id, run);
    return run;
  };

  const ingest = async (events: ProgressEvent[]): Promise<void> => {
    const fresh: ProgressEvent[] = [];
    let run: Ingested | undefined;
    for (const event of events) {
      run = runs.get(event.runId) ?? (await open(event));
      if (run.skip > 0) {
        run.skip--;
        continue;
      }
      run.state = reduceProgress(run.state, event);
      fresh.push(event);
    }
    const first = fresh[0];
    if (!run || !first) return;
    const id = first.runId;
    await repo.appendEvents(id, fresh);
    const finished = fresh.find((e) => e.kind === 'run.finished');
    const now = Date.now();
    if (!finished && now - run.updatedAt < UPDATE_MS) return;
    run.updatedAt = now;
    const { input, output } = run.state.executionDetails.tokensUsed;
    const patch: Partial<RunRecord> = {
      progress: run.state.overallProgress / 100,
      tokens: { input, output },
      updatedAt: now,
      status:
        run.state.status === 'paused' ? 'paused' : run.state.status === 'suspended' ? 'suspended' : 'running',
    };
    if (finished?.kind === 'run.finished') {
      patch.status =
        finished.status === 'completed'
          ? 'completed'
          : finished.status === 'cancelled'
            ? 'cancelled'
            : 'failed';
      if (finished.status === 'timed_out') patch.error = { code: 'TIMEOUT', message: 'the run timed out' };
      await repo.saveSnapshot(id, run.state);
    }
    await repo.updateRun(id, patch);
  };

  const messages = await consumer.consume({
    callback: (msg) => {
      let raw: unknown;
      try {
        raw = JSON.parse(decoder.decode(msg.data));
      } catch {
        logger.warn('skipped a progress message that is not JSON', { subject: msg.subject });
        return;
      }
      const events: ProgressEvent[] = [];
      for (const item of Array.isArray(raw) ? raw : [raw]) {
        const parsed = ProgressEventSchema.safeParse(item);
        if (parsed.success) events.push(parsed.data);
      }
      // One message holds events of one run (its subject); they are stored in stream order.
      chain = chain
        .then(() => ingest(events))
        .catch((err: unknown) =>
          logger.error('cannot store NATS progress', { subject: msg.subject, error: err }),
        );
    },
  });
  return {
    async close() {
      await messages.close();
      await chain;
      await consumer.delete().catch(() => undefined);
    },
  };
}
