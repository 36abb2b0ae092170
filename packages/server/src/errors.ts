import { TroupeError, type TroupeErrorOptions } from '@troupe/core';

/** Stable codes of the errors the server answers with (beside core's `VALIDATION`, `UNAUTHORIZED`). */
export const ServerErrorCode = {
  NotFound: 'NOT_FOUND',
  Conflict: 'CONFLICT',
  Unauthorized: 'UNAUTHORIZED',
  Validation: 'VALIDATION',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  UnsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  BadRequest: 'BAD_REQUEST',
  Internal: 'INTERNAL',
  MissingPackage: 'MISSING_PACKAGE',
} as const;

/** A run, sub-task or workflow that does not exist (HTTP 404). */
export class RunNotFoundError extends TroupeError {
  constructor(message: string, options: TroupeErrorOptions = {}) {
    super(ServerErrorCode.NotFound, message, options);
  }
}

/** A run id that is taken (`RunRepository.createRun`; HTTP 409). */
export class RunExistsError extends TroupeError {
  constructor(id: string, options: TroupeErrorOptions = {}) {
    super(ServerErrorCode.Conflict, `run '${id}' already exists`, { ...options, data: { id } });
  }
}

/** An operation the run's state does not allow now: pausing a finished run, answering a task that asks nothing (HTTP 409). */
export class RunConflictError extends TroupeError {
  constructor(message: string, options: TroupeErrorOptions = {}) {
    super(ServerErrorCode.Conflict, message, options);
  }
}

/** An optional package the server was asked to use is not installed (`--db` without `@troupe/sql`). */
export class MissingPackageError extends TroupeError {
  /** The package to install. */
  readonly packageName: string;

  constructor(packageName: string, purpose: string, options: TroupeErrorOptions = {}) {
    super(
      ServerErrorCode.MissingPackage,
      `${purpose} needs the package '${packageName}': install it (pnpm add ${packageName})`,
      { ...options, data: { packageName } },
    );
    this.packageName = packageName;
  }
}
