/**
 * Entities of the ledger and the typed union of its transactions.
 *
 * Optional entity fields are `T | null`, never absent: an entity read back from the
 * database, rebuilt by replaying the log or held in memory must compare equal field by
 * field, and a missing key is too easy to confuse with a null column.
 */
import type { SignedTransaction, TransactionEnvelope } from "../transaction";
import type { CommittedSplitPart, PlainSplitPart, RedactedSplitPart } from "../split-commitments";
import type { WebAuthnKeyParameters } from "../webauthn";

export const ORGANISATION_ROLES = ["core_enterprise", "supplier", "lender", "operator", "auditor"] as const;
export type OrganisationRole = (typeof ORGANISATION_ROLES)[number];

export interface Organisation {
  id: string;
  name: string;
  role: OrganisationRole;
}

export type SigningKeyStatus = "active" | "revoked";

/**
 * What a key may sign for its organisation (roles.ts holds the table per transaction kind):
 * a maker prepares the daily business (claims, financing steps, repayments), an approver
 * also cosigns what a maker prepared when the organisation's approval policy asks for it,
 * an admin also decides credit and changes the organisation's keys and policy. The roles
 * are a set, not a ladder, so that the operator's keys can later get roles of their own
 * (checkpoints, onboarding, overdue) that no business key has: a new role is a new entry
 * here and in the table, nothing else.
 */
export const KEY_ROLES = ["maker", "approver", "admin", "checkpoint", "onboarding", "overdue"] as const;
export type KeyRole = (typeof KEY_ROLES)[number];
/**
 * The roles only the platform operator's keys have, one duty each (roles.ts OPERATOR_ROLE_DUTIES):
 * signing checkpoints, cosigning an organisation's onboarding, marking claims overdue.
 */
export const OPERATOR_KEY_ROLES = ["checkpoint", "onboarding", "overdue"] as const satisfies readonly KeyRole[];
export type OperatorKeyRole = (typeof OPERATOR_KEY_ROLES)[number];

export interface SigningKey {
  keyId: string;
  orgId: string;
  publicKeyHex: string;
  status: SigningKeyStatus;
  registeredAtMs: number;
  revokedAtMs: number | null;
  /** What the key may sign (roles.ts); fixed at registration, kept by a rotation. */
  role: KeyRole;
  /** The person who holds the key: a user id of the organisation, fixed at registration, kept by a rotation. */
  holderUserId: string;
  /** A passkey's parameters (publicKeyHex is then a compressed P-256 key); null for Ed25519. */
  webauthn: WebAuthnKeyParameters | null;
}

/**
 * An organisation's maker-checker rules (approvals.ts), set by its admins with
 * approvalPolicy.set. Without one, nothing needs a second person and one admin changes keys.
 */
export interface ApprovalPolicy extends ApprovalPolicySetBody {
  orgId: string;
  createdTxId: string;
}

export const CURRENCIES = ["CNY"] as const;
export type Currency = (typeof CURRENCIES)[number];

export type CreditLineStatus = "active" | "frozen" | "expired";

export interface CreditLine {
  id: string;
  lenderOrgId: string;
  coreEnterpriseOrgId: string;
  currency: Currency;
  limitMinor: bigint;
  usedMinor: bigint;
  expiresAtMs: number;
  status: CreditLineStatus;
  createdTxId: string;
}

export const CLAIM_STATES = [
  "offered",
  "held",
  "split",
  "pledged",
  "financed",
  "settled",
  "overdue",
  "withdrawn",
  "rejected",
] as const;
export type ClaimState = (typeof CLAIM_STATES)[number];

/** States of a leaf that still carries value: it receives repayments and can go overdue. */
export const LIVE_CLAIM_STATES: readonly ClaimState[] = ["offered", "held", "pledged", "financed", "overdue"];

export function isLiveState(state: ClaimState): boolean {
  return LIVE_CLAIM_STATES.includes(state);
}

