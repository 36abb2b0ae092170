import type { SubTaskProgress, TaskProgress } from '@troupe/core';
import { createColors } from 'picocolors';
import { bar, clock, count, cut, duration, fit, usd } from './format.js';
import type { RunStats } from './RunStats.js';
import { countByStatus, flattenTasks, pickRows } from './taskRows.js';

/** What one frame of the live view is made from. */
export interface FrameInput {
  snapshot: TaskProgress;
  stats: RunStats;
  runId: string;
  /** The run's state as the CLI knows it (`running`, `paused`, `stopping…`, …). */
  state: string;
  /** Now, ms since the epoch (elapsed times of running tasks count to it). */
  now: number;
  /** Terminal columns and rows. */
  width: number;
  height: number;
  color: boolean;
  /** A last line (how to stop, how to resume). */
  hint?: string;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const TOOL_LINES = 3;
const LOG_LINES = 5;

/**
 * The live view as text lines, none wider than `width`: a header (run, state, elapsed, ETA), the
 * overall bar with counts and tokens, one line per sub-task (status, name, agent, model, elapsed,
 * ETA, tokens, current step), questions of suspended tasks, the last tool calls and a tail of the
 * log. When the tasks do not fit in `height`, the running and waiting ones are shown first.
 */
export function renderFrame(input: FrameInput): string[] {
  const { snapshot: p, stats, width, now } = input;
  const c = createColors(input.color);
  const lines: string[] = [];
  const w = Math.max(40, width);
  const end = p.finishedAt ?? now;
  const elapsed = p.startedAt === undefined ? 0 : end - p.startedAt;
  const eta = p.executionDetails.estimatedRemaining;
  const clocks = `elapsed ${duration(elapsed)}${eta !== undefined && p.finishedAt === undefined ? `  eta ${duration(eta)}` : ''}`;
  const title = cut(
    `troupe · ${p.name}`,
    Math.max(10, w - input.runId.length - input.state.length - clocks.length - 4),
  );
  lines.push(
    cut(`${title} ${input.runId} ${input.state}  ${clocks}`, w) ===
      `${title} ${input.runId} ${input.state}  ${clocks}`
      ? `${c.bold(title)} ${c.dim(input.runId)} ${stateColor(c, input.state)}  ${c.dim(clocks)}`
      : cut(`${title} ${input.runId} ${input.state}  ${clocks}`, w),
  );
  const rows = flattenTasks(p);
  const counts = countByStatus(rows);
  const done =
    (counts.get('completed') ?? 0) +
    (counts.get('failed') ?? 0) +
    (counts.get('timed_out') ?? 0) +
    (counts.get('cancelled') ?? 0);
  const percent = p.overallProgress;
  const cost = usd(stats.costUsd);
  const summary = ` ${percent.toFixed(0).padStart(3)}%  ${done}/${rows.length} tasks  ${count(p.executionDetails.tokensUsed.total)} tokens${cost ? `  ${cost}` : ''}  ${p.executionDetails.toolCalls.length} tool calls`;
  const barWidth = Math.max(10, Math.min(40, w - summary.length - 2));
  lines.push(`${c.cyan(bar(percent, barWidth))}${cut(summary, Math.max(0, w - barWidth))}`);

  const suspended = stats.suspended();
  const toolLines = Math.min(TOOL_LINES, p.executionDetails.toolCalls.length);
  const logLines = Math.min(LOG_LINES, p.logs.length);
  const fixed =
    lines.length +
    1 +
    (toolLines ? toolLines + 1 : 0) +
    (logLines ? logLines + 1 : 0) +
    suspended.length * 2 +
    (input.hint ? 2 : 0);
  const room = Math.max(3, input.height - fixed - 1);
  const { shown, hidden } = pickRows(rows, hidden0(rows.length, room));
  const nameWidth = Math.max(16, Math.min(32, Math.floor(w * 0.28)));
  lines.push(
    c.dim(
      cut(
        `   ${fit('task', nameWidth)} ${fit('status', 9)} ${fit('agent', 16)} ${fit('model', 14)} ${'elapsed'.padStart(7)} ${'eta'.padStart(6)} ${'tokens'.padStart(6)}`,
        w,
      ),
    ),
  );
  for (const { task, depth } of shown) {
    const s = stats.tasks.get(task.taskId);
    const status = s?.question !== undefined && !isEnded(task) ? 'suspended' : task.status;
    const taskElapsed = task.startedAt === undefined ? undefined : (task.finishedAt ?? end) - task.startedAt;
    const taskEta =
      status === 'running' && task.progress > 0 && taskElapsed !== undefined
        ? (taskElapsed * (100 - task.progress)) / task.progress
        : undefined;
    const name = `${'  '.repeat(Math.min(depth, 6))}${task.name}`;
    const head = `${fit(name, nameWidth)} ${fit(status, 9)} ${fit(task.agent ?? '', 16)} ${fit(s?.model ?? '', 14)} ${duration(taskElapsed).padStart(7)} ${(taskEta === undefined ? '' : duration(taskEta)).padStart(6)} ${(s?.tokens ? count(s.tokens) : '').padStart(6)}`;
    const rest = task.error ? ` ${task.error.message}` : task.step && !isEnded(task) ? ` ${task.step}` : '';
    const line = cut(`${head}${rest}`, w - 3);
    lines.push(`${symbol(c, status, now)}  ${statusColor(c, status, line)}`);
  }
  if (hidden.size > 0) {
    const parts = [...hidden].map(([status, n]) => `${n} ${status}`);
    lines.push(
      c.dim(cut(`   … ${[...hidden.values()].reduce((a, b) => a + b, 0)} more: ${parts.join(', ')}`, w)),
    );
  }
  for (const { taskId, question } of suspended) {
    lines.push(c.magenta(cut(`?  ${nameOf(rows, taskId)} asks: ${question}`, w)));
    lines.push(c.dim(cut(`   answer with: troupe answer ${input.runId} ${taskId} '<json>'`, w)));
  }
  if (toolLines > 0) {
    lines.push(c.dim('tool calls'));
    for (const call of p.executionDetails.toolCalls.slice(-toolLines)) {
      const mark =
        call.status === 'succeeded' ? c.green('✓') : call.status === 'failed' ? c.red('✗') : c.cyan('…');
      lines.push(
        `  ${mark} ${cut(`${clock(call.ts)} ${call.tool}  ${c.dim(nameOf(rows, call.taskId))}`, w - 4)}`,
      );
    }
  }
  if (logLines > 0) {
    lines.push(c.dim('log'));
    for (const log of p.logs.slice(-logLines)) {
      const text = cut(`${clock(log.ts)} ${nameOf(rows, log.taskId)}: ${log.message}`, w - 2);
      lines.push(`  ${log.level === 'error' ? c.red(text) : log.level === 'warn' ? c.yellow(text) : text}`);
    }
  }
  if (input.hint) lines.push('', c.dim(cut(input.hint, w)));
  return lines;
}

/** Room for task rows, leaving one for the "… N more" line when they do not all fit. */
function hidden0(total: number, room: number): number {
  return total <= room ? total : room - 1;
}

function isEnded(task: SubTaskProgress): boolean {
  return (
    task.status === 'completed' ||
    task.status === 'failed' ||
    task.status === 'timed_out' ||
    task.status === 'cancelled'
  );
}

function nameOf(rows: ReturnType<typeof flattenTasks>, taskId: string): string {
  return rows.find((r) => r.task.taskId === taskId)?.task.name ?? taskId;
}

type Colors = ReturnType<typeof createColors>;

function symbol(c: Colors, status: string, now: number): string {
  switch (status) {
    case 'completed':
      return c.green('✓');
    case 'failed':
    case 'timed_out':
      return c.red('✗');
    case 'cancelled':
      return c.yellow('⊘');
    case 'running':
      return c.cyan(SPINNER[Math.floor(now / 100) % SPINNER.length] ?? '•');
    case 'retrying':
      return c.yellow('↻');
    case 'paused':
      return c.yellow('‖');
    case 'suspended':
      return c.magenta('?');
    case 'queued':
      return c.dim('…');
    default:
      return c.dim('○');
  }
}

function statusColor(c: Colors, status: string, text: string): string {
  if (status === 'failed' || status === 'timed_out') return c.red(text);
  if (status === 'pending' || status === 'queued') return c.dim(text);
  if (status === 'suspended') return c.magenta(text);
  return text;
}

function stateColor(c: Colors, state: string): string {
  if (state === 'completed') return c.green(state);
  if (state === 'failed' || state === 'timed_out' || state === 'budget_exhausted') return c.red(state);
  if (state === 'running' || state === 'executing' || state === 'planning') return c.cyan(state);
  return c.yellow(state);
}
