/**
 * Plain progress lines for an orchestrated run, for the examples (the `troupe` CLI has the live
 * view): each phase the run enters, each sub-task as it starts and ends, each question a task
 * waits on, then the report.
 */
import { trackProgress } from '@troupe/core';
import { formatReport, type OrchestrateHandle, type OrchestrateReport } from '@troupe/pipelines';
import { distinctUntilChanged, map } from 'rxjs';

/** Prints `handle`'s progress as it happens and its report at the end; resolves with the report. */
export async function printRun(handle: OrchestrateHandle): Promise<OrchestrateReport> {
  const t0 = Date.now();
  const at = () => `${String(Date.now() - t0).padStart(5)} ms`;
  trackProgress(handle.progress$)
    .pipe(
      map((p) => `${p.status} ${Math.floor(p.overallProgress)}%`),
      distinctUntilChanged(),
    )
    .subscribe((line) => console.log(`${at()}  run ${line}`));
  handle.progress$.subscribe((e) => {
    if (e.parentId === '@execute' && e.kind === 'task.started')
      console.log(`${at()}  start ${e.taskId} (${e.agent ?? ''})`);
    else if (e.parentId === '@execute' && e.kind === 'task.completed')
      console.log(`${at()}  done  ${e.taskId}`);
    else if (e.parentId === '@execute' && (e.kind === 'task.failed' || e.kind === 'task.cancelled'))
      console.log(`${at()}  ${e.kind.slice(5)} ${e.taskId}`);
    else if (e.kind === 'task.suspended') console.log(`${at()}  asks  ${e.taskId}: ${e.question}`);
  });
  const report = await handle.result;
  console.log(`\n${formatReport(report)}`);
  return report;
}
