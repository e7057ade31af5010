/**
 * Transitions of credit lines. A lender grants a line to a core enterprise; only that
 * lender adjusts, freezes or expires it. Issuance consumes the line and settlement (or a
 * cancelled issuance) restores it; those moves live with the claims.
 */
import { deriveId } from "../canonical";
import type { CodeIn, CREDIT_LINE_ADJUST_CODES, CREDIT_LINE_EXPIRE_CODES, CREDIT_LINE_FREEZE_CODES, CREDIT_LINE_GRANT_CODES } from "./codes";
import { fail, succeed, type Failure, type Outcome, type TransitionContext } from "./outcome";
import type { StateView } from "./state";
import type { CreditLine, LedgerEnvelope } from "./types";

/** A line can no longer be used or changed once expired by status or by time. */
export function isCreditLineExpired(line: CreditLine, nowMs: number): boolean {
  return line.status === "expired" || nowMs >= line.expiresAtMs;
}

export function applyCreditLineGrant(
  view: StateView,
  transaction: LedgerEnvelope<"creditLine.grant">,
  context: TransitionContext,
): Outcome<CodeIn<typeof CREDIT_LINE_GRANT_CODES>> {
  const body = transaction.body;
  if (body.termsCommitmentHex !== undefined && context.partialReplay !== true) return fail("credit_line_terms_hidden");
  if (context.signerOrg?.role !== "lender") return fail("signer_not_lender");
  const target = view.getOrg(body.coreEnterpriseOrgId);
  if (target === undefined) return fail("organisation_not_found", body.coreEnterpriseOrgId);
  if (target.role !== "core_enterprise") return fail("recipient_not_core_enterprise");
  if (body.limitMinor <= 0n) return fail("credit_line_limit_not_positive");
  if (body.expiresAtMs <= context.nowMs) return fail("credit_line_expiry_not_in_future");
  const line: CreditLine = {
    id: deriveId("cl", context.txId, 0),
    lenderOrgId: transaction.signer.orgId,
    coreEnterpriseOrgId: target.id,
    currency: body.currency,
    limitMinor: body.limitMinor,
    usedMinor: 0n,
    expiresAtMs: body.expiresAtMs,
    status: "active",
    createdTxId: context.txId,
  };
  return succeed(
    [{ kind: "creditLine", value: line }],
    [{ type: "creditLine.granted", creditLineId: line.id, limitMinor: line.limitMinor }],
  );
}

type LenderCheck = { ok: true; line: CreditLine } | Failure<"credit_line_not_found" | "signer_not_credit_line_lender">;

function lineOfSigningLender(view: StateView, creditLineId: string, signerOrgId: string): LenderCheck {
  const line = view.getCreditLine(creditLineId);
  if (line === undefined) return fail("credit_line_not_found");
  if (line.lenderOrgId !== signerOrgId) return fail("signer_not_credit_line_lender");
  return { ok: true, line };
}

export function applyCreditLineAdjust(
  view: StateView,
  transaction: LedgerEnvelope<"creditLine.adjust">,
  context: TransitionContext,
): Outcome<CodeIn<typeof CREDIT_LINE_ADJUST_CODES>> {
  if (transaction.body.termsCommitmentHex !== undefined && context.partialReplay !== true) return fail("credit_line_terms_hidden");
  const found = lineOfSigningLender(view, transaction.body.creditLineId, transaction.signer.orgId);
  if (!found.ok) return found;
  const line = found.line;
  if (isCreditLineExpired(line, context.nowMs)) return fail("credit_line_expired");
  const limitMinor = transaction.body.limitMinor;
  if (limitMinor < line.usedMinor) return fail("credit_line_limit_below_used", `used ${line.usedMinor}`);
  return succeed(
    [{ kind: "creditLine", value: { ...line, limitMinor } }],
    [{ type: "creditLine.adjusted", creditLineId: line.id, limitMinor }],
  );
}

export function applyCreditLineFreeze(
  view: StateView,
  transaction: LedgerEnvelope<"creditLine.freeze">,
  context: TransitionContext,
): Outcome<CodeIn<typeof CREDIT_LINE_FREEZE_CODES>> {
  const found = lineOfSigningLender(view, transaction.body.creditLineId, transaction.signer.orgId);
  if (!found.ok) return found;
  const line = found.line;
  if (isCreditLineExpired(line, context.nowMs)) return fail("credit_line_expired");
  const status = transaction.body.frozen ? "frozen" : "active";
  if (line.status === status) return fail("credit_line_freeze_unchanged");
  return succeed(
    [{ kind: "creditLine", value: { ...line, status } }],
    [{ type: transaction.body.frozen ? "creditLine.frozen" : "creditLine.unfrozen", creditLineId: line.id }],
  );
}

export function applyCreditLineExpire(
  view: StateView,
  transaction: LedgerEnvelope<"creditLine.expire">,
): Outcome<CodeIn<typeof CREDIT_LINE_EXPIRE_CODES>> {
  const found = lineOfSigningLender(view, transaction.body.creditLineId, transaction.signer.orgId);
  if (!found.ok) return found;
  const line = found.line;
  if (line.status === "expired") return fail("credit_line_already_expired");
  return succeed(
    [{ kind: "creditLine", value: { ...line, status: "expired" } }],
    [{ type: "creditLine.expired", creditLineId: line.id }],
  );
}
