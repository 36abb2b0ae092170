/** Whether `value` is a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` if it is a string, else undefined. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** `value` if it is a finite number, else undefined. */
export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** `value` parsed as a JSON object, or `{}` when it is not one (for providers that need an object, e.g. Anthropic `tool_use.input`). */
export function objectOrEmpty(json: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(json);
    return isRecord(value) ? value : {};
  } catch {
    return {};
  }
}

/** Text telling a model to answer with JSON matching `schema` (for servers without native structured output). */
export function jsonInstruction(schema: unknown): string {
  return `Answer with a single JSON value only, no prose and no code fence, matching this JSON Schema:\n${JSON.stringify(schema)}`;
}
