import type { LogRecord } from '@troupe/core';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** The run's log lines (the newest 1000 the snapshot keeps), filtered by level and sub-task; follows the tail. */
export function LogStream(props: { logs: LogRecord[]; labels: Map<string, string> }) {
  const [level, setLevel] = useState<(typeof LEVELS)[number]>('debug');
  const [task, setTask] = useState('');
  const box = useRef<HTMLDivElement>(null);
  const follow = useRef(true);
  const min = LEVELS.indexOf(level);
  const shown = props.logs.filter(
    (l) => LEVELS.indexOf(l.level) >= min && (task === '' || l.taskId === task),
  );
  const tasks = [...new Set(props.logs.map((l) => l.taskId))];

  useLayoutEffect(() => {
    const el = box.current;
    if (el !== null && follow.current) el.scrollTop = el.scrollHeight;
  });

  return (
    <section class="panel">
      <div class="row">
        <h2>Log</h2>
        <span class="grow" />
        <label class="small">
          level{' '}
          <select
            name="log-level"
            value={level}
            onChange={(e) => setLevel(e.currentTarget.value as (typeof LEVELS)[number])}
          >
            {LEVELS.map((l) => (
              <option value={l}>{l}+</option>
            ))}
          </select>
        </label>
        <label class="small">
          sub-task{' '}
          <select name="log-task" value={task} onChange={(e) => setTask(e.currentTarget.value)}>
            <option value="">all</option>
            {tasks.map((t) => (
              <option value={t}>{props.labels.get(t) ?? t}</option>
            ))}
          </select>
        </label>
      </div>
      <div
        class="log"
        ref={box}
        data-testid="log"
        onScroll={(e) => {
          const el = e.currentTarget;
          follow.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 4;
        }}
      >
        {shown.length === 0 && <p class="muted">No log lines{props.logs.length > 0 ? ' match' : ' yet'}.</p>}
        {shown.map((l, i) => (
          <div class={`line l-${l.level}`} key={`${l.ts}-${i}`}>
            <span class="ts">{new Date(l.ts).toLocaleTimeString()}</span>
            <span class="lvl">{l.level}</span>
            <span class="who">{props.labels.get(l.taskId) ?? l.taskId}</span>
            <span class="msg">{l.message}</span>
          </div>
        ))}
      </div>
    </section>
  );
}
