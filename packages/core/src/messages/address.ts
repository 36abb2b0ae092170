import { z } from 'zod';

const NAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const KEY = /^[A-Za-z0-9_:=@+-]+$/;

/** Schema of an agent address: a type and, for one particular instance, a key. */
export const AgentAddressSchema = z.object({
  type: z.string().regex(NAME, 'agent type must be dotted words of [A-Za-z0-9_-]'),
  key: z.string().regex(KEY, 'agent key must be [A-Za-z0-9_:=@+-]').max(256).optional(),
});

/** Where a message goes: `{ type }` is any instance of the type, `{ type, key }` that one instance. */
export interface AgentAddress {
  /** The agent type, e.g. `research.writer`. */
  type: string;
  /** The instance key; absent means "any instance". */
  key?: string;
}

/** `type` or `type/key`, for logs and error messages. */
export function formatAddress(address: AgentAddress): string {
  return address.key === undefined ? address.type : `${address.type}/${address.key}`;
}

/** Whether `name` is a valid agent or message type (dotted words of `[A-Za-z0-9_-]`). */
export function isValidName(name: string): boolean {
  return NAME.test(name);
}

/** Whether `key` is a valid instance key (safe as a single NATS subject token). */
export function isValidKey(key: string): boolean {
  return key.length <= 256 && KEY.test(key);
}
