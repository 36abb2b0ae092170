// Appends `count` events to run `id` of the FileRunRepository in `dir`, in batches of 7 (run by repository.test.ts).
import { FileRunRepository } from '@troupe/server';

const [dir, id, tag, count] = process.argv.slice(2) as [string, string, string, string];
const repo = await FileRunRepository.open({ dir });
for (let i = 0; i < Number(count); i += 7) {
  const batch = Array.from({ length: Math.min(7, Number(count) - i) }, (_, j) => ({
    kind: 'task.log' as const,
    level: 'info' as const,
    message: `${tag} ${i + j}`,
    runId: id,
    taskId: 't',
    ts: Date.now(),
    seq: i + j,
  }));
  await repo.appendEvents(id, batch);
}
await repo.close();
