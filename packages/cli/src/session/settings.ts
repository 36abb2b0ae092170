import type { RunRecord } from '../runs/RunRecord.js';

/** Everything `troupe run` was told, after defaults (and, on `--resume`, the stored settings). */
export interface RunSettings {
  storeDir: string;
  runId: string;
  name: string;
  target: RunRecord['target'];
  resume: boolean;
  model?: string;
  maxConcurrency?: number;
  nats?: string;
  namespace: string;
  budgetTokens?: number;
  budgetUsd?: number;
  input?: unknown;
  /** `live` (a terminal), `plain` lines, or `json` lines. */
  output: 'live' | 'plain' | 'json';
  /** Answers to deliver once their tasks ask (`troupe answer` on a run that was not running). */
  answers?: ReadonlyMap<string, unknown>;
}

/** The stored form of the settings that `--resume` reuses. */
export function storedSettings(s: RunSettings): RunRecord['settings'] {
  return {
    namespace: s.namespace,
    ...(s.model === undefined ? {} : { model: s.model }),
    ...(s.maxConcurrency === undefined ? {} : { maxConcurrency: s.maxConcurrency }),
    ...(s.nats === undefined ? {} : { nats: s.nats }),
    ...(s.budgetTokens === undefined ? {} : { budgetTokens: s.budgetTokens }),
    ...(s.budgetUsd === undefined ? {} : { budgetUsd: s.budgetUsd }),
    ...(s.input === undefined ? {} : { input: s.input }),
  };
}