/**
 * Whether an issuance (a root claim) still stands on its documents: it was not cancelled (its
 * receiver rejected it or the core enterprise withdrew the offer) and it is not yet repaid in
 * full. Overdue, financed and split issuances are live. One invoice backs at most one live
 * issuance (the contracts' `invoice_backs_live_issuance`, the database's
 * claims_one_live_issuance_per_invoice); once an issuance is cancelled or fully repaid its
 * invoice may back a new one.
 */
export function isLiveIssuance(root: Pick<Claim, "parentId" | "state" | "amountMinor" | "rootRepaidMinor">): boolean {
  return root.parentId === null && root.state !== "withdrawn" && root.state !== "rejected" && root.rootRepaidMinor < root.amountMinor;
}

/** SHA-256 (lowercase hex) of the documents behind an issuance, and the reference that names them. */
export interface ClaimDocuments {
  invoiceSha256: string;
  contractSha256: string;
  deliveryNoteSha256: string;
  /** The purchase order or invoice number as typed at issuance (fields.ts isTradeReference); absent on issuances signed without one. */
  reference?: string;
}

export interface Claim {
  id: string;
  rootId: string;
  parentId: string | null;
  /** The core enterprise that issued the root and will repay it. */
  issuerOrgId: string;
  creditLineId: string;
  /** The one organisation that holds this piece (the sender, while it is still offered). */
  holderOrgId: string;
  /** Receiver of a pending offer; non-null exactly when the state is "offered". */
  offeredToOrgId: string | null;
  /** Face value of this piece. */
  amountMinor: bigint;
  /** Part of this piece already repaid to its holder. */
  settledMinor: bigint;
  currency: Currency;
  maturityDate: string;
  /** 1 for the root; +1 for every hand-over to another organisation. */
  depth: number;
  state: ClaimState;
  /** Only the root carries documents; pieces inherit them through rootId. */
  documents: ClaimDocuments | null;
  createdTxId: string;
  financedOnce: boolean;
  activeFinancingId: string | null;
  /** Total repaid on the whole issuance; kept on the root, always 0 on other pieces. */
  rootRepaidMinor: bigint;
}

export type PledgeStatus = "active" | "released";

export interface Pledge {
  id: string;
  claimId: string;
  /** Holder that pledged the claim. */
  pledgorOrgId: string;
  lenderOrgId: string;
  status: PledgeStatus;
  createdTxId: string;
  releasedTxId: string | null;
}

export type FinancingPolicyStatus = "active" | "replaced" | "revoked";

/**
 * A lender's standing, signed mandate for one core enterprise's claims: any holder of a
 * piece of at most maxAmountMinor outstanding, at most maxDepth hand-overs from the
 * issuance, may take it at rateBps and feeMinor without a person approving. The mandate
 * also authorises the platform's settlement agent (the operator key) to confirm the
 * disbursement from the lender's settlement account, so small tickets finance themselves.
 */
/** A lender's standing terms for one core enterprise: the body it signed, and its life on the ledger. */
export interface FinancingPolicy extends Omit<FinancingPolicySetBody, "termsSaltHex" | "termsCommitmentHex"> {
  id: string;
  /** Set only by a provenance replay of a policy shown as its terms' commitment: its terms are stand-ins. */
  termsHidden?: true;
  lenderOrgId: string;
  status: FinancingPolicyStatus;
  createdTxId: string;
  /** The transaction that replaced or revoked it; null while active. */
  endedTxId: string | null;
}

export type FinancingStatus = "requested" | "offered" | "accepted" | "disbursed" | "declined";

export interface Financing {
  id: string;
  claimId: string;
  holderOrgId: string;
  lenderOrgId: string;
  status: FinancingStatus;
  /** Outstanding of the claim that the offer priced. */
  faceMinor: bigint | null;
  rateBps: number | null;
  feeMinor: bigint | null;
  disbursementDate: string | null;
  interestMinor: bigint | null;
  netMinor: bigint | null;
  recourse: boolean | null;
  paymentReference: string | null;
  declinedByOrgId: string | null;
  declineReason: string | null;
  /** The auto-financing policy that priced and approved it; null for a manual financing. */
  policyId: string | null;
  createdTxId: string;
}

