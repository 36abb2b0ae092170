/**
 * The floor of an in-process ask: an XState machine answering through a callback in the event,
 * measured in a fresh process (`xstateFloor.ts <asks>` prints `{ sequential, inFlight }` as one
 * JSON line): in the process that also runs our handler agents, XState's shared actor code sees
 * two kinds of logic and runs the machine measurably slower, which would flatter the ratio.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createActor, createMachine } from 'xstate';
import { best, inFlight, opsPerSec } from '../table.js';

/** XState sends per second (best of 3), sequential and 256 in flight. */
export interface XStateFloor {
  sequential: number;
  inFlight: number;
}

async function measure(asks: number): Promise<XStateFloor> {
  const machine = createMachine({
    types: {} as { events: { type: 'ping'; n: number; reply: (n: number) => void } },
    on: { ping: { actions: ({ event }) => event.reply(event.n) } },
  });
  const actor = createActor(machine).start();
  const send = (i: number) => new Promise<number>((reply) => actor.send({ type: 'ping', n: i, reply }));
  const sequential = await best(3, () =>
    opsPerSec(asks, async () => {
      for (let i = 0; i < asks; i++) await send(i);
    }),
  );
  const wide = await best(3, () => opsPerSec(asks, () => inFlight(asks, 256, send)));
  return { sequential, inFlight: wide };
}

/** Measures the floor in a child process (same Node flags as this one). */
export function xstateFloorInChild(asks: number): XStateFloor {
  const entry = fileURLToPath(import.meta.url);
  const out = execFileSync(process.execPath, [...process.execArgv, entry, String(asks)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.trim().split('\n').at(-1) as string) as XStateFloor;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await measure(Number(process.argv[2] ?? 200_000))));
}
