import type { ArtifactRecord, TaskProgress } from '@troupe/core';
import type { Extras } from '../extras.js';
import { bytes, count, duration, usd } from '../format.js';

/** The run's execution details: current agent and step, elapsed, ETA, tool calls, tokens, cost. */
export function Execution(props: { progress: TaskProgress; extras: Extras; now: number; ended: boolean }) {
  const { progress, extras } = props;
  const d = progress.executionDetails;
  const elapsed =
    !props.ended && progress.startedAt !== undefined
      ? Math.max(props.now, Date.now()) - progress.startedAt
      : d.elapsedTime;
  return (
    <section class="panel">
      <h2>Execution</h2>
      <div class="stats" data-testid="execution">
        <Stat label="current agent" value={d.currentAgent ?? '–'} />
        <Stat label="current step" value={d.currentStep ?? '–'} />
        <Stat label="elapsed" value={duration(elapsed)} />
        <Stat label="ETA" value={props.ended ? '–' : duration(d.estimatedRemaining)} />
        <Stat label="tool calls" value={String(Math.max(extras.toolCalls, d.toolCalls.length))} />
        <Stat
          label="tokens"
          value={`${count(d.tokensUsed.total)} (${count(d.tokensUsed.input)} in / ${count(d.tokensUsed.output)} out)`}
        />
        <Stat label="cost" value={usd(extras.totalCostUsd)} />
      </div>
    </section>
  );
}

function Stat(props: { label: string; value: string }) {
  return (
    <div class="stat">
      <span class="muted small">{props.label}</span>
      <strong>{props.value}</strong>
    </div>
  );
}

/** What the run produced: name (a link when it has a URI), type, size, the task that made it. */
export function Artifacts(props: { artifacts: ArtifactRecord[]; labels: Map<string, string> }) {
  return (
    <section class="panel">
      <h2>Artifacts</h2>
      {props.artifacts.length === 0 ? (
        <p class="muted">None yet.</p>
      ) : (
        <ul class="artifacts">
          {props.artifacts.map((a) => (
            <li key={`${a.taskId}/${a.name}/${a.ts}`}>
              {a.uri !== undefined && /^(https?:|\/|\.)/.test(a.uri) ? (
                <a href={a.uri} target="_blank" rel="noreferrer">
                  {a.name}
                </a>
              ) : (
                <strong title={a.uri}>{a.name}</strong>
              )}{' '}
              <span class="muted small">
                {a.mimeType ?? ''} {bytes(a.size)} · {props.labels.get(a.taskId) ?? a.taskId}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