export interface RepaymentAllocation {
  claimId: string;
  holderOrgId: string;
  amountMinor: bigint;
}

export interface Repayment {
  id: string;
  rootClaimId: string;
  amountMinor: bigint;
  paymentReference: string;
  allocations: RepaymentAllocation[];
  createdTxId: string;
}

export interface NonceUse {
  orgId: string;
  keyId: string;
  nonce: string;
}

// ---------------------------------------------------------------------------------------
// Transaction bodies (decoded: amounts are bigint).

export interface KeyRegisterBody {
  orgId: string;
  orgName: string;
  /** The organisation's role (its first key registers it); `keyRole` is the key's own. */
  role: OrganisationRole;
  publicKeyHex: string;
  keyId: string;
  keyRole: KeyRole;
  /** The person who will hold the key (a user id). */
  holderUserId: string;
  /**
   * Present when the key is a passkey (WebAuthn ES256): publicKeyHex is then a compressed
   * P-256 key, and the rpId and origins are committed with it. Absent for Ed25519 keys, so
   * their registrations keep their ids.
   */
  webauthn?: WebAuthnKeyParameters;
}
export interface KeyRotateBody {
  orgId: string;
  oldKeyId: string;
  newKeyId: string;
  newPublicKeyHex: string;
}
export interface KeyRevokeBody {
  orgId: string;
  keyId: string;
  reason: string;
}
export interface ApprovalPolicySetBody {
  /**
   * Issuances, credit decisions (credit-line limits, auto-financing maxima) and financing
   * offers of more than this need the cosignature of an approver or admin of the same
   * organisation, another person than the signer's; null: none needs one.
   */
  approvalAboveMinor: bigint | null;
  /** How many different admins (people) sign a change to the key set or to this policy. */
  keyChangeAdmins: 1 | 2;
}
/**
 * A credit line's terms may be committed (contracts/terms-commitments.ts): signed with a
 * `termsSaltHex`, shown in another lender's provenance bundle as `termsCommitmentHex` alone, the
 * replay then standing in HIDDEN_LIMIT_MINOR and HIDDEN_EXPIRES_AT_MS for the terms.
 */
export interface CreditLineGrantBody {
  coreEnterpriseOrgId: string;
  currency: Currency;
  limitMinor: bigint;
  expiresAtMs: number;
  termsSaltHex?: string;
  termsCommitmentHex?: string;
}
export interface CreditLineAdjustBody {
  creditLineId: string;
  limitMinor: bigint;
  termsSaltHex?: string;
  termsCommitmentHex?: string;
}
export interface CreditLineFreezeBody {
  creditLineId: string;
  frozen: boolean;
}
export interface CreditLineExpireBody {
  creditLineId: string;
}
export interface ClaimIssueBody {
  creditLineId: string;
  toOrgId: string;
  amountMinor: bigint;
  currency: Currency;
  maturityDate: string;
  documents: ClaimDocuments;
}
export interface ClaimAcceptBody {
  claimId: string;
}
export interface ClaimRejectBody {
  claimId: string;
  reason: string;
}
export interface ClaimWithdrawBody {
  claimId: string;
}
/**
 * A part of a split: in the clear (the form before issue 13's privacy), in the clear with the
 * openings of its commitments (what clients sign now), or, in a provenance bundle only, as its
 * commitments alone (a part off the bundle's branch). contracts/split-commitments.ts says why.
 */
export type SplitPart = PlainSplitPart | CommittedSplitPart | RedactedSplitPart;
export interface ClaimSplitBody {
  claimId: string;
  parts: SplitPart[];
}
export interface ClaimPledgeBody {
  claimId: string;
  lenderOrgId: string;
}
export interface ClaimReleaseBody {
  claimId: string;
}
export interface ClaimMarkOverdueBody {
  rootClaimId: string;
}
export interface FinancingRequestBody {
  claimId: string;
  lenderOrgId: string;
}
/**
 * The financing kinds with terms (a policy, an application under it, an offer, a decline's reason,
 * a disbursement's payment reference) may commit them like a credit line (terms-commitments.ts):
 * signed with a `termsSaltHex`, shown in a provenance bundle for anyone but the parties as
 * `termsCommitmentHex` alone, the replay then standing in HIDDEN_TERMS for them.
 */
