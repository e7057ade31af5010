/**
 * One table of ledger invariants, run against both sides that enforce them: the contracts'
 * invariant checks (contracts/ledger/invariants.ts, test/unit/invariant-cases.test.ts) and
 * the database's constraints and triggers (db/migrations, written through the repository's
 * own writer, test/integration/invariant-cases.test.ts, on PGlite and on PostgreSQL).
 *
 * Each row is a state (changes written to an empty ledger, which both sides must accept), an
 * attempted change, and the verdict: it holds, or it is refused by both, each for the reason
 * named. So a rule that one side states differently from the other (as the split sum once
 * was: the unpaid part in the contracts, the whole amount in SQL) fails a row on one side.
 *
 * Only rules both sides enforce are here. The contracts alone also check: an offer not made
 * to its own holder, a live piece not fully paid, pieces sharing their root's issuer, line,
 * currency and maturity, depth, settled pieces adding up to the root's repaid amount, a split
 * claim having children, an active pledge only on a pledged or overdue claim, and financed
 * claims being out of financing. The database alone: one disbursed financing per claim, one
 * open financing per claim, and an append-only log (test/integration/ledger-service.test.ts).
 *
 * Ids carry a per-row prefix, so every row can share one database.
 */
import type { ApprovalPolicy, Claim, CreditLine, FinancingPolicy, Organisation, Pledge, SigningKey, StateChange } from "@/contracts/ledger/types";

export type Verdict =
  | "holds"
  /** Refused by both sides: `contract` matches the InvariantViolation, `sql` the database's error. */
  | { contract: RegExp; sql: RegExp };

export interface InvariantCase {
  name: string;
  before: (ids: CaseIds) => StateChange[];
  change: (ids: CaseIds) => StateChange[];
  verdict: Verdict;
}

export interface CaseIds {
  line: string;
  root: string;
  piece: (n: number) => string;
  pledge: (n: number) => string;
  policy: (n: number) => string;
  lender: string;
  key: string;
  org: string;
  /** The invoice of the row's issuances: rows share one database, where an invoice backs one live issuance. */
  invoice: string;
}

export function caseIds(prefix: string): CaseIds {
  const hex = (text: string) => Buffer.from(text).toString("hex").padEnd(24, "0").slice(0, 24);
  return {
    line: `cl_${hex(prefix)}`,
    root: `c_${hex(`${prefix}r`)}`,
    piece: (n) => `c_${hex(`${prefix}p${n}`)}`,
    pledge: (n) => `pl_${prefix}_${n}`,
    policy: (n) => `pol_${hex(`${prefix}p${n}`)}`,
    lender: `org-lender-${prefix}`,
    key: hex(`${prefix}key`).padEnd(32, "0"),
    org: `org-${prefix}`,
    invoice: Buffer.from(`invoice ${prefix}`).toString("hex").padEnd(64, "0").slice(0, 64),
  };
}

const FACE = 1_000_000n;
const LIMIT = 10_000_000n;
export const CORE = "org-core";
export const SUPPLIER_1 = "org-s1";
export const SUPPLIER_2 = "org-s2";
export const BANK = "org-bank";
export const OPERATOR = "org-operator";

/** The organisations both sides know before any row (keys name them). */
export const ORGANISATIONS: Organisation[] = [
  { id: CORE, name: "Core", role: "core_enterprise" },
  { id: SUPPLIER_1, name: "Supplier 1", role: "supplier" },
  { id: SUPPLIER_2, name: "Supplier 2", role: "supplier" },
  { id: BANK, name: "Bank", role: "lender" },
  { id: OPERATOR, name: "Operator", role: "operator" },
];

const line = (ids: CaseIds, usedMinor: bigint, limitMinor = LIMIT): StateChange => ({
  kind: "creditLine",
  value: {
    id: ids.line,
    lenderOrgId: BANK,
    coreEnterpriseOrgId: CORE,
    currency: "CNY",
    limitMinor,
    usedMinor,
    expiresAtMs: Date.UTC(2026, 0, 1),
    status: "active",
    createdTxId: "tx-line",
  } satisfies CreditLine,
});

