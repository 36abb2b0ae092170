import { type AgentDef, defineAgent, on, SUSPENSIONS_AGENT, SuspendRequest, TroupeError } from '@troupe/core';
import type { OrchestrateRuntime } from './types.js';

/** Stable code of {@link UnknownRunError}. */
export const UNKNOWN_RUN = 'UNKNOWN_RUN';

/** A run id names no run this process drives (or no run in the journal): `data.runId`. */
export class UnknownRunError extends TroupeError {
  constructor(runId: string, where: string) {
    super(UNKNOWN_RUN, `no run '${runId}' ${where}`, { data: { runId } });
  }
}

/** What a live run does with a question from one of its agents. */
export interface QuestionSink {
  askFromAgent(
    request: ReturnType<typeof SuspendRequest.parsePayload>,
    signal: AbortSignal,
  ): Promise<unknown>;
}

/** Runs driven by this process, by run id. */
const live = new Map<string, QuestionSink>();
/** Runtimes that serve {@link SUSPENSIONS_AGENT} already. */
const served = new WeakMap<OrchestrateRuntime, Promise<void>>();

/** The agent that takes suspended agents' questions for the runs this process drives. */
function suspensionsAgent(): AgentDef {
  return defineAgent({
    type: SUSPENSIONS_AGENT,
    // One instance per asking task (keyed), so questions never wait behind each other.
    passivateAfterMs: 60_000,
    handles: {
      [SuspendRequest.type]: on(SuspendRequest, (request, ctx) => {
        const run = live.get(request.runId);
        if (run === undefined) throw new UnknownRunError(request.runId, 'is driven by this process');
        return run.askFromAgent(request, ctx.signal);
      }),
    },
  });
}

/** Makes `runtime` serve questions of suspended agents (once per runtime) and routes `runId`'s to `sink`; returns the unlink. */
export async function serveQuestions(
  runtime: OrchestrateRuntime,
  runId: string,
  sink: QuestionSink,
): Promise<() => void> {
  let serving = served.get(runtime);
  if (serving === undefined) {
    serving = runtime.register(suspensionsAgent());
    served.set(runtime, serving);
  }
  await serving;
  live.set(runId, sink);
  return () => {
    if (live.get(runId) === sink) live.delete(runId);
  };
}
