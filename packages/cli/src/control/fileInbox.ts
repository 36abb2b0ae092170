import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TimeoutError } from '@troupe/core';
import { readJsonFile, writeJsonFile } from '../runs/jsonFile.js';
import {
  type ControlHandler,
  type ControlReply,
  ControlReplySchema,
  type ControlRequest,
  ControlRequestSchema,
} from './request.js';

const REQUEST = /^([0-9a-f]{16})\.request\.json$/;

/**
 * Control requests through the run's `control/` directory, for runs without NATS: a sender writes
 * `<id>.request.json` (atomically), the run process looks every `interval` ms, handles each request
 * once, writes `<id>.reply.json` and removes the request. Resolves to the stop function.
 */
export async function serveFileInbox(
  dir: string,
  handle: ControlHandler,
  interval = 100,
): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true });
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let busy: Promise<void> = Promise.resolve();
  const look = async (): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const id = REQUEST.exec(name)?.[1];
      if (id === undefined || stopped) continue;
      const file = join(dir, name);
      const raw = await readJsonFile<unknown>(file).catch(() => undefined);
      await rm(file, { force: true });
      const parsed = ControlRequestSchema.safeParse(raw);
      const reply: ControlReply = parsed.success
        ? await handle(parsed.data).catch((err: unknown) => ({
            ok: false,
            state: 'unknown',
            message: (err as Error).message,
          }))
        : { ok: false, state: 'unknown', message: 'not a control request' };
      await writeJsonFile(join(dir, `${id}.reply.json`), reply);
    }
  };
  const tick = (): void => {
    busy = look()
      .catch(() => undefined)
      .then(() => {
        if (!stopped) timer = setTimeout(tick, interval);
      });
  };
  tick();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await busy;
  };
}

/**
 * Sends a control request through a run's `control/` directory and waits for the reply. Rejects
 * with `TimeoutError` when no reply comes within `timeout` ms (the run process is gone or stuck).
 */
export async function sendFileRequest(
  dir: string,
  request: ControlRequest,
  options: { timeout?: number; signal?: AbortSignal } = {},
): Promise<ControlReply> {
  await mkdir(dir, { recursive: true });
  const id = randomBytes(8).toString('hex');
  await writeJsonFile(join(dir, `${id}.request.json`), request);
  const replyFile = join(dir, `${id}.reply.json`);
  const deadline = Date.now() + (options.timeout ?? 10_000);
  for (;;) {
    options.signal?.throwIfAborted();
    const raw = await readJsonFile<unknown>(replyFile).catch(() => undefined);
    if (raw !== undefined) {
      await rm(replyFile, { force: true });
      return ControlReplySchema.parse(raw);
    }
    if (Date.now() > deadline) {
      await rm(join(dir, `${id}.request.json`), { force: true });
      throw new TimeoutError(
        `the run did not answer the ${request.op} request within ${options.timeout ?? 10_000} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
