import type { TaskProgress } from '@troupe/core';
import { duration } from '../format.js';
import { rows } from '../tree.js';

const ROW = 22;

/**
 * The timeline: a bar per task from its start to its finish (to now while it runs), indented by
 * depth, with an arrow from each dependency's end to the task's start (`dependsOn`).
 */
export function Gantt(props: { progress: TaskProgress; now: number | undefined }) {
  // Events can be newer than the last tick: a running bar reaches at least its latest stamp.
  const now = props.now === undefined ? undefined : Math.max(props.now, Date.now());
  const list = rows(props.progress);
  const starts = list.map((r) => r.card.startedAt).filter((t): t is number => t !== undefined);
  const t0 = props.progress.startedAt ?? Math.min(...starts);
  const ends = list.map((r) => r.card.finishedAt ?? r.card.startedAt ?? t0);
  const t1 = Math.max(now ?? 0, props.progress.finishedAt ?? 0, ...ends, t0 + 1000);
  const span = t1 - t0;
  const pct = (t: number) => Math.max(0, Math.min(100, ((t - t0) / span) * 100));
  const index = new Map(list.map((r, i) => [r.card.taskId, i]));
  const edges: { from: number; to: number }[] = [];
  list.forEach(({ card }, to) => {
    for (const dep of card.dependsOn ?? []) {
      const from = index.get(dep);
      if (from !== undefined) edges.push({ from, to });
    }
  });
  const barEnd = (i: number) => {
    const c = list[i]?.card;
    return pct(c?.finishedAt ?? now ?? c?.startedAt ?? t0);
  };
  return (
    <section class="panel">
      <div class="row">
        <h2>Timeline</h2>
        <span class="grow" />
        <span class="muted small">{Number.isFinite(span) ? duration(span) : ''}</span>
      </div>
      {!Number.isFinite(t0) ? (
        <p class="muted">Nothing started yet.</p>
      ) : (
        <div class="gantt" data-testid="gantt">
          <div class="labels">
            {list.map(({ card, depth }) => (
              <div
                class="label"
                style={{ height: `${ROW}px`, paddingLeft: `${depth * 12}px` }}
                title={card.name}
              >
                {card.name}
              </div>
            ))}
          </div>
          <div class="track" style={{ height: `${list.length * ROW}px` }}>
            {list.map(({ card }, i) => {
              if (card.startedAt === undefined) return null;
              const x = pct(card.startedAt);
              const w = Math.max(0.5, barEnd(i) - x);
              return (
                <div
                  class={`gbar s-${card.status}`}
                  data-task={card.taskId}
                  style={{ top: `${i * ROW + 4}px`, left: `${x}%`, width: `${w}%` }}
                  title={`${card.name}: ${card.status}`}
                />
              );
            })}
            <svg class="deps" width="100%" height={list.length * ROW} aria-hidden="true">
              {edges.map(({ from, to }) => {
                const start = list[to]?.card.startedAt;
                return (
                  <line
                    x1={`${barEnd(from)}%`}
                    y1={from * ROW + ROW / 2}
                    x2={`${start === undefined ? barEnd(from) : pct(start)}%`}
                    y2={to * ROW + ROW / 2}
                    marker-end="url(#arrow)"
                  />
                );
              })}
              <defs>
                <marker
                  id="arrow"
                  viewBox="0 0 6 6"
                  refX="6"
                  refY="3"
                  markerWidth="6"
                  markerHeight="6"
                  orient="auto"
                >
                  <path d="M0,0 L6,3 L0,6 z" />
                </marker>
              </defs>
            </svg>
          </div>
        </div>
      )}
    </section>
  );
}
