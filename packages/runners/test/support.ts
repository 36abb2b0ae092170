import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProgressInput } from '@troupe/core';
import { processesWith } from '@troupe/testing';
import type { Observable } from 'rxjs';

/** `[node, <fixture script>]`. */
export function fixture(name: string): string[] {
  return [process.execPath, fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))];
}

const markers = new Set<string>();

/** A `sleep` duration unique to one test, so its processes can be found by command line. */
export function sleepMarker(): string {
  const marker = `86400.${randomInt(100_000, 999_999)}`;
  markers.add(marker);
  return marker;
}

/** SIGKILLs whatever a failed test left running under one of this file's markers (for afterAll). */
export function killMarked(): void {
  for (const marker of markers) {
    for (const pid of processesWith(marker)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
  }
}

const dirs = new Set<string>();

/** A fresh temporary directory (removed by {@link removeTempDirs}). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  dirs.add(dir);
  return dir;
}

/** Removes the directories {@link tempDir} made in this file (for afterAll). */
export function removeTempDirs(): void {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

/** The prompt with every character a shell or tmux would treat specially. */
export const NASTY =
  '-x $(touch pwned) `touch pwned2` "double" \'single\' a\\b #{session_name} ;\nsecond line; ends with;';

/** Every event a stream emits, collected as it comes. */
export function record<T>(stream: Observable<T>): T[] {
  const seen: T[] = [];
  stream.subscribe((value) => seen.push(value));
  return seen;
}

/** The events of one kind. */
export function ofKind<K extends ProgressInput['kind']>(events: ProgressInput[], kind: K) {
  return events.filter((e): e is Extract<ProgressInput, { kind: K }> => e.kind === kind);
}

/** The state letter of a process in /proc (`T` when stopped), or undefined when it is gone. */
export async function procState(pid: number): Promise<string | undefined> {
  const { readFile } = await import('node:fs/promises');
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}
