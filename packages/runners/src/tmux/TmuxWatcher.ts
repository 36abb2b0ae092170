import { createLogger } from '@troupe/core';
import { noServer, noSessions, type Tmux } from './tmuxCli.js';

/** One pane as `list-panes` reports it. */
export interface PaneInfo {
  dead: boolean;
  /** Exit status of a dead pane (undefined when killed by a signal). */
  status: number | undefined;
  /** Signal number that killed a dead pane. */
  signal: number | undefined;
  pid: number;
}

/** Called each tick with the session's pane, or `undefined` once the session is gone. */
export type PaneListener = (pane: PaneInfo | undefined) => void;

const FORMAT = '#{session_name}\t#{pane_dead}\t#{pane_dead_status}\t#{pane_dead_signal}\t#{pane_pid}';
const log = createLogger({ name: 'runners.tmux' });

function int(text: string | undefined): number | undefined {
  return text === undefined || text === '' ? undefined : Number(text);
}

/**
 * Watches every session of one runner with a single `list-panes -a` per tick (not one tmux
 * call per session), and only while some session is watched.
 */
export class TmuxWatcher {
  readonly #tmux: Tmux;
  readonly #pollMs: number;
  readonly #listeners = new Map<string, PaneListener>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #busy = false;

  constructor(tmux: Tmux, pollMs: number) {
    this.#tmux = tmux;
    this.#pollMs = pollMs;
  }

  /** Watches session `name`; returns the unwatch. */
  watch(name: string, listener: PaneListener): () => void {
    this.#listeners.set(name, listener);
    this.#schedule();
    return () => {
      if (this.#listeners.get(name) === listener) this.#listeners.delete(name);
    };
  }

  /** Stops watching everything. */
  close(): void {
    this.#listeners.clear();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#busy || this.#listeners.size === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#tick();
    }, this.#pollMs);
  }

  async #tick(): Promise<void> {
    this.#busy = true;
    try {
      const panes = await this.#list();
      if (panes) {
        for (const [name, listener] of [...this.#listeners]) listener(panes.get(name));
      }
    } catch (err) {
      log.warn('listing tmux panes failed', { error: String(err) });
    } finally {
      this.#busy = false;
      this.#schedule();
    }
  }

  /** Panes by session name (first pane of each); an empty map when no server or no session runs; undefined on a tmux error. */
  async #list(): Promise<Map<string, PaneInfo> | undefined> {
    const out = await this.#tmux.exec(['list-panes', '-a', '-F', FORMAT]);
    const panes = new Map<string, PaneInfo>();
    if (out.code !== 0) return noServer(out.stderr) || noSessions(out.stderr) ? panes : undefined;
    for (const row of out.stdout.split('\n')) {
      const [name, dead, status, signal, pid] = row.split('\t');
      if (!name || panes.has(name)) continue;
      panes.set(name, { dead: dead === '1', status: int(status), signal: int(signal), pid: Number(pid) });
    }
    return panes;
  }
}
