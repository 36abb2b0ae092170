/** A status as a coloured badge. */
export function Status(props: { status: string }) {
  return <span class={`badge s-${props.status}`}>{props.status.replace('_', ' ')}</span>;
}

/** A progress bar, 0–100, coloured by status. */
export function Bar(props: { percent: number; status?: string; big?: boolean }) {
  const p = Math.max(0, Math.min(100, props.percent));
  return (
    <div class={`bar${props.big === true ? ' big' : ''}`} title={`${p.toFixed(0)}%`}>
      <div class={`fill s-${props.status ?? 'running'}`} style={{ width: `${p}%` }} />
      <span class="pct">{p.toFixed(0)}%</span>
    </div>
  );
}
