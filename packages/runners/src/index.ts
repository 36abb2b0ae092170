export type { ProcessRunnerOptions } from './process/ProcessRunner.js';
export { ProcessRunner } from './process/ProcessRunner.js';
export type { TmuxKey } from './tmux/keys.js';
export { DEFAULT_TMUX_KEYS } from './tmux/keys.js';
export type { TmuxRunnerOptions } from './tmux/TmuxRunner.js';
export { TmuxRunner } from './tmux/TmuxRunner.js';
export type { TmuxSession } from './tmux/TmuxSession.js';
