import { ValidationError } from '@troupe/core';
import type { z } from 'zod';
import { describeIssues, jsonSchemaOf, strictSchemaOf } from '../model/structured.js';
import type { ProgressSink, ToolSpec } from '../model/types.js';
import type { Approver } from './approval.js';

/** What a tool's `run` receives besides its input. */
export interface ToolContext {
  /** Aborted when the run is cancelled; pass it to anything slow. */
  signal: AbortSignal;
  /** The model's id of this call. */
  callId: string;
  /** Where the tool may report progress (the caller's sink, if any). */
  progress?: ProgressSink;
  /** Decides on calls of tools flagged `needsApproval`; without it such calls are refused. */
  approve?: Approver;
}

/** How a call went: `content` is what the model reads back (the value as text, or the problem). */
export type ToolOutcome =
  | { ok: true; value: unknown; content: string }
  | { ok: false; error: string; content: string };

/** A tool the model can call: its spec plus `call`, which never throws for bad arguments or a failing run. */
export interface Tool extends ToolSpec {
  /** Whether some calls wait for `ctx.approve` before running (see {@link ToolDefinition.needsApproval}). */
  readonly needsApproval?: boolean;
  /**
   * Checks the raw arguments (JSON text or a value) and runs the tool.
   * Invalid JSON, arguments failing the schema, and errors thrown by the
   * tool resolve to `{ ok: false }` naming the problem; only an abort of
   * `ctx.signal` rejects (with its reason).
   */
  call(args: unknown, ctx: ToolContext): Promise<ToolOutcome>;
}

/** What {@link tool} takes: a name, a description, a zod input schema and the function. */
export interface ToolDefinition<I extends z.ZodType, O> {
  /** `[A-Za-z0-9_-]{1,64}` (what every provider accepts). */
  name: string;
  description: string;
  input: I;
  /** Checks what `run` returns (a mismatch is reported to the model as a tool failure). */
  output?: z.ZodType<O>;
  /** Ask for OpenAI strict mode (default: when the schema allows it). */
  strict?: boolean;
  /**
   * Calls wait for `ctx.approve` (e.g. a `UserAgent`) after their input is
   * validated and before `run`: always, or when the function says so. A
   * refusal, or no approver at all, reaches the model as an error observation.
   */
  needsApproval?: boolean | ((input: z.output<I>) => boolean);
  run(input: z.output<I>, ctx: ToolContext): O | Promise<O>;
}

const validName = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A typed tool: the model sees `name`, `description` and the JSON Schema of
 * `input` (zod 4's `z.toJSONSchema`); calls are validated by `input` before
 * `run`. Throws `ValidationError` for a name providers would refuse.
 * @example
 * const add = tool({ name: 'add', description: 'a + b', input: z.object({ a: z.number(), b: z.number() }), run: ({ a, b }) => a + b });
 */
export function tool<I extends z.ZodType, O>(definition: ToolDefinition<I, O>): Tool {
  const { name, description, input, output, run, needsApproval } = definition;
  if (!validName.test(name)) {
    throw new ValidationError(`tool name '${name}' must match ${validName}`, {
      issues: [{ path: 'name', message: 'invalid tool name' }],
    });
  }
  const parameters = jsonSchemaOf(input);
  const strictable = strictSchemaOf(parameters);
  const strict = definition.strict ?? strictable !== undefined;
  return {
    name,
    description,
    parameters: strict && strictable ? strictable : parameters,
    strict: strict && strictable !== undefined,
    needsApproval: needsApproval !== undefined && needsApproval !== false,
    async call(args, ctx) {
      const parsedJson = parseArguments(args);
      if (!parsedJson.ok) return failure(`arguments are not valid JSON: ${parsedJson.problem}`);
      const parsed = input.safeParse(parsedJson.value);
      if (!parsed.success)
        return failure(`invalid arguments for ${name}: ${describeIssues(parsed.error.issues)}`);
      if (typeof needsApproval === 'function' ? needsApproval(parsed.data) : needsApproval) {
        const refused = await askApproval(name, parsed.data, ctx);
        if (refused) return refused;
      }
      let value: unknown;
      try {
        value = await run(parsed.data, ctx);
      } catch (err) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        return failure(`${name} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (output) {
        const checked = output.safeParse(value);
        if (!checked.success)
          return failure(`${name} returned an invalid result: ${describeIssues(checked.error.issues)}`);
        value = checked.data;
      }
      return success(value);
    },
  };
}

/** Undefined when the call may run; otherwise the failure the model reads. */
async function askApproval(name: string, input: unknown, ctx: ToolContext): Promise<ToolOutcome | undefined> {
  if (!ctx.approve) return failure(`${name} needs approval and no approver is configured; it did not run`);
  let decision: { approved: boolean; reason?: string };
  try {
    decision = await ctx.approve(
      { tool: name, callId: ctx.callId, arguments: input },
      { signal: ctx.signal },
    );
  } catch (err) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    return failure(
      `approval of ${name} failed (${err instanceof Error ? err.message : String(err)}); it did not run`,
    );
  }
  if (decision.approved) return undefined;
  return failure(`the user refused ${name}${decision.reason ? `: ${decision.reason}` : ''}; it did not run`);
}

/** Raw arguments as a value: JSON text is parsed (empty text is `{}`), anything else is taken as is. */
export function parseArguments(args: unknown): { ok: true; value: unknown } | { ok: false; problem: string } {
  if (typeof args !== 'string') return { ok: true, value: args ?? {} };
  if (args.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(args) };
  } catch (err) {
    return { ok: false, problem: (err as Error).message };
  }
}

/** A successful outcome; `content` is the value as text (strings as they are, anything else as JSON). */
export function success(value: unknown): ToolOutcome {
  const content = typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null');
  return { ok: true, value, content };
}

/** A failed outcome the model reads as `Error: <problem>`. */
export function failure(problem: string): ToolOutcome {
  return { ok: false, error: problem, content: `Error: ${problem}` };
}