/** The root issuance, held by supplier 1. */
function root(ids: CaseIds, fields: Partial<Claim> = {}): Claim {
  return {
    id: ids.root,
    rootId: ids.root,
    parentId: null,
    issuerOrgId: CORE,
    creditLineId: ids.line,
    holderOrgId: SUPPLIER_1,
    offeredToOrgId: null,
    amountMinor: FACE,
    settledMinor: 0n,
    currency: "CNY",
    maturityDate: "2025-09-01",
    depth: 1,
    state: "held",
    documents: { invoiceSha256: ids.invoice, contractSha256: "b".repeat(64), deliveryNoteSha256: "c".repeat(64) },
    createdTxId: "tx-issue",
    financedOnce: false,
    activeFinancingId: null,
    rootRepaidMinor: 0n,
    ...fields,
  };
}

/** A child of `parent`: handed to supplier 2 (offered, one level deeper) or kept by supplier 1. */
function piece(ids: CaseIds, n: number, parent: Claim, amountMinor: bigint, to: "kept" | "handed", fields: Partial<Claim> = {}): Claim {
  const handed = to === "handed";
  return {
    ...parent,
    id: ids.piece(n),
    parentId: parent.id,
    holderOrgId: SUPPLIER_1,
    offeredToOrgId: handed ? SUPPLIER_2 : null,
    amountMinor,
    settledMinor: 0n,
    depth: handed ? parent.depth + 1 : parent.depth,
    state: handed ? "offered" : "held",
    documents: null,
    createdTxId: "tx-split",
    financedOnce: false,
    activeFinancingId: null,
    rootRepaidMinor: 0n,
    ...fields,
  };
}

const claim = (value: Claim): StateChange => ({ kind: "claim", value });

function pledge(ids: CaseIds, n: number, status: Pledge["status"], lenderOrgId = BANK): StateChange {
  return {
    kind: "pledge",
    value: { id: ids.pledge(n), claimId: ids.root, pledgorOrgId: SUPPLIER_1, lenderOrgId, status, createdTxId: `tx-pledge-${n}`, releasedTxId: status === "released" ? `tx-release-${n}` : null },
  };
}

function policy(ids: CaseIds, n: number, fields: Partial<FinancingPolicy> = {}): StateChange {
  return {
    kind: "policy",
    value: {
      id: ids.policy(n),
      lenderOrgId: ids.lender,
      coreEnterpriseOrgId: CORE,
      currency: "CNY",
      maxAmountMinor: 500_000n,
      maxDepth: 2,
      rateBps: 450,
      feeMinor: 0n,
      recourse: false,
      status: "active",
      createdTxId: `tx-policy-${n}`,
      endedTxId: null,
      ...fields,
    },
  };
}

function key(ids: CaseIds, fields: Partial<SigningKey> = {}): StateChange {
  return {
    kind: "key",
    value: { keyId: ids.key, orgId: SUPPLIER_1, publicKeyHex: ids.key.padEnd(64, "1"), status: "active", registeredAtMs: 1, revokedAtMs: null, role: "maker", holderUserId: "usr_case", webauthn: null, ...fields },
  };
}

const PASSKEY: SigningKey["webauthn"] = { algorithm: "ES256", rpId: "bank.example", origins: ["https://bank.example"] };

/** Supplier 1's approval policy (one row per organisation: rows that write it upsert the same row). */
function approvalPolicy(fields: Partial<ApprovalPolicy> = {}): StateChange {
  return { kind: "approvalPolicy", value: { orgId: SUPPLIER_1, approvalAboveMinor: 100_000n, keyChangeAdmins: 1, createdTxId: "tx-approval-policy", ...fields } };
}

/**
 * A second issuance of 10,000.00 on the row's line, held by supplier 1, backed by the same
 * invoice as the first; created by the row's change (the contracts' side calls it "tx-change").
 */
