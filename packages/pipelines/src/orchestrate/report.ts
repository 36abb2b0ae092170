import type { Plan } from '@troupe/agents';
import type { RetiredSubTask } from './journal.js';
import type { OrchestrateReport, StopReason, SubTaskReport, SubTaskStatus } from './types.js';

/** Where one sub-task of the current plan stands, as the run keeps it. */
export interface SubState {
  id: string;
  taskId: string;
  name: string;
  executor: string;
  model?: string | undefined;
  status: SubTaskStatus;
  result?: unknown;
  error?: { code: string; message: string } | undefined;
  attempts: number;
  startedAt?: number | undefined;
  finishedAt?: number | undefined;
  fromJournal?: boolean;
  /** Its usage as its executor's reply or its checkpoint said (wins over what events showed). */
  usage?: { input: number; output: number; costUsd: number } | undefined;
}

/** What a report is made of. */
export interface ReportInput {
  runId: string;
  goal: string;
  plan: Plan;
  replans: number;
  states: ReadonlyMap<string, SubState>;
  retired: readonly RetiredSubTask[];
  usageOf: (id: string) => { input: number; output: number; costUsd: number };
  total: { input: number; output: number; costUsd: number };
  stop: StopReason | undefined;
  startedAt: number;
  finishedAt: number;
  sessions: number;
}

const FAILED: ReadonlySet<SubTaskStatus> = new Set(['failed', 'timed_out', 'cancelled']);

/** Builds the report: the final plan's sub-tasks in plan order, then those re-planned away. */
export function buildReport(input: ReportInput): OrchestrateReport {
  const now = input.finishedAt;
  const subtasks: SubTaskReport[] = [];
  for (const t of input.plan.subtasks) {
    const s = input.states.get(t.id);
    if (s === undefined) continue;
    const seen = input.usageOf(t.id);
    const usage = s.usage ?? seen;
    const r: SubTaskReport = {
      id: s.id,
      taskId: s.taskId,
      name: s.name,
      executor: s.executor,
      status: s.status,
      attempts: s.attempts,
      tokens: { input: usage.input, output: usage.output },
      // Cost only comes from events (a reply does not carry it); a journaled one keeps its own.
      costUsd: Math.max(seen.costUsd, usage.costUsd),
      durationMs: s.startedAt === undefined ? 0 : (s.finishedAt ?? now) - s.startedAt,
    };
    if (s.model !== undefined) r.model = s.model;
    if (s.status === 'completed') r.result = s.result;
    if (s.error !== undefined) r.error = s.error;
    if (s.fromJournal) r.fromJournal = true;
    subtasks.push(r);
  }
  for (const t of input.retired) {
    const usage = input.usageOf(t.id);
    const r: SubTaskReport = {
      id: t.id,
      taskId: t.taskId,
      name: t.name,
      executor: t.executor,
      status: t.status,
      attempts: 0,
      tokens: { input: usage.input, output: usage.output },
      costUsd: usage.costUsd,
      durationMs: 0,
    };
    if (t.error !== undefined) r.error = t.error;
    subtasks.push(r);
  }
  const current = subtasks.slice(0, subtasks.length - input.retired.length);
  const undone = current.filter((s) => s.status !== 'completed').map((s) => s.id);
  const failures = subtasks
    .filter((s) => FAILED.has(s.status))
    .map((s) => (s.error ? { id: s.id, status: s.status, error: s.error } : { id: s.id, status: s.status }));
  const status: OrchestrateReport['status'] =
    undone.length === 0 && input.stop === undefined
      ? 'completed'
      : input.stop?.startsWith('budget.')
        ? 'partial'
        : 'failed';
  const report: OrchestrateReport = {
    runId: input.runId,
    goal: input.goal,
    status,
    plan: input.plan,
    replans: input.replans,
    subtasks,
    failures,
    undone,
    tokens: {
      input: input.total.input,
      output: input.total.output,
      total: input.total.input + input.total.output,
    },
    costUsd: input.total.costUsd,
    durationMs: input.finishedAt - input.startedAt,
    sessions: input.sessions,
  };
  if (status !== 'completed') report.stopReason = input.stop ?? 'replans_exhausted';
  return report;
}

/** The report as a few readable lines (status, then one line per sub-task). */
export function formatReport(report: OrchestrateReport): string {
  const lines = [
    `${report.goal}`,
    `status ${report.status}${report.stopReason ? ` (${report.stopReason})` : ''} · ${report.subtasks.filter((s) => s.status === 'completed').length}/${report.plan.subtasks.length} sub-tasks · ${report.replans} re-plans · ${report.tokens.total} tokens · $${report.costUsd.toFixed(4)} · ${(report.durationMs / 1000).toFixed(1)} s`,
  ];
  for (const s of report.subtasks) {
    const why = s.error ? ` — ${s.error.message}` : '';
    lines.push(
      `  ${s.status.padEnd(9)} ${s.id.padEnd(20)} ${s.executor.padEnd(12)} ${String(s.tokens.input + s.tokens.output).padStart(6)} tok ${(s.durationMs / 1000).toFixed(1).padStart(6)} s${why}`,
    );
  }
  if (report.undone.length > 0) lines.push(`  left undone: ${report.undone.join(', ')}`);
  return lines.join('\n');
}
