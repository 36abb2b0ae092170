import { registerWireError, TroupeError, type TroupeErrorOptions, type ValidationIssue } from '@troupe/core';

/** Stable code of {@link PlanError}. */
export const PLAN_INVALID = 'PLAN_INVALID';

/**
 * The planner could not produce a valid plan: the model's last draft still
 * had `issues` after every repair attempt (`attempts` model calls). Over the
 * wire it keeps its code, and `data.issues`/`data.attempts`.
 */
export class PlanError extends TroupeError {
  readonly issues: readonly ValidationIssue[];
  readonly attempts: number;

  constructor(
    message: string,
    options: TroupeErrorOptions & { issues: ValidationIssue[]; attempts: number },
  ) {
    const { issues, attempts, ...rest } = options;
    super(PLAN_INVALID, message, { ...rest, data: { ...rest.data, issues, attempts } });
    this.issues = issues;
    this.attempts = attempts;
  }
}

// Over NATS a PlanError arrives as a PlanError, with its issues and attempts.
registerWireError(PLAN_INVALID, (wire, options) => {
  const data = (wire.data ?? {}) as { issues?: ValidationIssue[]; attempts?: number };
  return new PlanError(wire.message, { ...options, issues: data.issues ?? [], attempts: data.attempts ?? 0 });
});
