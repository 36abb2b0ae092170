import type { ProgressEvent, RunPage, RunRecord, TaskProgress } from '@troupe/core';

export type { RunPage, RunRecord } from '@troupe/core';

/** What the WebSocket `/ws/tasks/:id` sends. */
export type LiveMessage =
  | { type: 'snapshot'; seq: number; snapshot: TaskProgress; run: RunRecord }
  | { type: 'event'; seq: number; event: ProgressEvent }
  | { type: 'lagged'; seq: number }
  | { type: 'end'; run: RunRecord };

/** A failed API call: the HTTP status and the server's `{ error: { code, message } }`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'troupe.token';

/** The bearer token: `?token=` in the page URL (then dropped from the address bar), else the saved one. */
export function initialToken(): string {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl !== null) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(null, '', url.toString());
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

/** Saves the token typed in the login box. */
export function saveToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

/** The server's API, relative to the page (so the board works behind a path prefix). */
export class Api {
  constructor(public token: string) {}

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token !== '') headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const init: RequestInit = { method, headers };
    if (body !== undefined) init.body = JSON.stringify(body);
    const res = await fetch(new URL(`api/v1/${path}`, document.baseURI), init);
    const text = await res.text();
    const json: unknown = text === '' ? undefined : safeParse(text);
    if (!res.ok) {
      const err = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ApiError(res.status, err?.code ?? `HTTP_${res.status}`, err?.message ?? res.statusText);
    }
    return json as T;
  }

  list(query: { status?: string[]; limit?: number; cursor?: string } = {}): Promise<RunPage> {
    const q = new URLSearchParams();
    if (query.status !== undefined && query.status.length > 0) q.set('status', query.status.join(','));
    q.set('limit', String(query.limit ?? 50));
    if (query.cursor !== undefined) q.set('cursor', query.cursor);
    return this.#call('GET', `tasks?${q}`);
  }
  get(id: string): Promise<RunRecord> {
    return this.#call('GET', `tasks/${encodeURIComponent(id)}`);
  }
  start(input: { goal?: string; workflow?: string }): Promise<RunRecord> {
    return this.#call('POST', 'tasks', input);
  }
  pause(id: string): Promise<RunRecord> {
    return this.#call('POST', `tasks/${encodeURIComponent(id)}/pause`);
  }
  resume(id: string): Promise<RunRecord> {
    return this.#call('POST', `tasks/${encodeURIComponent(id)}/resume`);
  }
  cancel(id: string): Promise<RunRecord> {
    return this.#call('DELETE', `tasks/${encodeURIComponent(id)}`);
  }
  message(id: string, sid: string, text: string): Promise<void> {
    return this.#call(
      'POST',
      `tasks/${encodeURIComponent(id)}/subtasks/${encodeURIComponent(sid)}/messages`,
      {
        text,
      },
    );
  }
  answer(id: string, sid: string, answer: unknown): Promise<void> {
    return this.#call('POST', `tasks/${encodeURIComponent(id)}/subtasks/${encodeURIComponent(sid)}/answer`, {
      answer,
    });
  }
  /** The WebSocket URL of a run's live stream (the token goes in the query: browsers cannot set headers). */
  liveUrl(id: string, after: number | undefined): string {
    const url = new URL(`ws/tasks/${encodeURIComponent(id)}`, document.baseURI);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    if (after !== undefined) url.searchParams.set('after', String(after));
    if (this.token !== '') url.searchParams.set('token', this.token);
    return url.toString();
  }
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
