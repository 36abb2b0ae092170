import { useEffect, useState } from 'preact/hooks';
import { type Api, ApiError, type RunRecord } from '../api.js';
import { age, count, usd } from '../format.js';
import { useNow } from '../hooks.js';
import { Bar, Status } from './bits.js';

const FILTERS = ['all', 'running', 'paused', 'suspended', 'completed', 'failed', 'cancelled'] as const;

/** Every run, newest first (polled), with a status filter and the form that starts a task. */
export function TaskList(props: { api: Api; onUnauthorized: () => void }) {
  const { api } = props;
  const [runs, setRuns] = useState<RunRecord[] | undefined>();
  const [filter, setFilter] = useState<(typeof FILTERS)[number]>('all');
  const [error, setError] = useState<string | undefined>();
  const now = useNow();

  useEffect(() => {
    let stop = false;
    const load = async () => {
      try {
        const page = await api.list(filter === 'all' ? { limit: 100 } : { status: [filter], limit: 100 });
        if (!stop) {
          setRuns(page.runs);
          setError(undefined);
        }
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) props.onUnauthorized();
        else if (!stop) setError(String(err instanceof Error ? err.message : err));
      }
    };
    void load();
    const t = setInterval(load, 1500);
    return () => {
      stop = true;
      clearInterval(t);
    };
  }, [api, filter]);

  return (
    <main>
      <StartForm api={api} onUnauthorized={props.onUnauthorized} />
      <section class="panel">
        <div class="row">
          <h2>Tasks</h2>
          <select
            name="status-filter"
            value={filter}
            onChange={(e) => setFilter(e.currentTarget.value as (typeof FILTERS)[number])}
          >
            {FILTERS.map((f) => (
              <option value={f}>{f}</option>
            ))}
          </select>
        </div>
        {error !== undefined && <p class="error">{error}</p>}
        {runs === undefined ? (
          <p class="muted">Loading…</p>
        ) : runs.length === 0 ? (
          <p class="muted">No tasks yet: start one above.</p>
        ) : (
          <table class="runs">
            <thead>
              <tr>
                <th>Goal</th>
                <th>Status</th>
                <th>Progress</th>
                <th>Age</th>
                <th>Tokens</th>
                <th>Cost</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id} data-run={r.id}>
                  <td>
                    <a href={`#/tasks/${encodeURIComponent(r.id)}`}>{r.goal}</a>
                  </td>
                  <td>
                    <Status status={r.status} />
                  </td>
                  <td class="progress-cell">
                    <Bar percent={r.progress * 100} status={r.status} />
                  </td>
                  <td>{age(r.createdAt, now)}</td>
                  <td>{count(r.tokens.input + r.tokens.output)}</td>
                  <td>{usd(r.costUsd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </main>
  );
}

function StartForm(props: { api: Api; onUnauthorized: () => void }) {
  const [goal, setGoal] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const submit = async (e: Event) => {
    e.preventDefault();
    if (goal.trim() === '') return setError('Write a goal first.');
    setBusy(true);
    try {
      const run = await props.api.start({ goal: goal.trim() });
      setGoal('');
      setError(undefined);
      location.hash = `#/tasks/${encodeURIComponent(run.id)}`;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) props.onUnauthorized();
      else setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="panel start" onSubmit={submit}>
      <h2>Start a task</h2>
      <div class="row">
        <input
          name="goal"
          placeholder="What should the troupe do? e.g. research actor runtimes for AI agents"
          value={goal}
          onInput={(e) => setGoal(e.currentTarget.value)}
        />
        <button type="submit" disabled={busy}>
          Start
        </button>
      </div>
      {error !== undefined && <p class="error">{error}</p>}
    </form>
  );
}
