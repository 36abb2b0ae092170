import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type AgentDef, ValidationError } from '@troupe/core';

/** Whether `value` is an agent definition made by `defineAgent`. */
export function isAgentDef(value: unknown): value is AgentDef {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'agent' &&
    typeof (value as { type?: unknown }).type === 'string'
  );
}

/**
 * The agent definitions a module exports: its default export when that is an
 * array of definitions, otherwise every named (or default) export with
 * `kind: 'agent'`. `path` is resolved against `cwd`.
 */
export async function loadAgents(path: string, cwd: string = process.cwd()): Promise<AgentDef[]> {
  const file = isAbsolute(path) ? path : resolve(cwd, path);
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const fallback = mod.default;
  if (Array.isArray(fallback)) {
    const bad = fallback.findIndex((d) => !isAgentDef(d));
    if (bad >= 0) {
      throw new ValidationError(`${path}: default export [${bad}] is not an agent definition`, {
        issues: [{ path: `default.${bad}`, message: 'not an agent definition' }],
      });
    }
    return fallback as AgentDef[];
  }
  const defs = Object.values(mod).filter(isAgentDef);
  const unique = [...new Map(defs.map((d) => [d.type, d])).values()];
  if (unique.length === 0) {
    throw new ValidationError(`${path} exports no agent definitions`, {
      issues: [{ path: 'exports', message: "no export with kind: 'agent'" }],
    });
  }
  return unique;
}
