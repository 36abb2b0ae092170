import { trackProgress } from '@troupe/core';
import { dag, run, step } from '@troupe/pipelines';
import { lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';

describe('dag progress', () => {
  it('should announce each node with the task ids of its dependencies (dependsOn)', async () => {
    const graph = dag(
      {
        fetch: () => 1,
        parse: { deps: ['fetch'], step: step(() => 2, { name: 'parse' }) },
        lint: { deps: ['fetch'], step: step(() => 3, { name: 'lint' }) },
        report: { deps: ['parse', 'lint', 'parse'], step: step(() => 4, { name: 'report' }) },
      },
      { name: 'graph' },
    );
    const handle = run(graph, null);
    const final = lastValueFrom(trackProgress(handle.progress$));
    await handle.result;
    const cards = (await final).subtasks[0]?.subtasks ?? [];
    const idOf = (name: string) => cards.find((c) => c.name === name)?.taskId;
    const depsOf = (name: string) =>
      cards.find((c) => c.name === name)?.dependsOn?.map((id) => cards.find((c) => c.taskId === id)?.name);
    expect(idOf('fetch')).toBeDefined();
    expect(cards.find((c) => c.name === 'fetch')?.dependsOn).toBeUndefined();
    expect(depsOf('parse')).toEqual(['fetch']);
    expect(depsOf('lint')).toEqual(['fetch']);
    expect(depsOf('report')).toEqual(['parse', 'lint']);
  });
});
