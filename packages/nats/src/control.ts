import { CancelledError, errorFromWire, errorToWire, type TroupeError, type WireError } from '@troupe/core';
import { z } from 'zod';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const WireErrorSchema: z.ZodType<WireError> = z.lazy(() =>
  z.object({
    code: z.string(),
    name: z.string(),
    message: z.string(),
    data: z.record(z.string(), z.unknown()).optional(),
    retryable: z.boolean().optional(),
    cause: WireErrorSchema.optional(),
  }),
) as z.ZodType<WireError>;

/** What travels on `troupe.<ns>.control.<runId>` to cancel one message in flight. */
const ControlSchema = z.object({
  id: z.string().min(1).max(128),
  reason: WireErrorSchema.optional(),
});

/** A cancel for the message with envelope id `id`. */
export interface Control {
  id: string;
  reason: TroupeError;
}

/** Encodes a cancel of message `id` with `reason` (sent with its cause chain). */
export function encodeControl(id: string, reason: unknown): Uint8Array {
  return encoder.encode(JSON.stringify({ id, reason: errorToWire(reason) }));
}

/** Decodes a cancel; `null` when it is not one (malformed input is ignored, never thrown). */
export function readControl(data: Uint8Array): Control | null {
  try {
    const parsed = ControlSchema.safeParse(JSON.parse(decoder.decode(data)));
    if (!parsed.success) return null;
    const { id, reason } = parsed.data;
    return { id, reason: reason ? errorFromWire(reason) : new CancelledError('cancelled by the asker') };
  } catch {
    return null; // not JSON, or nested too deep to walk
  }
}
