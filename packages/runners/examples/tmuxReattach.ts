import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore } from '@troupe/core';
import { type RunnerResult, TmuxRunner } from '@troupe/runners';

// A job in tmux outlives the runner that started it: a later runner (here later in the same
// program; usually another process, after a restart) finds it by id, replays its whole output
// and follows it to the end.
export async function main(
  socket = 'troupe',
  storeDir = mkdtempSync(join(tmpdir(), 'troupe-store-')),
): Promise<RunnerResult> {
  let id: string;
  {
    await using store = await FileStore.open({ dir: storeDir });
    await using tmux = new TmuxRunner({ socket, store });
    const session = await tmux.start({
      command: ['sh', '-c', 'for i in 1 2 3; do echo "step $i"; sleep 0.3; done'],
    });
    id = session.id;
    console.log(`started ${session.id}; watch it with: tmux -L ${socket} attach -t ${session.name}`);
  } // the runner is closed here; the tmux session keeps running

  await using store = await FileStore.open({ dir: storeDir });
  await using tmux = new TmuxRunner({ socket, store });
  const session = await tmux.reattach(id);
  session.output$.subscribe((line) => console.log(line.text)); // step 1, step 2, step 3
  return await session.wait(); // { status: 'completed', exitCode: 0, … }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await main());
