import { TroupeError, toError } from '@troupe/core';

/** Stable code of {@link StepError}. */
export const STEP_FAILED = 'STEP_FAILED';

/**
 * A step of a combinator failed (a failFast `parallel`, a fail-fast `dag`):
 * `step` names it, `cause` is what it threw, `retryable` is the cause's.
 */
export class StepError extends TroupeError {
  /** The failed step's name (a dag node's key). */
  readonly step: string;
  /** Its position among its siblings (for dag nodes, the declaration order). */
  readonly index: number;

  constructor(where: string, options: { step: string; index: number; cause: unknown }) {
    const cause = toError(options.cause);
    const code = (cause as { code?: unknown }).code;
    super(STEP_FAILED, `${where} step #${options.index} '${options.step}' failed: ${cause.message}`, {
      cause,
      retryable: cause instanceof TroupeError ? cause.retryable : false,
      data: {
        step: options.step,
        index: options.index,
        ...(typeof code === 'string' ? { causeCode: code } : {}),
      },
    });
    this.step = options.step;
    this.index = options.index;
  }
}
