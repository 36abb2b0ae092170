import { defineMessage } from '@troupe/core';
import { z } from 'zod';

/** Asks the human a question; the reply is `{ answer, timedOut? }`. */
export const UserAsk = defineMessage(
  'user.ask',
  z.object({
    question: z.string().min(1),
    /** When set, only one of these is accepted (the human is asked again otherwise). */
    choices: z.array(z.string()).min(1).optional(),
    /** Milliseconds to wait for the human (default: the agent's `timeout`). */
    timeout: z.number().int().positive().optional(),
    /** The answer when the wait times out; without it a timeout rejects with `TimeoutError`. */
    default: z.string().optional(),
  }),
);

/** Asks the human whether a tool call may run; the reply is `{ approved, reason? }`. */
export const UserApprove = defineMessage(
  'user.approve',
  z.object({
    tool: z.string().min(1),
    /** The validated arguments of the call. */
    arguments: z.unknown(),
    /** The model's call id. */
    callId: z.string().optional(),
    /** Why the call is made, in words. */
    reason: z.string().optional(),
    /** Milliseconds to wait (default: the agent's `timeout`); no answer in time is a refusal. */
    timeout: z.number().int().positive().optional(),
  }),
);

/** The reply to {@link UserAsk}: the answer, and `timedOut` when it is the request's `default`. */
export interface UserAnswer {
  answer: string;
  timedOut?: boolean;
}

/** The reply to {@link UserApprove}: approved or not, and why not. */
export interface UserApproval {
  approved: boolean;
  reason?: string;
}
