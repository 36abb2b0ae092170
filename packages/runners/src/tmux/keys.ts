import { ValidationError } from '@troupe/core';

/** A named key: tmux key names sent as keys (`C-c`, `Enter`, `Up`), or text typed literally and then Enter. */
export type TmuxKey = { keys: readonly string[] } | { text: string };

/**
 * The design note's shortcut map for interactive coding CLIs (Claude Code first): control keys
 * and slash commands by name. Override or extend it per program with `TmuxRunnerOptions.keys`.
 */
export const DEFAULT_TMUX_KEYS: Readonly<Record<string, TmuxKey>> = {
  pause: { keys: ['C-c'] },
  resume: { keys: ['Enter'] },
  quit: { keys: ['C-d'] },
  interrupt: { keys: ['C-c'] },
  enter: { keys: ['Enter'] },
  escape: { keys: ['Escape'] },
  switch_model: { text: '/model' },
  model_claude: { text: '/model claude-sonnet' },
  model_opus: { text: '/model claude-opus' },
  help: { text: '/help' },
  stats: { text: '/stats' },
  config: { text: '/config' },
  clear: { text: '/clear' },
  exit: { text: '/exit' },
};

const RAW_KEY = /^(?:[CMS]-)*[A-Za-z0-9]{1,12}$/;
const SLASH = /^\/[A-Za-z0-9_:-]{1,40}$/;

/**
 * What `key(name)` sends: a mapped key; else a slash command (`/model`) as text; else a plain
 * tmux key name (`C-c`, `Enter`, `F5`). Anything else is a `ValidationError`.
 */
export function resolveKey(name: string, keys: Readonly<Record<string, TmuxKey>>): TmuxKey {
  const mapped = Object.hasOwn(keys, name) ? keys[name] : undefined;
  if (mapped) return mapped;
  if (SLASH.test(name)) return { text: name };
  if (RAW_KEY.test(name)) return { keys: [name] };
  throw new ValidationError(`unknown key '${name}'`, {
    issues: [
      { path: 'name', message: `a named key (${Object.keys(keys).join(', ')}), /command, or a tmux key` },
    ],
  });
}