function secondRoot(ids: CaseIds): Claim {
  const id = ids.piece(9);
  return root(ids, { id, rootId: id, createdTxId: "tx-change" });
}

/** A held issuance of 10,000.00 on a line that it uses. */
const heldIssuance = (ids: CaseIds): StateChange[] => [line(ids, FACE), claim(root(ids))];
/** The same after the core enterprise repaid 4,000.00 of it. */
const partlyRepaid = (ids: CaseIds): StateChange[] => [line(ids, 600_000n), claim(root(ids, { settledMinor: 400_000n, rootRepaidMinor: 400_000n }))];
/** The root split into 6,000.00 kept and 4,000.00 handed to supplier 2. */
function splitIssuance(ids: CaseIds): StateChange[] {
  const parent = root(ids, { state: "split" });
  return [line(ids, FACE), claim(parent), claim(piece(ids, 1, parent, 600_000n, "kept")), claim(piece(ids, 2, parent, 400_000n, "handed"))];
}

const CONSERVATION = /invariant_violated/;

export const INVARIANT_CASES: InvariantCase[] = [
  // Conservation: a split's children sum to the parent's unpaid part.
  {
    name: "a split into parts that sum to the unpaid amount holds",
    before: heldIssuance,
    change: (ids) => {
      const parent = root(ids, { state: "split" });
      return [claim(parent), claim(piece(ids, 1, parent, 700_000n, "kept")), claim(piece(ids, 2, parent, 300_000n, "handed"))];
    },
    verdict: "holds",
  },
  {
    name: "a split after a partial repayment, into parts that sum to the unpaid 6,000.00, holds",
    before: partlyRepaid,
    change: (ids) => {
      const parent = root(ids, { state: "split", settledMinor: 400_000n, rootRepaidMinor: 400_000n });
      return [claim(parent), claim(piece(ids, 1, parent, 500_000n, "kept")), claim(piece(ids, 2, parent, 100_000n, "handed"))];
    },
    verdict: "holds",
  },
  {
    name: "a transfer after a partial repayment (one part of the unpaid 6,000.00) holds",
    before: partlyRepaid,
    change: (ids) => {
      const parent = root(ids, { state: "split", settledMinor: 400_000n, rootRepaidMinor: 400_000n });
      return [claim(parent), claim(piece(ids, 1, parent, 600_000n, "handed"))];
    },
    verdict: "holds",
  },
  {
    name: "a split after a partial repayment, into parts that sum to the face value, is refused",
    before: partlyRepaid,
    change: (ids) => {
      const parent = root(ids, { state: "split", settledMinor: 400_000n, rootRepaidMinor: 400_000n });
      return [claim(parent), claim(piece(ids, 1, parent, 900_000n, "kept")), claim(piece(ids, 2, parent, 100_000n, "handed"))];
    },
    verdict: { contract: /children do not sum to it/, sql: CONSERVATION },
  },
  {
    name: "children that do not sum to their parent are refused even when the leaves still add up to the face",
    before: splitIssuance,
    change: (ids) => {
      // 6,000.00 split into 5,000.00 + 2,000.00 while the sibling drops to 3,000.00: the live
      // leaves still sum to 10,000.00, but neither split sums to its parent.
      const kept = piece(ids, 1, root(ids, { state: "split" }), 600_000n, "kept", { state: "split" });
      return [
        claim(kept),
        claim(piece(ids, 3, kept, 500_000n, "kept")),
        claim(piece(ids, 4, kept, 200_000n, "kept")),
        claim(piece(ids, 2, root(ids, { state: "split" }), 300_000n, "handed")),
      ];
    },
    verdict: { contract: /children do not sum to it/, sql: /children of .* sum to/ },
  },
  // Conservation: outstanding plus repaid equals the face value.
  {
    name: "a repayment recorded on the root, the piece and the line holds",
    before: heldIssuance,
    change: (ids) => [claim(root(ids, { settledMinor: 400_000n, rootRepaidMinor: 400_000n })), line(ids, 600_000n)],
    verdict: "holds",
  },
  {
    name: "a piece paid without the repayment on its root is refused",
    before: heldIssuance,
    change: (ids) => [claim(root(ids, { settledMinor: 400_000n }))],
    verdict: { contract: /settled pieces do not add up to repaid/, sql: /outstanding .* \+ repaid .* <> face/ },
  },
  {
    name: "a piece whose amount grows after the split is refused",
    before: splitIssuance,
    change: (ids) => [claim(piece(ids, 1, root(ids, { state: "split" }), 600_001n, "kept"))],
    verdict: { contract: /children do not sum to it/, sql: CONSERVATION },
  },
  {
    name: "an issuance rejected by its receiver, its line given back, holds",
    before: (ids) => [line(ids, FACE), claim(root(ids, { holderOrgId: CORE, offeredToOrgId: SUPPLIER_1, state: "offered" }))],
    change: (ids) => [claim(root(ids, { holderOrgId: CORE, state: "rejected" })), line(ids, 0n)],
    verdict: "holds",
  },
  // One invoice backs at most one live issuance (types.ts isLiveIssuance: not withdrawn or
  // rejected, not repaid in full).
  {
    name: "a second issuance backed by the invoice of a held issuance is refused",
    before: heldIssuance,
    change: (ids) => [claim(secondRoot(ids)), line(ids, 2n * FACE)],
    verdict: { contract: /backs more than one live issuance/, sql: /claims_one_live_issuance_per_invoice/ },
  },
  {
    name: "a second issuance backed by the invoice of a split issuance is refused",
    before: splitIssuance,
    change: (ids) => [claim(secondRoot(ids)), line(ids, 2n * FACE)],
    verdict: { contract: /backs more than one live issuance/, sql: /claims_one_live_issuance_per_invoice/ },
  },
  {
    name: "a second issuance backed by the invoice of an issuance repaid but for 0.01 is refused",
    before: (ids) => [line(ids, 1n), claim(root(ids, { settledMinor: FACE - 1n, rootRepaidMinor: FACE - 1n }))],
    change: (ids) => [claim(secondRoot(ids)), line(ids, FACE + 1n)],
    verdict: { contract: /backs more than one live issuance/, sql: /claims_one_live_issuance_per_invoice/ },
  },
  {
    name: "a new issuance backed by the invoice of a rejected issuance holds",
    before: (ids) => [line(ids, 0n), claim(root(ids, { holderOrgId: CORE, state: "rejected" }))],
    change: (ids) => [claim(secondRoot(ids)), line(ids, FACE)],
    verdict: "holds",
  },
  {
    name: "a new issuance backed by the invoice of an issuance repaid in full holds",
    before: (ids) => [line(ids, 0n), claim(root(ids, { state: "settled", settledMinor: FACE, rootRepaidMinor: FACE }))],
    change: (ids) => [claim(secondRoot(ids)), line(ids, FACE)],
    verdict: "holds",
  },
  // Claims' own fields.
  {
    name: "a piece of zero is refused",
    before: heldIssuance,
    change: (ids) => {
      const parent = root(ids, { state: "split" });
      return [claim(parent), claim(piece(ids, 1, parent, FACE, "kept")), claim(piece(ids, 2, parent, 0n, "handed"))];
    },
    verdict: { contract: /amount must be positive/, sql: /claims_amount_positive/ },
  },
  {
    name: "settled beyond the amount is refused",
    before: heldIssuance,
    change: (ids) => [claim(root(ids, { settledMinor: FACE + 1n, rootRepaidMinor: FACE + 1n }))],
    verdict: { contract: /settled out of range/, sql: /claims_settled_in_range/ },
  },
  {
    name: "an offer without the offered state is refused",
    before: heldIssuance,
    change: (ids) => [claim(root(ids, { offeredToOrgId: SUPPLIER_2 }))],
    verdict: { contract: /offer without "offered" state/, sql: /claims_offer_iff_offered/ },
  },
  {
    name: "a settled piece that is not paid in full is refused",
    before: heldIssuance,
    change: (ids) => [claim(root(ids, { state: "settled", settledMinor: 400_000n, rootRepaidMinor: 400_000n })), line(ids, 600_000n)],
    verdict: { contract: /settled but unpaid/, sql: /claims_settled_means_paid/ },
  },
  {
    name: "a repaid amount on a piece instead of its root is refused",
    before: splitIssuance,
    change: (ids) => [claim(piece(ids, 1, root(ids, { state: "split" }), 600_000n, "kept", { rootRepaidMinor: 1n }))],
    verdict: { contract: /root-only fields on a piece/, sql: /claims_repaid_only_on_root/ },
  },
  // One active pledge; financed once.
  {
    name: "a pledge of a held claim holds",
    before: heldIssuance,
    change: (ids) => [claim(root(ids, { state: "pledged" })), pledge(ids, 1, "active")],
    verdict: "holds",
  },
  {
    name: "a second active pledge of one claim is refused",
    before: heldIssuance,
    change: (ids) => [claim(root(ids, { state: "pledged" })), pledge(ids, 1, "active"), pledge(ids, 2, "active", "org-bank2")],
    verdict: { contract: /more than one active pledge/, sql: /pledges_one_active_per_claim/ },
  },
  {
    name: "a pledge released and another taken in one change holds",
    before: (ids) => [line(ids, FACE), claim(root(ids, { state: "pledged" })), pledge(ids, 1, "active")],
    change: (ids) => [pledge(ids, 1, "released"), pledge(ids, 2, "active", "org-bank2")],
    verdict: "holds",
  },
  {
    name: "a financed claim that was financed holds",
    before: heldIssuance,
    change: (ids) => [claim(root(ids, { state: "financed", holderOrgId: BANK, financedOnce: true }))],
    verdict: "holds",
  },
  {
    name: "a financed claim without a financing is refused",
    before: heldIssuance,
    change: (ids) => [claim(root(ids, { state: "financed", holderOrgId: BANK }))],
    verdict: { contract: /financed without financedOnce/, sql: /claims_financed_state_needs_financing/ },
  },
  // Credit used within the limit.
  {
    name: "a credit line used up to its limit holds",
    before: heldIssuance,
    change: (ids) => [line(ids, FACE, FACE)],
    verdict: "holds",
  },
  {
    name: "a credit line used beyond its limit is refused",
    before: heldIssuance,
    change: (ids) => [line(ids, FACE, FACE - 1n)],
    verdict: { contract: /used out of range/, sql: /credit_lines_used_in_range/ },
  },
  {
    name: "a credit line used below zero is refused",
    before: heldIssuance,
    change: (ids) => [line(ids, -1n)],
    verdict: { contract: /used out of range/, sql: /credit_lines_used_in_range/ },
  },
  // One active policy per lender and core enterprise; limits in range.
  {
    name: "a policy replacing the active one holds",
    before: (ids) => [policy(ids, 1)],
    change: (ids) => [policy(ids, 1, { status: "replaced", endedTxId: "tx-policy-2" }), policy(ids, 2)],
    verdict: "holds",
  },
  {
    name: "a second active policy for one lender and core enterprise is refused",
    before: (ids) => [policy(ids, 1)],
    change: (ids) => [policy(ids, 2)],
    verdict: { contract: /more than one active policy/, sql: /financing_policies_one_active/ },
  },
  {
    name: "a policy with a maximum amount of zero is refused",
    before: () => [],
    change: (ids) => [policy(ids, 1, { maxAmountMinor: 0n })],
    verdict: { contract: /limits out of range/, sql: /financing_policies_max_amount_positive/ },
  },
  {
    name: "an active policy that names the transaction that ended it is refused",
    before: () => [],
    change: (ids) => [policy(ids, 1, { endedTxId: "tx-end" })],
    verdict: { contract: /ended exactly when not active/, sql: /financing_policies_ended_has_tx/ },
  },
  // Keys.
  {
    name: "a key revoked at a time holds",
    before: (ids) => [key(ids)],
    change: (ids) => [key(ids, { status: "revoked", revokedAtMs: 2 })],
    verdict: "holds",
  },
  {
    name: "a key revoked without a time is refused",
    before: (ids) => [key(ids)],
    change: (ids) => [key(ids, { status: "revoked" })],
    verdict: { contract: /revocation time/, sql: /signing_keys_revoked_has_time/ },
  },
  {
    name: "a key of an organisation the ledger does not know is refused",
    before: () => [],
    change: (ids) => [key(ids, { orgId: ids.org })],
    verdict: { contract: /organisation .* unknown/, sql: /signing_keys_org_id_ledger_organisations_id_fk/ },
  },
  {
    name: "a key of the operator with an operator role (checkpoint) holds",
    before: () => [],
    change: (ids) => [key(ids, { orgId: OPERATOR, role: "checkpoint" })],
    verdict: "holds",
  },
  {
    name: "a key of another organisation with an operator role (overdue) is refused",
    before: () => [],
    change: (ids) => [key(ids, { role: "overdue" })],
    verdict: { contract: /operator role overdue outside the operator's organisation/, sql: /signing_keys_operator_role/ },
  },
  {
    name: "a key with a role that is not a business or an operator role is refused",
    before: () => [],
    change: (ids) => [key(ids, { role: "owner" as SigningKey["role"] })],
    verdict: { contract: /not a key role/, sql: /signing_keys_role_check/ },
  },
  {
    name: "an Ed25519 key whose public key is not 32 bytes of lowercase hex is refused",
    before: () => [],
    change: (ids) => [key(ids, { publicKeyHex: "AB".repeat(32) })],
    verdict: { contract: /does not fit its scheme/, sql: /signing_keys_public_key_scheme/ },
  },
  {
    name: "a passkey whose public key is not a compressed P-256 point is refused",
    before: () => [],
    change: (ids) => [key(ids, { webauthn: PASSKEY })],
    verdict: { contract: /does not fit its scheme/, sql: /signing_keys_public_key_scheme/ },
  },
  {
    name: "a passkey with a compressed P-256 public key holds",
    before: () => [],
    change: (ids) => [key(ids, { publicKeyHex: `02${"a".repeat(64)}`, webauthn: PASSKEY })],
    verdict: "holds",
  },
  {
    name: "an approval policy asking for 3 admins per key change is refused",
    before: () => [],
    change: () => [approvalPolicy({ keyChangeAdmins: 3 as ApprovalPolicy["keyChangeAdmins"] })],
    verdict: { contract: /1 or 2 admins/, sql: /approval_policies_key_change_admins_check/ },
  },
  {
    name: "an approval policy with a negative threshold is refused",
    before: () => [],
    change: () => [approvalPolicy({ approvalAboveMinor: -1n })],
    verdict: { contract: /negative threshold/, sql: /approval_policies_threshold_not_negative/ },
  },
  {
    name: "an approval policy with a zero threshold and two admins holds",
    before: () => [],
    change: () => [approvalPolicy({ approvalAboveMinor: 0n, keyChangeAdmins: 2 })],
    verdict: "holds",
  },
  {
    name: "an issuance whose trade reference is longer than 80 characters is refused",
    before: (ids) => [line(ids, 0n)],
    change: (ids) => [line(ids, FACE), claim(root(ids, { createdTxId: "tx-change", documents: { ...root(ids).documents!, reference: "合".repeat(81) } }))],
    verdict: { contract: /trade reference length/, sql: /claims_trade_reference_length/ },
  },
  {
    name: "an issuance whose trade reference is 80 Chinese characters holds",
    before: (ids) => [line(ids, 0n)],
    change: (ids) => [line(ids, FACE), claim(root(ids, { createdTxId: "tx-change", documents: { ...root(ids).documents!, reference: "合".repeat(80) } }))],
    verdict: "holds",
  },
];
