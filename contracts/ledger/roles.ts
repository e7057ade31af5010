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
 *
 * The operator's keys have roles of their own, one duty each (OPERATOR_ROLE_DUTIES): a
 * checkpoint key signs checkpoints and nothing on the ledger, an onboarding key only cosigns
 * an organisation's first key, an overdue key only signs claim.markOverdue. The operator's
 * admin key (the genesis key) governs the operator's own key set: it confirms a new operator
 * key (key.register) and revokes one (key.revoke); a rotation is signed by the key it
 * replaces, as for every key. Until the operator has an active key of a role, its admin
 * keys hold that role (operatorKeysFor), so a ledger whose operator registered no role keys
 * yet (every log before roles existed) keeps its meaning; once it has one, an admin key
 * doing that duty is refused as operator_key_outside_role. apply.ts refuses an operator
 * role key signing outside its row with the same code, and the guards refuse revoking the
 * last active key of an operator role (last_operator_role_key) or an organisation's last
 * active admin key (last_admin_key).
 */
import { OPERATOR_KEY_ROLES, type KeyRole, type OperatorKeyRole, type SigningKey, type TransactionType } from "./types";

/** What each operator role's key does; the one place that says it (docs/ledger.md "Operator keys"). */
export const OPERATOR_ROLE_DUTIES = {
  checkpoint: "signs the log's checkpoints",
  onboarding: "cosigns an organisation's first key (its onboarding)",
  overdue: "signs claim.markOverdue",
} as const satisfies { [R in OperatorKeyRole]: string };

/** Every role may rotate its own key: the new key keeps the role. */
const ANY_ROLE = ["maker", "approver", "admin", ...OPERATOR_KEY_ROLES] as const satisfies readonly KeyRole[];
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
  // The operator's overdue key, or its admin key while it has none (operatorKeysFor); claims.ts refuses any other organisation.
  "claim.markOverdue": ["overdue", "admin"],
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

/** True for the roles only operator keys have (checkpoint, onboarding, overdue). */
export function isOperatorRole(role: KeyRole): role is OperatorKeyRole {
  return (OPERATOR_KEY_ROLES as readonly KeyRole[]).includes(role);
}

/**
 * The operator's keys that hold `role` now, from its active keys (`activeKeys`, those of
 * the operator's organisation): its keys of that role, or, while it has none, its admin
 * keys. Checkpoint signatures, onboarding cosignatures and overdue marks are checked
 * against these, so a rotation takes effect at the entry that makes it.
 */
export function operatorKeysFor(role: OperatorKeyRole, activeKeys: readonly SigningKey[]): readonly SigningKey[] {
  const ofRole = activeKeys.filter((key) => key.role === role);
  return ofRole.length > 0 ? ofRole : activeKeys.filter((key) => key.role === "admin");
}