interface CommittableTerms {
  termsSaltHex?: string;
  termsCommitmentHex?: string;
}
export interface FinancingPolicySetBody extends CommittableTerms {
  coreEnterpriseOrgId: string;
  currency: Currency;
  maxAmountMinor: bigint;
  maxDepth: number;
  rateBps: number;
  feeMinor: bigint;
  recourse: boolean;
}
export interface FinancingPolicyRevokeBody {
  policyId: string;
}
/**
 * The holder's application under a lender's policy. It repeats the terms the holder was
 * quoted, so the holder signs exactly the price it saw: a policy changed in between is
 * refused rather than silently applied.
 */
export interface FinancingRequestUnderPolicyBody extends CommittableTerms {
  claimId: string;
  policyId: string;
  rateBps: number;
  feeMinor: bigint;
  recourse: boolean;
  disbursementDate: string;
}
export interface FinancingOfferBody extends CommittableTerms {
  financingId: string;
  rateBps: number;
  feeMinor: bigint;
  disbursementDate: string;
  recourse: boolean;
  /** The checkpoint the lender decided on: checkpointTextHash of its note (tlog-checkpoint.ts). */
  checkpointHash: string;
}
export interface FinancingAcceptBody {
  financingId: string;
}
export interface FinancingDeclineBody extends CommittableTerms {
  financingId: string;
  reason: string;
}
export interface FinancingDisburseBody extends CommittableTerms {
  financingId: string;
  paymentReference: string;
  /** The checkpoint the disbursement was decided on: checkpointTextHash of its note. */
  checkpointHash: string;
}
export interface RepaymentRecordBody {
  rootClaimId: string;
  amountMinor: bigint;
  paymentReference: string;
}

/** Body of every transaction type, keyed by the `type` field of the envelope. */
export interface TransactionBodies {
  "key.register": KeyRegisterBody;
  "key.rotate": KeyRotateBody;
  "key.revoke": KeyRevokeBody;
  "approvalPolicy.set": ApprovalPolicySetBody;
  "creditLine.grant": CreditLineGrantBody;
  "creditLine.adjust": CreditLineAdjustBody;
  "creditLine.freeze": CreditLineFreezeBody;
  "creditLine.expire": CreditLineExpireBody;
  "claim.issue": ClaimIssueBody;
  "claim.accept": ClaimAcceptBody;
  "claim.reject": ClaimRejectBody;
  "claim.withdraw": ClaimWithdrawBody;
  "claim.split": ClaimSplitBody;
  "claim.pledge": ClaimPledgeBody;
  "claim.release": ClaimReleaseBody;
  "claim.markOverdue": ClaimMarkOverdueBody;
  "financingPolicy.set": FinancingPolicySetBody;
  "financingPolicy.revoke": FinancingPolicyRevokeBody;
  "financing.request": FinancingRequestBody;
  "financing.requestUnderPolicy": FinancingRequestUnderPolicyBody;
  "financing.offer": FinancingOfferBody;
  "financing.accept": FinancingAcceptBody;
  "financing.decline": FinancingDeclineBody;
  "financing.disburse": FinancingDisburseBody;
  "repayment.record": RepaymentRecordBody;
}

export type TransactionType = keyof TransactionBodies;

