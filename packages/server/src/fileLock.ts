import { open, rm, stat } from 'node:fs/promises';

/** Ms after which a lock file nobody released is taken as left by a dead process. */
const STALE_MS = 30_000;

/**
 * Runs `fn` holding the lock file `path` (created with O_EXCL, so processes sharing the directory
 * take turns), waiting for it with a short backoff; a lock older than 30 s is broken.
 */
export async function withFileLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  let delay = 2;
  for (;;) {
    try {
      const fh = await open(path, 'wx');
      await fh.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = await stat(path).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > STALE_MS) await rm(path, { force: true });
      else await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(50, delay * 2);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(path, { force: true });
  }
}
