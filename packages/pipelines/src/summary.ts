import type { TaskGroupResults, TaskRecord } from './taskTypes.js';

const STATUS_MARK: Record<TaskRecord['status'], string> = {
  pending: '…',
  running: '▶',
  completed: '✓',
  failed: '✗',
  timed_out: '⏱',
  cancelled: '⊘',
};

/** Renders a group's results as a readable table (CJK labels keep their columns). */
export function formatSummary(results: TaskGroupResults, elapsedMs: number | undefined): string {
  const done = results.completed + results.failed + results.timedOut + results.cancelled;
  const head =
    `TaskGroup ${results.name}: ${done}/${results.total} done — ${results.completed} completed, ` +
    `${results.failed} failed, ${results.timedOut} timed out, ${results.cancelled} cancelled` +
    (elapsedMs === undefined ? '' : ` (${formatMs(elapsedMs)})`);
  const rows = results.tasks.map((t, i) => [
    String(i + 1),
    t.label,
    t.agent ?? '-',
    `${STATUS_MARK[t.status]} ${t.status}`,
    String(t.attempts),
    t.startedAt !== undefined && t.finishedAt !== undefined ? formatMs(t.finishedAt - t.startedAt) : '-',
    clip(
      t.error ? `${t.error.name}: ${t.error.message}` : t.result === undefined ? '' : preview(t.result),
      60,
    ),
  ]);
  const header = ['#', 'task', 'agent', 'status', 'tries', 'time', 'result / error'];
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => displayWidth(r[c] ?? ''))));
  const line = (cells: string[]) => `| ${cells.map((cell, c) => pad(cell, widths[c] ?? 0)).join(' | ')} |`;
  return [head, line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function preview(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/** Terminal columns of a string: East Asian wide and fullwidth characters take two. */
function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    width += isWide(cp) ? 2 : 1;
  }
  return width;
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}
