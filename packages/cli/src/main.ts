import { CommanderError } from 'commander';
import { ExitCode, type ExitCodeValue } from './exitCodes.js';
import type { CliIo } from './io.js';
import { buildProgram } from './program.js';

/**
 * Runs the `troupe` command line (`argv` without node and the script) and resolves to its exit code
 * (see `ExitCode`); errors are printed on stderr as `troupe: <CODE> <message>`, never thrown.
 * @example
 * process.exitCode = await runCli(process.argv.slice(2));
 */
export async function runCli(argv: readonly string[], io: Partial<CliIo> = {}): Promise<ExitCodeValue> {
  const full: CliIo = {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    cwd: io.cwd ?? process.cwd(),
    env: io.env ?? process.env,
  };
  let code: ExitCodeValue = ExitCode.Ok;
  const program = buildProgram(full, (c) => {
    code = c;
  });
  program.exitOverride();
  for (const cmd of program.commands) cmd.exitOverride();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here too, with exit code 0.
      return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    const e = err as Error & { code?: string };
    full.stderr.write(`troupe: ${e.code ? `${e.code} ` : ''}${e.message}\n`);
    return (await import('./exitCodeOf.js')).exitCodeOf(err);
  }
}
