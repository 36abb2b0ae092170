import { CancelledError, defineAgent, defineMessage, on, TimeoutError, TroupeError } from '@troupe/core';
import { TaskAssign } from '@troupe/pipelines';
import { z } from 'zod';

/** Sleeps `ms`, rejecting with the signal's reason when it aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** How long `vi.waitFor` / `expect.poll` wait in these tests: generous, the machine is shared. */
export const WAIT = { timeout: 10_000, interval: 5 };

/** Counts work in flight and remembers the highest count seen. */
export class InFlight {
  now = 0;
  max = 0;
  enter(): void {
    this.now += 1;
    this.max = Math.max(this.max, this.now);
  }
  leave(): void {
    this.now -= 1;
  }
}

export const Inc = defineMessage('test.inc', z.object({ n: z.number() }));
/** A no-op-ish agent: replies n + 1. */
export const Adder = defineAgent({ type: 'test.adder', handles: { [Inc.type]: on(Inc, ({ n }) => n + 1) } });

export const Work = defineMessage('test.work', z.object({ ms: z.number(), fail: z.string().optional() }));
/** An agent that works for `ms` (honouring its signal), then replies or fails. */
export function slowAgent(type: string, flight: InFlight, seen?: AbortSignal[]) {
  return defineAgent({
    type,
    handles: {
      [Work.type]: on(Work, async ({ ms, fail }, ctx) => {
        flight.enter();
        seen?.push(ctx.signal);
        try {
          await pause(ms, ctx.signal);
          if (fail !== undefined) throw new Error(fail);
          return `${ctx.self.key} worked ${ms} ms`;
        } finally {
          flight.leave();
        }
      }),
    },
  });
}

/** A transient failure worth retrying. */
export class FlakyError extends TroupeError {
  constructor(message: string) {
    super('FLAKY', message, { retryable: true });
  }
}

/**
 * An agent taking TaskGroup tasks. The prompt scripts it: `fail:<msg>` fails,
 * `sleep:<ms>` works that long, `flaky:<n>` fails retryably n times first,
 * `fatal` fails non-retryably; anything else completes at once.
 */
export function taskAgent(type: string, flight = new InFlight(), attempts = new Map<string, number>()) {
  return defineAgent({
    type,
    handles: {
      [TaskAssign.type]: on(TaskAssign, async ({ label, prompt, model }, ctx) => {
        flight.enter();
        try {
          const n = (attempts.get(label) ?? 0) + 1;
          attempts.set(label, n);
          const [verb, arg = ''] = (prompt ?? '').split(':');
          if (verb === 'fail') throw new Error(arg);
          if (verb === 'fatal') throw new TroupeError('FATAL', `fatal in ${label}`, { retryable: false });
          if (verb === 'flaky' && n <= Number(arg)) throw new FlakyError(`flaky ${label} attempt ${n}`);
          if (verb === 'sleep') await pause(Number(arg), ctx.signal);
          await pause(5, ctx.signal);
          return `${type} did '${label}'${model ? ` with ${model}` : ''}`;
        } finally {
          flight.leave();
        }
      }),
    },
  });
}

export { CancelledError, TimeoutError };
