/** A tool call waiting for a human (or policy) decision: the tool, the model's call id and the validated input. */
export interface ApprovalRequest {
  tool: string;
  callId: string;
  /** The arguments after the tool's schema checked them. */
  arguments: unknown;
}

/** The decision on an {@link ApprovalRequest}; `reason` goes back to the model when it is a refusal. */
export interface ApprovalDecision {
  approved: boolean;
  reason?: string;
}

/**
 * Decides whether a tool call flagged `needsApproval` may run. Rejecting
 * (e.g. with `TimeoutError`) counts as a refusal the model is told about;
 * only an abort of `signal` stops the run.
 */
export type Approver = (
  request: ApprovalRequest,
  options: { signal: AbortSignal },
) => Promise<ApprovalDecision> | ApprovalDecision;
