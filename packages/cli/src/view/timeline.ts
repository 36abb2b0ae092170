import type { ProgressEvent } from '@troupe/core';
import { PlainLines } from './plainLines.js';

/**
 * A run's timeline from its event log: one line per lifecycle event, log line, tool call and
 * artifact, timed from the first event (`+1.234s`).
 */
export function renderTimeline(events: readonly ProgressEvent[]): string[] {
  const plain = new PlainLines(events[0]?.ts);
  const lines: string[] = [];
  for (const e of events) {
    const line = plain.event(e);
    if (line !== undefined) lines.push(line);
  }
  return lines;
}
