/**
 * Which key roles may sign which transaction kind: the one table of the contracts
 * (docs/ledger.md "Key roles"). apply.ts refuses a registered signer whose key's role is not
 * in its kind's row as `signer_role_not_allowed`, after the signature and nonce checks, so
 * a refusal never tells an unauthenticated sender anything about a key's role.
 *
 * The rows follow what a bank's or an enterprise's own controls ask for: credit decisions
 * (credit lines, auto-financing policies) and changes to the key set are an admin's; the
 * daily business (claims, financing steps, repayments) is a maker's, and an admin's too (a
 * small organisation's one person); an approver (复核) prepares nothing: it checks what a
 * maker prepared, by cosigning it (approval policies). key.register is signed by the key it registers (its signer has no
 * role on the ledger yet); the transition checks its role and its approvers instead (an
 * organisation's first key is an admin key; a further one is cosigned by an admin key).
 * A rotation is signed by the key it replaces, whatever its role, and the new key keeps
 * that role and holder, so it changes nobody's powers.
 */
import type { KeyRole, TransactionType } from "./types";

const ANY_ROLE = ["maker", "approver", "admin"] as const satisfies readonly KeyRole[];
/** The daily business: a maker prepares it, and an admin may too; an approver only checks (cosigns). */
const BUSINESS = ["maker", "admin"] as const satisfies readonly KeyRole[];
const ADMIN = ["admin"] as const satisfies readonly KeyRole[];
/** Roles whose cosignature satisfies an approval policy: an approver's or an admin's. */
export const APPROVING_ROLES = ["approver", "admin"] as const satisfies readonly KeyRole[];

export const SIGNER_ROLES = {
  "key.register": ANY_ROLE,
  "key.rotate": ANY_ROLE,
  "key.revoke": ADMIN,
  "approvalPolicy.set": ADMIN,
  "creditLine.grant": ADMIN,
  "creditLine.adjust": ADMIN,
  "creditLine.freeze": ADMIN,
  "creditLine.expire": ADMIN,
  "claim.issue": BUSINESS,
  "claim.accept": BUSINESS,
  "claim.reject": BUSINESS,
  "claim.withdraw": BUSINESS,
  "claim.split": BUSINESS,
  "claim.pledge": BUSINESS,
  "claim.release": BUSINESS,
  "claim.markOverdue": BUSINESS,
  "financingPolicy.set": ADMIN,
  "financingPolicy.revoke": ADMIN,
  "financing.request": BUSINESS,
  "financing.requestUnderPolicy": BUSINESS,
  "financing.offer": BUSINESS,
  "financing.accept": BUSINESS,
  "financing.decline": BUSINESS,
  "financing.disburse": BUSINESS,
  "repayment.record": BUSINESS,
} as const satisfies { [T in TransactionType]: readonly KeyRole[] };

/** True when a key of `role` may sign a transaction of `type`. */
export function roleMaySign(type: TransactionType, role: KeyRole): boolean {
  return (SIGNER_ROLES[type] as readonly KeyRole[]).includes(role);
}

/** True when a key of `role` may approve (cosign under an approval policy). */
export function roleMayApprove(role: KeyRole): boolean {
  return (APPROVING_ROLES as readonly KeyRole[]).includes(role);
}
