import { defineAgent, defineMessage, type HandlerContext, on } from '@troupe/core';
import { z } from 'zod';

/**
 * The fault tests' one message: a number to double, or `poison` to fail retryably every time;
 * `ms` overrides how long the worker takes over it.
 */
export const FaultWork = defineMessage(
  'fault.work',
  z.object({
    n: z.number().int(),
    mode: z.enum(['ok', 'poison']).default('ok'),
    ms: z.number().int().nonnegative().optional(),
  }),
);

/** The agent every fault-test worker hosts, with the behaviour its process gives it. */
export function faultJob(
  handle: (
    payload: { n: number; mode: 'ok' | 'poison'; ms?: number | undefined },
    ctx: HandlerContext,
  ) => Promise<number>,
) {
  return defineAgent({ type: 'fault.job', handles: { [FaultWork.type]: on(FaultWork, handle) } });
}
