import { type ChildProcess, spawn } from 'node:child_process';
import { asCancellation, newId, type Store, ValidationError } from '@troupe/core';
import { RunnerStartError, SessionNotFoundError } from '../errors.js';
import { FinishedSession } from '../internal/FinishedSession.js';
import { pidAlive, signalGroup } from '../internal/processGroup.js';
import { checkId, readRecord, type SessionRecord, writeRecord } from '../internal/records.js';
import { bounded } from '../internal/waiting.js';
import type { Runner, RunnerSession, RunnerTask, StartOptions, WaitOptions } from '../types.js';
import { OrphanSession } from './OrphanSession.js';
import { PROCESS_KEYS, type ProcessKey, ProcessSession } from './ProcessSession.js';

/** Options of {@link ProcessRunner}. */
export interface ProcessRunnerOptions {
  /** Where session records go, so {@link ProcessRunner.reattach} works from other processes. */
  store?: Store;
  /** Bytes kept of one output line (default 4 MiB); longer lines are cut and marked `truncated`. */
  maxLineBytes?: number;
  /** Ms between SIGTERM and SIGKILL when stopping a process group (default 2 000). */
  killGraceMs?: number;
  /** Extra named keys for `session.key(name)` (merged over `enter`, `tab`, `escape`, `interrupt`, `quit`, …). */
  keys?: Readonly<Record<string, ProcessKey>>;
  /** Ms between liveness checks of a process found by reattach (default 250). */
  pollMs?: number;
}

const KIND = 'process';
// Process groups still running when this process exits are killed: their pipes die with us anyway.
const liveGroups = new Set<number>();
let exitHook = false;
function killLiveGroupsOnExit(): void {
  for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
}

/**
 * Runs a program as a child process (reads `task.command` and `task.closeInput`): `spawn` with an argv array (never a shell), in its own
 * process group, stdout and stderr read line by line, the exit code deciding the status.
 * Timeout and cancel send SIGTERM then SIGKILL to the whole group; pause/resume send
 * SIGSTOP/SIGCONT to it. Sessions live as long as this process: for ones that outlive it use
 * {@link TmuxRunner}. `close()` cancels the sessions still running.
 * @example
 * await using runner = new ProcessRunner();
 * const session = await runner.start({ command: ['git', 'status', '--short'] }, { timeout: 10_000 });
 * session.output$.subscribe((line) => console.log(line.text));
 * const { status, exitCode } = await session.wait();
 */
export class ProcessRunner implements Runner {
  readonly kind = KIND;
  readonly #options: ProcessRunnerOptions;
  readonly #live = new Map<string, ProcessSession>();

  constructor(options: ProcessRunnerOptions = {}) {
    this.#options = options;
  }

  /** Starts `task.command`; rejects with `RunnerStartError` when it cannot be spawned. */
  async start(task: RunnerTask, options: StartOptions = {}): Promise<RunnerSession> {
    const command = task.command;
    if (!command || command.length === 0 || command.some((a) => typeof a !== 'string')) {
      throw new ValidationError('ProcessRunner needs task.command: a non-empty array of strings', {
        issues: [{ path: 'command', message: 'required' }],
      });
    }
    if (options.signal?.aborted) throw asCancellation(options.signal.reason);
    const id = checkId(options.id ?? newId());
    const program = command[0] as string;
    let child: ChildProcess;
    try {
      child = spawn(program, command.slice(1), {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch (err) {
      throw new RunnerStartError(`cannot start '${program}': ${(err as Error).message}`, { cause: err });
    }
    await spawned(child, program);
    const pid = child.pid as number;
    liveGroups.add(pid);
    if (!exitHook) {
      exitHook = true;
      process.on('exit', killLiveGroupsOnExit);
    }
    const record: SessionRecord = {
      kind: KIND,
      id,
      status: 'running',
      startedAt: Date.now(),
      pid,
      pgid: pid,
    };
    if (options.cwd !== undefined) record.cwd = options.cwd;
    await writeRecord(this.#options.store, record);
    const session = new ProcessSession(
      {
        child,
        record,
        store: this.#options.store,
        maxLineBytes: this.#options.maxLineBytes,
        killGraceMs: this.#options.killGraceMs ?? 2_000,
        keys: { ...PROCESS_KEYS, ...this.#options.keys },
        onEnd: () => {
          liveGroups.delete(pid);
          this.#live.delete(id);
        },
      },
      options,
    );
    this.#live.set(id, session);
    if (task.closeInput) child.stdin?.end();
    return session;
  }

  /**
   * This runner's live session with that id; else, from the store, a finished session with its
   * recorded result, or (when its controller died without cleaning up) a process that can only
   * be cancelled and awaited. `SessionNotFoundError` when none is known.
   */
  reattach(id: string, options?: WaitOptions): Promise<RunnerSession> {
    return bounded(this.#reattach(id), options, `reattaching session ${id}`);
  }

  async #reattach(id: string): Promise<RunnerSession> {
    const live = this.#live.get(id);
    if (live) return live;
    const record = await readRecord(this.#options.store, KIND, checkId(id));
    if (record?.result) return new FinishedSession(id, record.result);
    if (record?.pid !== undefined && pidAlive(record.pid)) {
      return new OrphanSession(record, this.#options.store, {
        pollMs: this.#options.pollMs ?? 250,
        killGraceMs: this.#options.killGraceMs ?? 2_000,
      });
    }
    throw new SessionNotFoundError(`no process session '${id}'${record ? ' (its process is gone)' : ''}`);
  }

  /** Cancels every session still running. Idempotent. */
  async close(): Promise<void> {
    await Promise.all([...this.#live.values()].map((s) => s.cancel('runner closed')));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function spawned(child: ChildProcess, program: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      child.off('spawn', onSpawn);
      reject(new RunnerStartError(`cannot start '${program}': ${err.message}`, { cause: err }));
    };
    const onSpawn = (): void => {
      child.off('error', onError);
      resolve();
    };
    child.once('error', onError);
    child.once('spawn', onSpawn);
  });
}
