import type { Actor } from "../actor";
import { assertAllowed, canSubmitFor, canSubmitType } from "../authz";
import { DomainError } from "../errors";
import type { Limiter } from "../auth/rate-limit";
import { sealWire, type LedgerSubmitter, type SubmitResult } from "../ledger/service";

/**
 * What a submission through the API needs from the process's runtime (server/runtime/): the
 * group-committing submitter, which runs the API's post-commit hooks (jobs/hooks.ts), and
 * the per-organisation budget. Named here as a shape so this room never depends on the rooms above it.
 */
export interface SubmitContext {
  readonly ledger: LedgerSubmitter;
  readonly limits: { readonly submissions: Limiter; readonly submissionsPerMinute: number };
}

/** Submits a transaction the caller's browser signed; the signer must be the caller's organisation. */
export async function submitSigned(
  runtime: SubmitContext,
  actor: Actor,
  wire: { transaction: { type: string; signer: { orgId: string } } },
): Promise<SubmitResult> {
  assertAllowed(canSubmitFor(actor, wire.transaction.signer.orgId), "You can only submit transactions signed for your own organisation, with the maker permission or above.");
  assertAllowed(canSubmitType(actor, wire.transaction.type), "Only an admin of the lender can change its credit lines or auto-financing policies.");
  // Counted per organisation after the authorisation check, so nobody spends another organisation's budget.
  if (!(await runtime.limits.submissions.take(actor.orgId))) {
    throw new DomainError("rate_limited", "submission_rate_limited", `Your organisation has submitted more than ${runtime.limits.submissionsPerMinute} transactions in the last minute. Wait a minute and try again.`);
  }
  // Decoded here, at the edge: the engine takes only sealed transactions. A refusal
  // (malformed_transaction included) is an answer, returned as the typed Refusal.
  const sealed = sealWire(wire);
  return "status" in sealed ? sealed : runtime.ledger.submit(sealed);
}
