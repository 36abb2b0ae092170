import { useEffect, useRef, useState } from 'preact/hooks';
import { type Api, ApiError } from '../api.js';
import { count, duration, TERMINAL, usd } from '../format.js';
import { useNow } from '../hooks.js';
import { type LiveRun as Live, LiveRun, type LiveState } from '../live.js';
import { names } from '../tree.js';
import { Bar, Status } from './bits.js';
import { Cards } from './Cards.js';
import { Artifacts, Execution } from './Execution.js';
import { Gantt } from './Gantt.js';
import { LogStream } from './LogStream.js';
import { PlanGraph } from './PlanGraph.js';

/** One run, live: the overall bar, controls, execution details, cards, timeline, plan, logs, artifacts. */
export function TaskDetail(props: { api: Api; id: string; onUnauthorized: () => void }) {
  const { api, id } = props;
  const [state, setState] = useState<LiveState | undefined>();
  const [notice, setNotice] = useState<{ text: string; error: boolean } | undefined>();
  const live = useRef<Live | undefined>(undefined);
  const now = useNow();

  const report = (err: unknown) => {
    if (err instanceof ApiError && err.status === 401) props.onUnauthorized();
    else setNotice({ text: err instanceof Error ? err.message : String(err), error: true });
  };

  useEffect(() => {
    const run = new LiveRun(api, id, setState);
    live.current = run;
    api.get(id).then((r) => run.setRun(r), report);
    return () => run.close();
  }, [api, id]);

  const act = async (what: string, call: () => Promise<unknown>) => {
    try {
      const res = await call();
      if (res !== undefined && res !== null && typeof res === 'object' && 'status' in res)
        live.current?.setRun(res as never);
      setNotice({ text: `${what}: done`, error: false });
    } catch (err) {
      report(err);
    }
  };

  const run = state?.run;
  const progress = state?.progress;
  if (state === undefined || (run === undefined && progress === undefined))
    return <main class="panel muted">Connecting to {id}…</main>;
  const status = run?.status ?? progress?.status ?? 'pending';
  const ended = TERMINAL.has(status) || state.status === 'ended';
  const labels = progress !== undefined ? names(progress) : new Map<string, string>();
  return (
    <main>
      <section class="panel head">
        <div class="row">
          <a href="#/" class="muted">
            ← all tasks
          </a>
          <span class={`conn c-${state.status}`} data-conn={state.status}>
            {state.status}
            {state.lagged > 0 ? ` · caught up ${state.lagged}×` : ''}
          </span>
        </div>
        <h1 data-testid="run-goal">{run?.goal ?? progress?.name}</h1>
        {progress?.description !== undefined && progress.description !== run?.goal && (
          <p class="muted">{progress.description}</p>
        )}
        <div class="row">
          <Status status={status} />
          {progress !== undefined && progress.status !== status && <Status status={progress.status} />}
          <span class="muted">
            {usd(run?.costUsd ?? state.extras.totalCostUsd)} ·{' '}
            {count(progress?.executionDetails.tokensUsed.total)} tokens · seq {state.seq}
          </span>
          <span class="grow" />
          <button
            type="button"
            data-action="pause"
            disabled={ended || status === 'paused'}
            onClick={() => act('pause', () => api.pause(id))}
          >
            Pause
          </button>
          <button
            type="button"
            data-action="resume"
            disabled={ended || status !== 'paused'}
            onClick={() => act('resume', () => api.resume(id))}
          >
            Resume
          </button>
          <button
            type="button"
            class="danger"
            data-action="cancel"
            disabled={ended}
            onClick={() => act('cancel', () => api.cancel(id))}
          >
            Cancel
          </button>
        </div>
        <Bar percent={progress?.overallProgress ?? (run?.progress ?? 0) * 100} status={status} big />
        {run?.error !== undefined && (
          <p class="error">
            {run.error.code}: {run.error.message}
          </p>
        )}
        {notice !== undefined && (
          <p class={notice.error ? 'error' : 'muted'} data-testid="notice">
            {notice.text}
          </p>
        )}
      </section>
      {progress !== undefined && (
        <>
          <Execution progress={progress} extras={state.extras} now={now} ended={ended} />
          <Cards
            progress={progress}
            extras={state.extras}
            now={now}
            onMessage={(sid, text) => act('message sent', () => api.message(id, sid, text))}
            onAnswer={(sid, answer) => act('answer sent', () => api.answer(id, sid, answer))}
          />
          <div class="two">
            <Gantt progress={progress} now={ended ? undefined : now} />
            <PlanGraph progress={progress} />
          </div>
          <LogStream logs={progress.logs} labels={labels} />
          <Artifacts artifacts={progress.artifacts} labels={labels} />
          <p class="muted small">
            elapsed {duration(progress.executionDetails.elapsedTime)} at the last event · run {id}
          </p>
        </>
      )}
    </main>
  );
}
