import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type AgentDef, TroupeError, ValidationError } from '@troupe/core';

/** Stable code of {@link AgentsModuleError}. */
export const AGENTS_MODULE_ERROR = 'AGENTS_MODULE';

/**
 * An agents module could not be imported: a TypeScript module on a Node.js without type stripping
 * and without `tsx` installed, or an import that failed (`cause` keeps the original error).
 */
export class AgentsModuleError extends TroupeError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(AGENTS_MODULE_ERROR, message, options);
  }
}

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
 * `kind: 'agent'`. `path` is resolved against `cwd`. A TypeScript module
 * (`.ts`, `.mts`, `.cts`) loads through Node's own type stripping where it has
 * it (Node ≥ 22.18 or 23.6 by default), else through `tsx` when it is installed
 * next to the module or in `cwd`. Throws `AgentsModuleError` when the module
 * cannot be imported, `ValidationError` when it exports no agent definitions.
 */
export async function loadAgents(path: string, cwd: string = process.cwd()): Promise<AgentDef[]> {
  const file = isAbsolute(path) ? path : resolve(cwd, path);
  const mod = await importModule(file, cwd);
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

const TYPESCRIPT = /\.[cm]?ts$/;
/** Errors Node.js raises for a TypeScript file it cannot run by itself. */
const CANNOT_RUN_TS = new Set([
  'ERR_UNKNOWN_FILE_EXTENSION',
  'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX',
  'ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING',
]);

/**
 * Imports a user's module (an absolute path) as {@link loadAgents} does: directly, or for a
 * TypeScript file that Node.js cannot run by itself, through `tsx` found next to this package, the
 * file or `cwd`. Throws `AgentsModuleError` when it cannot be imported.
 */
export async function importModule(file: string, cwd: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (!TYPESCRIPT.test(file) || typeof code !== 'string' || !CANNOT_RUN_TS.has(code)) {
      throw new AgentsModuleError(`cannot import agents module ${file}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const api = await tsxApi(file, cwd);
    if (api === undefined) throw new AgentsModuleError(noTypeScriptMessage(file, code), { cause: err });
    if (typeof api.register !== 'function') {
      throw new AgentsModuleError(`cannot import ${file}: tsx/esm/api has no register()`, { cause: err });
    }
    api.register();
    // A new URL: Node keeps the failed attempt cached under the plain one.
    return (await import(`${url}?tsx`)) as Record<string, unknown>;
  }
}

/**
 * tsx's ESM API: resolved from this package first (tsx is its optional peer dependency), else from
 * the agents module's directory, then `cwd` (a global troupe-worker with a project's own tsx).
 * Undefined when tsx is not installed.
 */
async function tsxApi(file: string, cwd: string): Promise<{ register?: () => unknown } | undefined> {
  const specifier = 'tsx/esm/api';
  try {
    return (await import(specifier)) as { register?: () => unknown };
  } catch {
    // not installed next to @troupe/nats
  }
  for (const from of [file, join(cwd, 'noop.js')]) {
    try {
      // require.resolve would pick tsx's CommonJS build; read its exports map for the ESM one.
      const pkgJson = createRequire(from).resolve('tsx/package.json');
      const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as TsxPackageJson;
      const entry = pkg.exports?.['./esm/api']?.import?.default;
      if (entry) return (await import(pathToFileURL(join(dirname(pkgJson), entry)).href)) as never;
    } catch {
      // not installed there
    }
  }
  return undefined;
}

interface TsxPackageJson {
  exports?: Record<string, { import?: { default?: string } } | undefined>;
}

function noTypeScriptMessage(file: string, code: string): string {
  const strips = (process.features as { typescript?: unknown }).typescript;
  const why =
    code === 'ERR_UNKNOWN_FILE_EXTENSION' && !strips
      ? `Node.js ${process.version} cannot strip TypeScript types (Node 20 has no type stripping; ` +
        'Node ≥ 22.18 and ≥ 23.6 strip them by default, 22.6+ with --experimental-strip-types)'
      : `Node.js ${process.version} refused it (${code}: type stripping runs only erasable syntax, ` +
        'with .ts extensions in relative imports)';
  return (
    `cannot load the TypeScript agents module ${file}: ${why}, and tsx is not installed ` +
    `(looked from ${dirname(file)} and the current directory). Install it (npm install --save-dev tsx), ` +
    'or compile the module and pass the .js file to --agents.'
  );
}
