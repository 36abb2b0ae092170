import {
  type AgentDef,
  defineAgent,
  defineMessage,
  type HandlerContext,
  MemoryStore,
  on,
  ProgressEventSchema,
  type Store,
  type TaskProgress,
  ValidationError,
} from '@troupe/core';
import { z } from 'zod';
import { PlanSchema } from '../planner/plan.js';
import type { EstimatePlan } from './estimate.js';
import { loadRunTrack, RunTrack, trackerKeys } from './trackerStore.js';

/** Hands a tracker a batch of one run's progress events, in the order they were seen. */
export const TrackEvents = defineMessage(
  'tracker.events',
  z.object({ runId: z.string().min(1), events: z.array(ProgressEventSchema) }),
);

/** Tells a tracker the run's plan, for its estimate; `taskIds` maps sub-task ids to progress task ids (default: the same). */
export const TrackPlan = defineMessage(
  'tracker.plan',
  z.object({
    runId: z.string().min(1),
    plan: PlanSchema,
    taskIds: z.record(z.string(), z.string()).optional(),
  }),
);

/** Asks a tracker for a run's `TaskProgress`. */
export const ProgressGet = defineMessage('progress.get', z.object({ runId: z.string().min(1) }));

/** Options of {@link trackerAgent}. */
export interface TrackerAgentOptions {
  /** Where snapshots and the event log go (default: a `MemoryStore` of this definition): a `FileStore` or `NatsKvStore` to outlive the process. */
  store?: Store;
  /** The agent type (default `tracker`). */
  type?: string;
  /** Stop idle instances after this long, ms; the next message reloads the run from the store. */
  passivateAfterMs?: number;
}

/** What a tracker answers. */
export type TrackerProtocol = {
  'tracker.events': { payload: ReturnType<typeof TrackEvents.parsePayload>; reply: { events: number } };
  'tracker.plan': { payload: ReturnType<typeof TrackPlan.parsePayload>; reply: { subtasks: number } };
  'progress.get': { payload: ReturnType<typeof ProgressGet.parsePayload>; reply: TaskProgress };
};

interface TrackerState {
  track?: RunTrack | undefined;
}

/**
 * The Tracker as an agent, one instance per run (`ref({ type: 'tracker',
 * key: runId })`): `tracker.events` folds a run's events into its
 * `TaskProgress` (core's `reduceProgress`) and stores them, as one log
 * chunk, plus the snapshot, in `store`; `tracker.plan` gives it the plan, so
 * `estimatedRemaining` comes from the plan's estimates corrected by observed
 * durations (see `estimateRemaining`); `progress.get` answers the snapshot,
 * from any process. A new instance (after passivation, a restart or on
 * another worker) reloads the run from the store, so `rebuildProgress(store,
 * runId)` equals what it answers. Feed it with `trackRun`.
 */
export function trackerAgent(options: TrackerAgentOptions = {}): AgentDef<string, TrackerProtocol> {
  const store = options.store ?? new MemoryStore();
  const open = async (ctx: HandlerContext<TrackerState>, runId: string): Promise<RunTrack> => {
    if (ctx.self.key !== runId) {
      throw new ValidationError(
        `tracker instance '${ctx.self.key}' got run '${runId}': address a tracker by its run, ref({ type: '${ctx.self.type}', key: runId })`,
        { issues: [{ path: 'payload.runId', message: 'must equal the tracker key' }] },
      );
    }
    // State that went through a store (passivation) comes back as plain JSON: reload from the log then.
    const held = ctx.state.track;
    if (held instanceof RunTrack) return held;
    const track = await loadRunTrack(store, runId);
    ctx.setState({ track });
    return track;
  };
  return defineAgent({
    type: options.type ?? 'tracker',
    ...(options.passivateAfterMs === undefined ? {} : { passivateAfterMs: options.passivateAfterMs }),
    initialState: (): TrackerState => ({}),
    handles: {
      [TrackEvents.type]: on(TrackEvents, async ({ runId, events }, ctx: HandlerContext<TrackerState>) => {
        const stray = events.findIndex((e) => e.runId !== runId);
        if (stray >= 0) {
          throw new ValidationError(
            `event ${stray} belongs to run '${events[stray]!.runId}', not '${runId}'`,
            {
              issues: [{ path: `payload.events.${stray}.runId`, message: `must be '${runId}'` }],
            },
          );
        }
        const track = await open(ctx, runId);
        if (events.length === 0) return { events: track.events };
        const keys = trackerKeys(runId);
        // The log first: a snapshot is never ahead of the log it is rebuilt from.
        await store.set(keys.chunk(track.chunks), events);
        track.chunks++;
        track.apply(events);
        await store.set(keys.snapshot, track.view());
        return { events: track.events };
      }),
      [TrackPlan.type]: on(TrackPlan, async ({ runId, plan, taskIds }, ctx: HandlerContext<TrackerState>) => {
        const track = await open(ctx, runId);
        const estimate: EstimatePlan = {
          subtasks: plan.subtasks.map((t) => ({
            id: t.id,
            taskId: taskIds?.[t.id] ?? t.id,
            estimatedSeconds: t.estimatedSeconds,
            dependencies: t.dependencies,
          })),
        };
        await store.set(trackerKeys(runId).plan, estimate);
        track.setPlan(estimate);
        await store.set(trackerKeys(runId).snapshot, track.view());
        return { subtasks: estimate.subtasks.length };
      }),
      [ProgressGet.type]: on(ProgressGet, async ({ runId }, ctx: HandlerContext<TrackerState>) =>
        (await open(ctx, runId)).view(),
      ),
    },
  });
}
