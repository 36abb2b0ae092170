import { defineAgent, defineMessage, type HandlerContext, on } from '@troupe/core';
import { z } from 'zod';

/**
 * The fault tests' one message: a number to double, `poison` to fail retryably every time, or
 * `quote` to fail with a `ValidationError` quoting the whole input; `ms` overrides how long the
 * worker takes over it; `pad` only makes the task larger.
 */
export const FaultWork = defineMessage(
  'fault.work',
  z.object({
    n: z.number().int(),
    mode: z.enum(['ok', 'poison', 'quote']).default('ok'),
    ms: z.number().int().nonnegative().optional(),
    pad: z.string().optional(),
  }),
);

/** The agent every fault-test worker hosts (of type `type`), with the behaviour its process gives it. */
export function faultJob(
  handle: (
    payload: {
      n: number;
      mode: 'ok' | 'poison' | 'quote';
      ms?: number | undefined;
      pad?: string | undefined;
    },
    ctx: HandlerContext,
  ) => Promise<number>,
  type = 'fault.job',
) {
  return defineAgent({ type, handles: { [FaultWork.type]: on(FaultWork, handle) } });
}
