import { redactSecrets } from '../model/redact.js';

/** How values are shown in `task.tool_call` events: a size bound and a redaction. */
export interface PreviewOptions {
  /** Upper bound of a preview's JSON text, characters (default 1000). */
  maxChars?: number;
  /** Replaces what must not be shown (default {@link redactSensitive}). */
  redact?: (value: unknown) => unknown;
}

const sensitiveKey =
  /pass(word|phrase)?$|secret|token|api[-_]?key|authorization|cookie|credential|private[-_]?key/i;

/**
 * A deep copy of `value` with the values of secret-looking keys (`password`,
 * `token`, `apiKey`, `authorization`, …) replaced by `[redacted]`, and API
 * keys or bearer tokens inside strings masked.
 */
export function redactSensitive(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (typeof value !== 'object' || value === null || depth > 20) return value;
  if (Array.isArray(value)) return value.map((v) => redactSensitive(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = sensitiveKey.test(k) ? '[redacted]' : redactSensitive(v, depth + 1);
  }
  return out;
}

/** `value` redacted and, when its JSON is longer than `maxChars`, cut to that many characters with a note of how many were dropped. */
export function previewValue(value: unknown, options: PreviewOptions = {}): unknown {
  const max = options.maxChars ?? 1000;
  const redacted = (options.redact ?? redactSensitive)(value);
  let json: string;
  try {
    json = typeof redacted === 'string' ? redacted : (JSON.stringify(redacted) ?? String(redacted));
  } catch {
    json = String(redacted);
  }
  if (json.length <= max) return redacted;
  return `${json.slice(0, max)}… (${json.length - max} more chars)`;
}