export const TRANSACTION_TYPES = [
  "key.register",
  "key.rotate",
  "key.revoke",
  "approvalPolicy.set",
  "creditLine.grant",
  "creditLine.adjust",
  "creditLine.freeze",
  "creditLine.expire",
  "claim.issue",
  "claim.accept",
  "claim.reject",
  "claim.withdraw",
  "claim.split",
  "claim.pledge",
  "claim.release",
  "claim.markOverdue",
  "financingPolicy.set",
  "financingPolicy.revoke",
  "financing.request",
  "financing.requestUnderPolicy",
  "financing.offer",
  "financing.accept",
  "financing.decline",
  "financing.disburse",
  "repayment.record",
] as const satisfies readonly TransactionType[];

/** The envelope of one transaction type. */
export type LedgerEnvelope<K extends TransactionType = TransactionType> = {
  [T in K]: TransactionEnvelope<T, TransactionBodies[T]>;
}[K];

/** Any ledger transaction, discriminated by `transaction.type`. */
export type LedgerTransaction = LedgerEnvelope<TransactionType>;

/** A signed ledger transaction, as decoded from the wire (amounts are bigint). */
export type SignedLedgerTransaction<K extends TransactionType = TransactionType> = SignedTransaction<
  LedgerEnvelope<K>
>;

// ---------------------------------------------------------------------------------------
// What apply() returns on success.

export type StateChange =
  | { kind: "org"; value: Organisation }
  | { kind: "key"; value: SigningKey }
  | { kind: "approvalPolicy"; value: ApprovalPolicy }
  | { kind: "creditLine"; value: CreditLine }
  | { kind: "claim"; value: Claim }
  | { kind: "pledge"; value: Pledge }
  | { kind: "policy"; value: FinancingPolicy }
  | { kind: "financing"; value: Financing }
  | { kind: "repayment"; value: Repayment }
  | { kind: "nonce"; value: NonceUse };

export type LedgerEvent =
  | { type: "organisation.registered"; orgId: string; role: OrganisationRole }
  | { type: "key.registered"; orgId: string; keyId: string }
  | { type: "key.rotated"; orgId: string; oldKeyId: string; newKeyId: string }
  | { type: "key.revoked"; orgId: string; keyId: string }
  | { type: "approvalPolicy.set"; orgId: string; approvalAboveMinor: bigint | null; keyChangeAdmins: 1 | 2 }
  | { type: "creditLine.granted"; creditLineId: string; limitMinor: bigint }
  | { type: "creditLine.adjusted"; creditLineId: string; limitMinor: bigint }
  | { type: "creditLine.frozen"; creditLineId: string }
  | { type: "creditLine.unfrozen"; creditLineId: string }
  | { type: "creditLine.expired"; creditLineId: string }
  | { type: "creditLine.restored"; creditLineId: string; amountMinor: bigint }
  | { type: "claim.offered"; claimId: string; fromOrgId: string; toOrgId: string; amountMinor: bigint }
  | { type: "claim.accepted"; claimId: string; holderOrgId: string }
  | { type: "claim.rejected"; claimId: string; byOrgId: string }
  | { type: "claim.withdrawn"; claimId: string; byOrgId: string }
  | { type: "claim.split"; claimId: string; childIds: string[] }
  | { type: "claim.pledged"; claimId: string; pledgeId: string; lenderOrgId: string }
  | { type: "pledge.released"; claimId: string; pledgeId: string }
  | { type: "financingPolicy.set"; policyId: string; lenderOrgId: string; coreEnterpriseOrgId: string }
  | { type: "financingPolicy.ended"; policyId: string; status: "replaced" | "revoked" }
  | { type: "financing.requested"; financingId: string; claimId: string }
  | { type: "financing.autoApproved"; financingId: string; claimId: string; policyId: string; netMinor: bigint }
  | { type: "financing.offered"; financingId: string; netMinor: bigint }
  | { type: "financing.accepted"; financingId: string }
  | { type: "financing.declined"; financingId: string; byOrgId: string }
  | { type: "financing.disbursed"; financingId: string; claimId: string; netMinor: bigint }
  | { type: "repayment.recorded"; repaymentId: string; rootClaimId: string; amountMinor: bigint }
  | { type: "claim.settled"; claimId: string; holderOrgId: string }
  | { type: "claim.overdue"; claimId: string; holderOrgId: string };
