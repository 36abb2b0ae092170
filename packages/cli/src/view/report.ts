import type { TaskProgress } from '@troupe/core';
import { createColors } from 'picocolors';
import { count, cut, duration, usd } from './format.js';
import type { RunStats } from './RunStats.js';
import { countByStatus, flattenTasks } from './taskRows.js';

/** What a report is made from. */
export interface ReportInput {
  snapshot: TaskProgress;
  stats: RunStats;
  runId: string;
  /** The run's state as the CLI knows it (`completed`, `interrupted`, …). */
  state: string;
  /** Why it stopped, when it did not complete. */
  reason?: string;
  width: number;
  color: boolean;
}

const UNDONE = new Set(['pending', 'queued', 'running', 'paused', 'retrying', 'suspended']);

/**
 * The final report: how the run ended, its duration, tasks, tokens and cost; per sub-task who did
 * it, with which model, how long, how many tokens and what came out (or why it failed); what is
 * left undone; and how to look again or resume.
 */
export function renderReport(input: ReportInput): string[] {
  const { snapshot: p, stats, width } = input;
  const c = createColors(input.color);
  const rows = flattenTasks(p);
  const counts = countByStatus(rows);
  const elapsed = p.executionDetails.elapsedTime;
  const cost = usd(stats.costUsd);
  const head = `run ${input.runId} ${input.state} in ${duration(elapsed)} · ${counts.get('completed') ?? 0}/${rows.length} tasks completed · ${count(p.executionDetails.tokensUsed.total)} tokens${cost ? ` · ${cost}` : ''}`;
  const lines = [input.state === 'completed' ? c.green(c.bold(head)) : c.yellow(c.bold(head))];
  if (input.reason) lines.push(`  reason: ${input.reason}`);
  for (const { task, depth } of rows) {
    const s = stats.tasks.get(task.taskId);
    const took =
      task.startedAt !== undefined && task.finishedAt !== undefined
        ? duration(task.finishedAt - task.startedAt)
        : '';
    const who = [task.agent, s?.model].filter(Boolean).join(' · ');
    const outcome = task.error
      ? `${task.error.code}: ${task.error.message}`
      : task.result === undefined
        ? ''
        : preview(task.result);
    const line = `${'  '.repeat(depth + 1)}${mark(task.status)} ${task.name}  ${task.status}${who ? `  ${who}` : ''}${took ? `  ${took}` : ''}${s?.tokens ? `  ${count(s.tokens)} tok` : ''}${outcome ? `  → ${outcome}` : ''}`;
    lines.push(cut(line, width));
  }
  const undone = rows.filter((r) => UNDONE.has(r.task.status));
  if (undone.length > 0) {
    lines.push(
      c.yellow(
        cut(`left undone: ${undone.map((r) => `${r.task.name} (${r.task.status})`).join(', ')}`, width * 3),
      ),
    );
  }
  if (p.artifacts.length > 0) lines.push(`artifacts: ${p.artifacts.map((a) => a.uri ?? a.name).join(', ')}`);
  return lines;
}

function mark(status: string): string {
  if (status === 'completed') return '✓';
  if (status === 'failed' || status === 'timed_out') return '✗';
  if (status === 'cancelled') return '⊘';
  return '○';
}

function preview(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return (text ?? '').replace(/\s+/g, ' ').slice(0, 120);
}
