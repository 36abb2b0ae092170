import { ModelErrorCode } from '@troupe/agents';
import { TransportError, UnauthorizedError } from '@troupe/core';
import { CliError } from './errors.js';
import { ExitCode, type ExitCodeValue } from './exitCodes.js';

/**
 * The exit code an error ends a command with: a {@link CliError}'s own, 3 for a missing API key
 * (`MissingApiKeyError` of @troupe/agents), 2 for a missing optional package (`MissingPackageError`), 4 for a NATS server that cannot be reached or refused
 * the credentials, 1 otherwise.
 */
export function exitCodeOf(err: unknown): ExitCodeValue {
  if (err instanceof CliError) return err.exitCode;
  const code = (err as { code?: unknown } | null)?.code;
  if (code === ModelErrorCode.MissingApiKey) return ExitCode.MissingApiKey;
  // `troupe serve --db` without @troupe/sql installed.
  if (code === 'MISSING_PACKAGE') return ExitCode.Usage;
  if (err instanceof TransportError || err instanceof UnauthorizedError) {
    const data = (err as TransportError).data;
    if (data !== undefined && 'servers' in data) return ExitCode.NatsUnavailable;
  }
  return ExitCode.Failed;
}
