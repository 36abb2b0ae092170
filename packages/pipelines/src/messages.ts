import { defineMessage } from '@troupe/core';
import { z } from 'zod';

/**
 * What a {@link TaskGroup} sends an agent for each task; agents that take
 * group tasks handle it: `handles: { [TaskAssign.type]: on(TaskAssign, ({ prompt, model }, ctx) => …) }`.
 */
export const TaskAssign = defineMessage(
  'task.assign',
  z.object({
    /** The task's label in its group. */
    label: z.string(),
    /** The group it belongs to. */
    group: z.string().optional(),
    /** The instruction. */
    prompt: z.string().optional(),
    /** The model to use (e.g. `sonnet`). */
    model: z.string().optional(),
    /** Any further input. */
    input: z.unknown().optional(),
  }),
);

/** The payload of {@link TaskAssign}: what a task step receives as its input. */
export type TaskAssignment = z.output<typeof TaskAssign.schema>;

/**
 * What a {@link MsgHub} tells every other participant when one speaks (and
 * for announcements): handle it to observe the conversation.
 */
export const HubMessage = defineMessage(
  'hub.message',
  z.object({
    /** The hub's id. */
    hub: z.string(),
    /** Who spoke: `type` or `type/key`, or `hub` for announcements. */
    from: z.string(),
    /** What was said (a reply, or an announcement). */
    content: z.unknown(),
  }),
);

/** The payload of {@link HubMessage}. */
export type HubMessagePayload = z.output<typeof HubMessage.schema>;
