import { z } from 'zod';
import type { JsonSchema } from './types.js';

/** The JSON Schema of a zod schema's input, by zod 4's own `z.toJSONSchema` (without the `$schema` key). */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  return rest;
}

/**
 * `schema` made acceptable to OpenAI's strict mode (every object closed with
 * `additionalProperties: false`), or undefined when it cannot be: an object
 * with optional properties or open additional properties.
 */
export function strictSchemaOf(schema: JsonSchema): JsonSchema | undefined {
  let ok = true;
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (typeof node !== 'object' || node === null) return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      out[k] = k === 'properties' && typeof v === 'object' && v !== null ? mapValues(v, visit) : visit(v);
    }
    if (out.type === 'object') {
      const props = Object.keys((out.properties as object | undefined) ?? {});
      const required = new Set((out.required as string[] | undefined) ?? []);
      if (props.some((p) => !required.has(p))) ok = false;
      if (out.additionalProperties !== undefined && out.additionalProperties !== false) ok = false;
      out.additionalProperties = false;
    }
    return out;
  };
  const result = visit(schema) as JsonSchema;
  return ok ? result : undefined;
}

function mapValues(obj: object, fn: (v: unknown) => unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, fn(v)]));
}

/** What parsing a structured answer found: the value, or what is wrong with it. */
export type OutputParse<T> =
  | { ok: true; value: T }
  | { ok: false; problem: string; issues?: z.core.$ZodIssue[] };

/** Parses a model's structured answer: JSON text (a ```json fence around it is tolerated), then the zod schema. */
export function parseOutput<T>(text: string, schema: z.ZodType<T>): OutputParse<T> {
  const fenced = /^\s*```(?:json)?\s*\n([\s\S]*?)\n?```\s*$/.exec(text);
  const body = fenced ? fenced[1]! : text;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    return { ok: false, problem: `the answer is not valid JSON (${(err as Error).message})` };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, problem: describeIssues(parsed.error.issues), issues: parsed.error.issues };
}

/** Zod issues as one line: `path: message; path: message`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}
