/** What the server needs of a runner session to steer it (`RunnerSession` of `@troupe/runners` fits). */
export interface SteerableSession {
  /** Sends text to the program (stdin, keystrokes, a gateway message). */
  send(text: string): Promise<void>;
}

/**
 * The runner sessions of one run's sub-tasks, by task id: what `POST /api/v1/tasks/:id/subtasks/:sid/messages`
 * steers. A workflow attaches a session once it starts one (`ctx.sessions.attach(taskId, session)`);
 * the server never guesses which session belongs to which sub-task.
 */
export class SessionBoard {
  readonly #sessions = new Map<string, SteerableSession>();

  /** Attaches `session` to sub-task `taskId` (replacing any); returns a function that detaches it. */
  attach(taskId: string, session: SteerableSession): () => void {
    this.#sessions.set(taskId, session);
    return () => {
      if (this.#sessions.get(taskId) === session) this.#sessions.delete(taskId);
    };
  }

  /** The session attached to `taskId`, if any. */
  get(taskId: string): SteerableSession | undefined {
    return this.#sessions.get(taskId);
  }

  /** Detaches every session (the run ended). */
  clear(): void {
    this.#sessions.clear();
  }
}
