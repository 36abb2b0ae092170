import { run, sequential } from '@troupe/pipelines';
import { ProcessRunner } from '@troupe/runners';
import type { ServerWorkflow } from '@troupe/server';
import { z } from 'zod';

/** A gate a test opens: steps of the `gated` workflow wait on it. */
export class Gates {
  readonly #open = new Map<string, () => void>();
  readonly #waits = new Map<string, Promise<void>>();

  wait(name: string): Promise<void> {
    let p = this.#waits.get(name);
    if (!p) {
      p = new Promise<void>((resolve) => this.#open.set(name, resolve));
      this.#waits.set(name, p);
    }
    return p;
  }

  open(name: string): void {
    void this.wait(name);
    this.#open.get(name)?.();
  }
}

/** Three steps; `one` and `two` each wait for their gate. */
export function gated(gates: Gates): ServerWorkflow {
  return (_input, ctx) =>
    run(
      sequential([
        async function one() {
          await gates.wait('one');
          return 1;
        },
        async function two(n: number) {
          await gates.wait('two');
          return n + 1;
        },
        async function three(n: number) {
          return n + 1;
        },
      ]),
      undefined,
      ctx.runOptions,
    );
}

/** One step that waits until the run is cancelled. */
export const forever: ServerWorkflow = (_input, ctx) =>
  run(
    async function wait(_: unknown, sctx) {
      await new Promise((_resolve, reject) =>
        sctx.signal.addEventListener('abort', () => reject(sctx.signal.reason)),
      );
    },
    undefined,
    ctx.runOptions,
  );

/** One step that asks whether to go on and returns the answer. */
export const asking: ServerWorkflow = (_input, ctx) =>
  run(
    async function approve(_: unknown, sctx) {
      return sctx.suspend({ question: 'go on?', schema: z.object({ ok: z.boolean() }) });
    },
    undefined,
    ctx.runOptions,
  );

/** `count` events (`task.log`, `size` characters each) from one step, as fast as it can (yielding every 200). */
export const chatty: ServerWorkflow = (input, ctx) =>
  run(
    async function talk({ count, size }: { count: number; size: number }, sctx) {
      const pad = 'x'.repeat(size);
      for (let i = 0; i < count; i++) {
        sctx.emit({ kind: 'task.log', level: 'info', message: `line ${i} ${pad}` });
        if (i % 200 === 199) await new Promise((resolve) => setImmediate(resolve));
      }
      return count;
    },
    input as { count: number; size: number },
    ctx.runOptions,
  );

/** `bursts` bursts of 100 events; burst `i` waits for gate `b<i>` first. */
export function bursts(gates: Gates, count = 5): ServerWorkflow {
  return (_input, ctx) =>
    run(
      async function burst(_: unknown, sctx) {
        for (let b = 0; b < count; b++) {
          await gates.wait(`b${b}`);
          for (let i = 0; i < 100; i++)
            sctx.emit({ kind: 'task.log', level: 'info', message: `burst ${b} line ${i}` });
        }
        return count;
      },
      undefined,
      ctx.runOptions,
    );
}

/** A stand-in runner session: a node program echoing each stdin line as `got: <line>`, ending on `bye`. */
const ECHO = `
const rl = require('node:readline').createInterface({ input: process.stdin });
console.log('ready');
rl.on('line', (l) => { console.log('got: ' + l); if (l === 'bye') process.exit(0); });
`;

/** One step running {@link ECHO} under a ProcessRunner, attached so messages steer it; returns what it printed. */
export const steerable: ServerWorkflow = (_input, ctx) =>
  run(
    async function session(_: unknown, sctx) {
      const s = await new ProcessRunner().start(
        { command: [process.execPath, '-e', ECHO] },
        { signal: sctx.signal },
      );
      const lines: string[] = [];
      s.output$.subscribe((l) => lines.push(l.text));
      const detach = ctx.sessions.attach(sctx.taskId, { send: (text) => s.send(`${text}\n`) });
      try {
        await s.wait();
      } finally {
        detach();
      }
      return lines;
    },
    undefined,
    ctx.runOptions,
  );
