import { fileURLToPath } from 'node:url';

/** The coding CLIs that have a stand-in. */
export type StandInCli = 'claude' | 'qwen' | 'gemini' | 'codex';

/**
 * Absolute path of the stand-in for a coding CLI: a small node script that prints that CLI's
 * real line format (from its docs and source) with delays, tool calls, usage, a session id for
 * resume, and scenarios picked by `scenario:<name>` in the prompt (`ok`, `fail`, `hang`, `big`
 * — a 200 KiB line —, `echo`, `unknown`, `slow`, and more per CLI).
 */
export function standInCli(name: StandInCli): string {
  return fileURLToPath(new URL(`./standins/fake-${name}.mjs`, import.meta.url));
}

/** The argv that runs a stand-in CLI with this node: `[process.execPath, standInCli(name)]`. */
export function standInCommand(name: StandInCli): string[] {
  return [process.execPath, standInCli(name)];
}
