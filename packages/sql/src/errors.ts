import { TroupeError, type TroupeErrorOptions } from '@troupe/core';

/** Stable codes of the errors this package throws. */
export const SqlErrorCode = {
  /** The database URL cannot be used (syntax, scheme, missing database name). */
  BadUrl: 'SQL_BAD_URL',
  /** The database server did not answer, or refused the connection or the login. */
  Unreachable: 'SQL_UNREACHABLE',
  /** A run with that id already exists (same code as the HTTP API's 409). */
  Conflict: 'CONFLICT',
  /** No run has that id (same code as the HTTP API's 404). */
  NotFound: 'NOT_FOUND',
  /** Bringing the schema to the latest version failed. */
  Migration: 'SQL_MIGRATION',
} as const;

/** The database URL is malformed, has an unknown scheme or lacks a database name. Never shows the password. */
export class SqlUrlError extends TroupeError {
  constructor(message: string, options: TroupeErrorOptions = {}) {
    super(SqlErrorCode.BadUrl, message, options);
  }
}

/**
 * The database did not answer or refused us; the message names the dialect, host, port and database
 * (never the password), and `cause` keeps the driver's error.
 */
export class SqlConnectionError extends TroupeError {
  constructor(message: string, options: TroupeErrorOptions = {}) {
    super(SqlErrorCode.Unreachable, message, { retryable: true, ...options });
  }
}

/** `createRun` was given an id that already exists. */
export class RunExistsError extends TroupeError {
  constructor(id: string) {
    super(SqlErrorCode.Conflict, `run ${JSON.stringify(id)} already exists`, { data: { id } });
  }
}

/** The run named by an update or an append does not exist. */
export class RunNotFoundError extends TroupeError {
  constructor(id: string) {
    super(SqlErrorCode.NotFound, `run ${JSON.stringify(id)} not found`, { data: { id } });
  }
}

/** Bringing the schema to the latest version failed; `data.migration` names the step. */
export class SqlMigrationError extends TroupeError {
  constructor(message: string, options: TroupeErrorOptions = {}) {
    super(SqlErrorCode.Migration, message, options);
  }
}
