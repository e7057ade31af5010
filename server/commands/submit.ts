import type { Db } from "@/db/client";
import type { Actor } from "../actor";
import { assertAllowed, canSubmitFor, canSubmitType } from "../authz";
import { badRequest, DomainError } from "../errors";
import { submissionLimiter, submissionsPerMinute } from "../auth/rate-limit";
import type { PostCommitHook } from "../ledger/hooks";
import { submitTransaction, type SubmitResult } from "../ledger/service";

/**
 * Submits a transaction the caller's browser signed; the signer must be the caller's
 * organisation. `afterCommit` are the engine's post-commit hooks for API submissions
 * (jobs/hooks.ts: an application approved under a policy kicks the auto-disburse job); the
 * router names them, so this room never depends on jobs.
 */
export async function submitSigned(
  db: Db,
  actor: Actor,
  wire: { transaction: { type: string; signer: { orgId: string } } },
  afterCommit: readonly PostCommitHook[] = [],
): Promise<SubmitResult> {
  assertAllowed(canSubmitFor(actor, wire.transaction.signer.orgId), "You can only submit transactions signed for your own organisation, with the maker permission or above.");
  assertAllowed(canSubmitType(actor, wire.transaction.type), "Only an admin of the lender can change its credit lines or auto-financing policies.");
  // Counted per organisation after the authorisation check, so nobody spends another organisation's budget.
  if (!submissionLimiter.take(actor.orgId)) {
    throw new DomainError("rate_limited", "submission_rate_limited", `Your organisation has submitted more than ${submissionsPerMinute()} transactions in the last minute. Wait a minute and try again.`);
  }
  const result = await submitTransaction(db, wire, { afterCommit });
  if (result.status === "refused" && result.code === "malformed_transaction") {
    throw badRequest("malformed_transaction", `The transaction is malformed: ${result.detail ?? "check its fields"}`);
  }
  return result;
}
