/**
 * The model-based property test of the claim lifecycle, shared by its two runners: random
 * sequences of operations run against applyTransaction + MemoryState and against a naive
 * reference model written here from the rules alone. After every step both must agree on
 * whether the step was accepted and on every holder, amount and state (of claims,
 * financings, pledges and auto-financing policies); the implementation's state must satisfy
 * every invariant (checked here independently); and a refused step must change nothing.
 *
 * Given a database, `run` also submits every step to the real ledger service on it (a fresh
 * copy of a database holding the same starting ledger) and requires the same answer (accepted,
 * or refused with the same code), and at the end the same tables as the contracts' state: so
 * a rule that the SQL guards state differently from the contracts fails a run.
 * test/unit/ledger-property.test.ts runs the contracts alone, many sequences;
 * test/integration/ledger-property.test.ts runs fewer through the service, on PGlite and on
 * PostgreSQL.
 */
import fc from "fast-check";
import { sha256 } from "@noble/hashes/sha2.js";
import { expect } from "vitest";
import type { Db } from "@/db/client";
import { claims, creditLines, financingPolicies, financings, ledgerOrganisations, pledges, repayments, signingKeys } from "@/db/schema";
import { transactionId, type SignedTransaction } from "@/contracts/transaction";
import { encodeSignedTransaction } from "@/contracts/ledger/schema";
import type { MemoryState } from "@/contracts/ledger/state";
import type { ApplyResult } from "@/contracts/ledger/apply";
import type { ClaimState, TransactionBodies, TransactionType } from "@/contracts/ledger/types";
import { toClaim, toCreditLine, toFinancing, toKey, toOrganisation, toPledge, toPolicy, toRepayment } from "@/server/ledger/repository";
import { latestCheckpointTextHash, submitWire } from "@/server/ledger/service";
import { ACTORS, DAY_MS, DECIDED_ON, LedgerDriver, NOW_MS, snapshot, standardWorld, type Actor } from "../unit/ledger-fixtures";

const A = ACTORS;
const ALL_ACTORS: Actor[] = [A.operator, A.core, A.core2, A.s1, A.s2, A.s3, A.bank, A.bank2];
const RECIPIENTS: Actor[] = [A.s1, A.s2, A.s3, A.bank];
const LENDERS: Actor[] = [A.bank, A.bank2, A.s2];
const MATURITIES = ["2025-06-01", "2025-09-01"];
const LINE_LIMIT = 20_000n;
const LINE_EXPIRES_AT_MS = NOW_MS + 365 * DAY_MS;
/** Every organisation on the ledger, by id, for the checks that look an organisation up. */
const ORGS = new Map(Object.values(A).map((who) => [who.orgId, who]));
const POLICY_LENDERS: Actor[] = [A.bank, A.bank2];
/** Mostly the credit line's core enterprise; sometimes one without claims, a supplier, nobody. */
const POLICY_TARGETS = [A.core.orgId, A.core2.orgId, A.s1.orgId, "org-nobody"];
/** A well-formed policy id that names no policy. */
const MISSING_POLICY_ID = `pol_${"0".repeat(24)}`;
const MISSING_CLAIM_ID = `c_${"0".repeat(24)}`;

// ---------------------------------------------------------------------------------------
// The reference model: plain records and the rules as the brief states them.

const LIVE: ClaimState[] = ["offered", "held", "pledged", "financed", "overdue"];

interface RefClaim {
  id: string;
  rootId: string;
  parentId: string | null;
  issuer: string;
  holder: string;
  offeredTo: string | null;
  amount: bigint;
  settled: bigint;
  state: ClaimState;
  depth: number;
  maturity: string;
  financedOnce: boolean;
  financingId: string | null;
}

interface RefFinancing {
  id: string;
  claimId: string;
  holder: string;
  lender: string;
  status: "requested" | "offered" | "accepted" | "disbursed" | "declined";
  face: bigint | null;
  net: bigint | null;
  disbursementDate: string | null;
  /** The policy that priced and approved it; null for a manual financing. */
  policyId: string | null;
}

interface RefPolicy {
  id: string;
  lender: string;
  core: string;
  maxAmount: bigint;
  maxDepth: number;
  rateBps: number;
  fee: bigint;
  recourse: boolean;
  status: "active" | "replaced" | "revoked";
}

interface Model {
  nowMs: number;
  /** The checkpoint lenders' decisions name: the service's latest when there is one, else the fixtures'. */
  decidedOn: string;
  lineUsed: bigint;
  claims: Map<string, RefClaim>;
  repaid: Map<string, bigint>;
  financings: Map<string, RefFinancing>;
  policies: Map<string, RefPolicy>;
  /** claim id -> lender org of its active pledge */
  pledges: Map<string, string>;
  /** root id -> the invoice hash its issuance names */
  invoices: Map<string, string>;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** The documented id rule, recomputed independently of contracts/canonical.ts. */
function entityId(prefix: string, txId: string, index: number): string {
  return `${prefix}_${hex(sha256(new TextEncoder().encode(`${txId}:${index}`))).slice(0, 24)}`;
}

/** Business days are Beijing days (UTC+8, no daylight saving), recomputed here through Date. */
const BEIJING_MS = 8 * 3_600_000;
function dayOf(ms: number): string {
  return new Date(ms + BEIJING_MS).toISOString().slice(0, 10);
}
function midnight(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) - BEIJING_MS;
}
function outstanding(claim: RefClaim): bigint {
  return claim.amount - claim.settled;
}
function matured(model: Model, claim: RefClaim): boolean {
  return model.nowMs >= midnight(claim.maturity);
}

/** Half-up rounding of n / d by comparing twice the remainder with d. */
function roundHalfUp(n: bigint, d: bigint): bigint {
  const quotient = n / d;
  return 2n * (n % d) >= d ? quotient + 1n : quotient;
}

/**
 * Largest remainder, written differently from allocation.ts: the leftover units go one
 * at a time to the leaf whose exact share exceeds its allotment the most (cross-multiplied
 * comparison), ties to the smaller id.
 */
function referenceAllocation(amount: bigint, leaves: RefClaim[]): Map<string, bigint> {
  const total = leaves.reduce((sum, leaf) => sum + outstanding(leaf), 0n);
  const shares = new Map(leaves.map((leaf) => [leaf.id, (amount * outstanding(leaf)) / total]));
  let left = amount - [...shares.values()].reduce((a, b) => a + b, 0n);
  const given = new Set<string>();
  while (left > 0n) {
    let best: RefClaim | undefined;
    for (const leaf of leaves) {
      if (given.has(leaf.id)) continue;
      const excess = amount * outstanding(leaf) - (shares.get(leaf.id) ?? 0n) * total;
      const bestExcess = best === undefined ? -1n : amount * outstanding(best) - (shares.get(best.id) ?? 0n) * total;
      if (excess > bestExcess || (excess === bestExcess && best !== undefined && leaf.id < best.id)) best = leaf;
    }
    given.add(best!.id);
    shares.set(best!.id, (shares.get(best!.id) ?? 0n) + 1n);
    left -= 1n;
  }
  return shares;
}

/** Net proceeds of a discount at rateBps over ACT/360 days to maturity, interest rounded half-up. */
function netProceeds(face: bigint, rateBps: number, fee: bigint, disbursementDate: string, maturity: string): bigint {
  const days = (midnight(maturity) - midnight(disbursementDate)) / DAY_MS;
  return face - roundHalfUp(face * BigInt(rateBps) * BigInt(days), 3_600_000n) - fee;
}

function lapse(claim: RefClaim): void {
  claim.offeredTo = null;
  if (claim.parentId !== null) claim.depth -= 1;
}

// ---------------------------------------------------------------------------------------
// Commands.

export type Command =
  | { kind: "issue"; to: number; amount: number; maturity: number; signer: number | null }
  | { kind: "accept" | "reject" | "withdraw" | "release"; pick: number; signer: number | null }
  | { kind: "split"; pick: number; parts: { to: number; weight: number }[]; skew: number; signer: number | null }
  | { kind: "pledge" | "request"; pick: number; lender: number; signer: number | null }
  | { kind: "offer"; pick: number; rateBps: number; feeMinor: number; dayOffset: number; signer: number | null }
  | { kind: "acceptOffer" | "decline"; pick: number; signer: number | null }
  /** "latest" disburses the financing created last. */
  | { kind: "disburse"; pick: number | "latest"; signer: number | null }
  | { kind: "repay"; pick: number; perMille: number; extra: number; signer: number | null }
  | { kind: "overdue"; pick: number; signer: number | null }
  | { kind: "advance"; days: number }
  | PolicyCommand
  /** "latest" revokes the policy set last. */
  | { kind: "revokePolicy"; pick: number | "latest"; missing: boolean; signer: number | null }
  | {
      kind: "autoRequest";
      pick: number;
      /** An index into the policies, or the one set last. */
      policyPick: number | "latest";
      /** 1: the policy id names nothing; 2: the claim id names nothing. */
      missing: 0 | 1 | 2;
      /** 0: the policy's exact terms; 1, 2, 3: the rate, the fee or the recourse changed. */
      terms: 0 | 1 | 2 | 3;
      dayOffset: number;
      signer: number | null;
    }
  /**
   * Shorthand for an acceptance (so that a root is held), a partial repayment, and a split of
   * a held piece: after a repayment every live piece of that issuance is partly paid, and a
   * split of one must sum to its unpaid part.
   */
  | { kind: "repayFlow"; pick: number; perMille: number; parts: { to: number; weight: number }[] }
  /** Shorthand for a request followed by up to three more steps of the same financing. */
  | { kind: "financeFlow"; pick: number; lender: number; steps: number; rateBps: number; dayOffset: number }
  /**
   * Shorthand for an acceptance (so that a claim is held), a policy, an application under
   * it, and the disbursement of the latest financing by the operator or the lender.
   */
  | { kind: "autoFlow"; policy: PolicyCommand; pick: number; steps: number; byOperator: boolean; twist: AutoFlowTwist };

/**
 * How an automatic flow departs from the happy path, so that the checks after the claim's
 * are reached too: none, changed terms (1 rate, 2 fee, 3 recourse), 4 tomorrow's date,
 * 5 a policy revoked before the application, 6 a policy for the other core enterprise,
 * 7 a hundred days pass before the application (past the earlier maturity).
 */
type AutoFlowTwist = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

type PlainCommand = Exclude<Command, { kind: "financeFlow" | "autoFlow" | "repayFlow" }>;

interface PolicyCommand {
  kind: "policy";
  lender: number;
  target: number;
  maxAmount: number;
  maxDepth: number;
  rateBps: number;
  fee: number;
  recourse: boolean;
  signer: number | null;
}

/** Mostly the party the rules expect (null), sometimes anybody. */
const signerArb: fc.Arbitrary<number | null> = fc.oneof(
  { weight: 6, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.nat(ALL_ACTORS.length - 1) },
);
const pick = fc.nat(1000);
const policyArb: fc.Arbitrary<PolicyCommand> = fc.record({
  kind: fc.constant("policy" as const),
  lender: fc.nat(POLICY_LENDERS.length - 1),
  target: fc.oneof({ weight: 12, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat(POLICY_TARGETS.length - 1) }),
  maxAmount: fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 12, arbitrary: fc.integer({ min: 1, max: 8000 }) }),
  // Depth 1 twice as often: most pieces are at depth 1 or 2, and a limit they exceed must be common.
  maxDepth: fc.constantFrom(1, 1, 2, 3, 4),
  rateBps: fc.nat(3000),
  fee: fc.oneof({ weight: 6, arbitrary: fc.nat(50) }, { weight: 1, arbitrary: fc.integer({ min: 500, max: 6000 }) }),
  recourse: fc.boolean(),
  signer: signerArb,
});
export const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("issue" as const),
      to: fc.oneof({ weight: 8, arbitrary: fc.nat(2) }, { weight: 1, arbitrary: fc.constant(3) }),
      amount: fc.nat(6000),
      maturity: fc.nat(1),
      signer: signerArb,
    }),
  },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("accept" as const), pick, signer: signerArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom("reject" as const, "withdraw" as const), pick, signer: signerArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("release" as const), pick, signer: signerArb }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("split" as const),
      pick,
      parts: fc.array(
        fc.record({
          to: fc.oneof({ weight: 8, arbitrary: fc.nat(2) }, { weight: 1, arbitrary: fc.constant(3) }),
          weight: fc.oneof({ weight: 12, arbitrary: fc.integer({ min: 1, max: 10 }) }, { weight: 1, arbitrary: fc.constant(0) }),
        }),
        { minLength: 1, maxLength: 4 },
      ),
      skew: fc.constantFrom(0, 0, 0, 0, 0, 0, 0, 0, 1, -1),
      signer: signerArb,
    }),
  },
  // Pledges weigh more than requests, so that pledged claims (released, or financed by the pledgee) are common.
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("pledge" as const), pick, lender: fc.nat(2), signer: signerArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("request" as const), pick, lender: fc.nat(2), signer: signerArb }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("offer" as const),
      pick,
      rateBps: fc.nat(3000),
      feeMinor: fc.nat(300),
      dayOffset: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 20 }) }, { weight: 1, arbitrary: fc.integer({ min: -1, max: 200 }) }),
      signer: signerArb,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("acceptOffer" as const), pick, signer: signerArb }) },
  {
    // The operator signs often, so that its attempts to confirm policy and manual financings are tried (and refused).
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("disburse" as const),
      pick,
      signer: fc.oneof(signerArb, { weight: 1, arbitrary: fc.constant(ALL_ACTORS.indexOf(A.operator)) }),
    }),
  },
  { weight: 2, arbitrary: policyArb },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("autoFlow" as const),
      policy: policyArb.map((policy) => ({ ...policy, signer: null })),
      pick,
      steps: fc.constantFrom(3, 4, 4),
      byOperator: fc.constantFrom(true, true, false),
      twist: fc.oneof(
        { weight: 12, arbitrary: fc.constant(0 as const) },
        { weight: 1, arbitrary: fc.constantFrom(1 as const, 2 as const, 3 as const, 4 as const, 5 as const, 6 as const, 7 as const) },
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("revokePolicy" as const),
      pick,
      missing: fc.oneof({ weight: 12, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      signer: signerArb,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("autoRequest" as const),
      pick,
      policyPick: pick,
      missing: fc.oneof({ weight: 20, arbitrary: fc.constant(0 as const) }, { weight: 1, arbitrary: fc.constantFrom(1 as const, 2 as const) }),
      terms: fc.oneof({ weight: 12, arbitrary: fc.constant(0 as const) }, { weight: 1, arbitrary: fc.constantFrom(1 as const, 2 as const, 3 as const) }),
      dayOffset: fc.oneof({ weight: 12, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(-1, 1) }),
      signer: signerArb,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("decline" as const), pick, signer: signerArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("repay" as const), pick, perMille: fc.oneof({ weight: 1, arbitrary: fc.constant(1000) }, { weight: 2, arbitrary: fc.nat(1000) }), extra: fc.constantFrom(0, 0, 0, 1), signer: signerArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("overdue" as const), pick, signer: signerArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("advance" as const), days: fc.integer({ min: 1, max: 120 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("financeFlow" as const),
      pick,
      lender: fc.oneof({ weight: 6, arbitrary: fc.nat(1) }, { weight: 1, arbitrary: fc.constant(2) }),
      steps: fc.integer({ min: 1, max: 4 }),
      rateBps: fc.nat(2000),
      dayOffset: fc.nat(3),
    }),
  },
);

/**
 * The commands above plus, one time in eight, a partial repayment followed by a split. The
 * plain commands reach that pair too rarely (a split of a partly paid piece once in a
 * hundred sequences) to test the split sum after settlement, which the database once stated
 * differently from the contracts.
 */
export const commandWithRepaymentsArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 7, arbitrary: commandArb },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("repayFlow" as const),
      pick,
      perMille: fc.integer({ min: 1, max: 999 }),
      parts: fc.array(fc.record({ to: fc.nat(2), weight: fc.integer({ min: 1, max: 10 }) }), { minLength: 1, maxLength: 3 }),
    }),
  },
);

function pickFrom<T>(items: T[], index: number): T | undefined {
  return items.length === 0 ? undefined : items[index % items.length];
}

function sortedClaims(model: Model): RefClaim[] {
  return [...model.claims.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** A prepared step: the transaction to submit and what the model says it does. */
interface Step {
  who: Actor;
  type: TransactionType;
  body: unknown;
  /**
   * Returns false (or the code the rules name first) if the model refuses; otherwise
   * applies the step to the model and returns true.
   */
  decide: (model: Model, txId: string) => boolean | string;
}

function signerFor(command: { signer: number | null }, right: string | undefined): Actor {
  if (command.signer !== null) return ALL_ACTORS[command.signer]!;
  return ALL_ACTORS.find((who) => who.orgId === right) ?? A.auditor;
}

/** Claim states (or financing statuses) in which a command can succeed. */
const PLAUSIBLE: Record<string, string[]> = {
  accept: ["offered"],
  reject: ["offered"],
  withdraw: ["offered"],
  release: ["pledged"],
  split: ["held"],
  pledge: ["held"],
  request: ["held", "pledged"],
  offer: ["requested", "offered"],
  acceptOffer: ["offered"],
  decline: ["requested", "offered", "accepted"],
  disburse: ["accepted"],
  revokePolicy: ["active"],
  autoRequest: ["held", "pledged"],
  autoRequestPolicy: ["active"],
  repay: ["held", "split", "pledged", "financed", "overdue", "settled"],
  overdue: ["held", "split", "pledged", "financed", "offered"],
};

/**
 * Three picks in four go to an item in a state where the command can succeed, so that
 * sequences get deep; the fourth picks among everything, so that refusals stay common.
 */
function choose<T extends { id: string }>(items: T[], index: number, kind: string, stateOf: (item: T) => string): T | undefined {
  const sorted = [...items].sort((a, b) => (a.id < b.id ? -1 : 1));
  const plausible = sorted.filter((item) => PLAUSIBLE[kind]?.includes(stateOf(item)));
  return pickFrom(index % 4 === 0 || plausible.length === 0 ? sorted : plausible, Math.floor(index / 4));
}

function prepare(model: Model, command: Exclude<PlainCommand, { kind: "advance" }>, lineId: string): Step | undefined {
  const claims = [...model.claims.values()];
  const claim = (kind: string) => choose(claims, (command as { pick: number }).pick, kind, (c) => c.state);
  switch (command.kind) {
    case "issue":
      return prepareIssue(command, lineId);
    case "accept":
    case "reject":
    case "withdraw":
    case "release":
      return prepareOfferAnswer(model, command, claim(command.kind));
    case "split":
      return prepareSplit(command, claim(command.kind));
    case "pledge":
    case "request":
      return prepareLock(command, claim(command.kind));
    case "offer":
    case "acceptOffer":
    case "decline":
    case "disburse":
    {
      const financings = [...model.financings.values()];
      const financing = command.pick === "latest" ? financings.at(-1) : choose(financings, command.pick, command.kind, (f) => f.status);
      return prepareFinancing(model, command, financing);
    }
    case "repay":
    case "overdue": {
      const roots = claims.filter((c) => c.parentId === null);
      return prepareRoot(model, command, choose(roots, command.pick, command.kind, (c) => c.state));
    }
    case "policy":
      return preparePolicy(command);
    case "revokePolicy": {
      const policies = [...model.policies.values()];
      const policy = command.pick === "latest" ? policies.at(-1) : choose(policies, command.pick, command.kind, (p) => p.status);
      return prepareRevokePolicy(command, policy);
    }
    case "autoRequest": {
      const policies = [...model.policies.values()];
      const policy =
        command.policyPick === "latest" ? policies.at(-1) : choose(policies, command.policyPick, "autoRequestPolicy", (p) => p.status);
      // A claim already locked to a financing is not plausible either.
      const unlocked = choose(claims, command.pick, command.kind, (c) => (c.financingId === null ? c.state : "locked"));
      return prepareAutoRequest(model, command, unlocked, policy);
    }
  }
}

function preparePolicy(command: Extract<Command, { kind: "policy" }>): Step {
  const lender = POLICY_LENDERS[command.lender]!;
  const who = signerFor(command, lender.orgId);
  const target = POLICY_TARGETS[command.target]!;
  const terms = {
    maxAmount: BigInt(command.maxAmount),
    maxDepth: command.maxDepth,
    rateBps: command.rateBps,
    fee: BigInt(command.fee),
    recourse: command.recourse,
  };
  return {
    who,
    type: "financingPolicy.set",
    body: {
      coreEnterpriseOrgId: target,
      currency: "CNY",
      maxAmountMinor: terms.maxAmount,
      maxDepth: terms.maxDepth,
      rateBps: terms.rateBps,
      feeMinor: terms.fee,
      recourse: terms.recourse,
    },
    decide: (model, txId) => {
      if (who.role !== "lender") return "signer_not_lender";
      const core = ORGS.get(target);
      if (core === undefined) return "organisation_not_found";
      if (core.role !== "core_enterprise") return "recipient_not_core_enterprise";
      if (terms.maxAmount <= 0n) return "policy_max_amount_not_positive";
      for (const previous of model.policies.values()) {
        if (previous.lender === who.orgId && previous.core === target && previous.status === "active") previous.status = "replaced";
      }
      const id = entityId("pol", txId, 0);
      model.policies.set(id, { id, lender: who.orgId, core: target, ...terms, status: "active" });
      return true;
    },
  };
}

function prepareRevokePolicy(command: Extract<Command, { kind: "revokePolicy" }>, policy: RefPolicy | undefined): Step | undefined {
  if (policy === undefined && !command.missing) return undefined;
  const policyId = command.missing || policy === undefined ? MISSING_POLICY_ID : policy.id;
  const who = signerFor(command, policy?.lender);
  return {
    who,
    type: "financingPolicy.revoke",
    body: { policyId },
    decide: (model) => {
      const p = model.policies.get(policyId);
      if (p === undefined) return "policy_not_found";
      if (p.lender !== who.orgId) return "signer_not_policy_lender";
      if (p.status !== "active") return "policy_not_active";
      p.status = "revoked";
      return true;
    },
  };
}

/** The claim checks every application runs, in the order the rules give them. */
function financeableRefusal(model: Model, c: RefClaim, signerOrgId: string, lender: string): string | undefined {
  if (c.holder !== signerOrgId) return "claim_not_held_by_signer";
  if (c.financedOnce) return "claim_already_financed";
  if (c.financingId !== null) return "claim_in_financing";
  if (c.state === "pledged" && model.pledges.get(c.id) !== lender) return "claim_pledged_to_other_lender";
  if (c.state !== "held" && c.state !== "pledged") return "claim_not_held";
  if (matured(model, c)) return "claim_matured";
  return undefined;
}

function prepareAutoRequest(
  model: Model,
  command: Extract<Command, { kind: "autoRequest" }>,
  claim: RefClaim | undefined,
  policy: RefPolicy | undefined,
): Step | undefined {
  // Without a claim or a policy to name, only the steps about missing ids are worth sending.
  if ((claim === undefined && command.missing !== 2) || (policy === undefined && command.missing === 0)) return undefined;
  const claimId = command.missing === 2 || claim === undefined ? MISSING_CLAIM_ID : claim.id;
  const policyId = command.missing !== 0 || policy === undefined ? MISSING_POLICY_ID : policy.id;
  // The holder repeats the terms it was quoted: the policy's, unless this step changes one.
  const quoted = policy ?? { rateBps: 450, fee: 0n, recourse: false };
  const body = {
    claimId,
    policyId,
    rateBps: quoted.rateBps + (command.terms === 1 ? 1 : 0),
    feeMinor: quoted.fee + (command.terms === 2 ? 1n : 0n),
    recourse: command.terms === 3 ? !quoted.recourse : quoted.recourse,
    disbursementDate: dayOf(model.nowMs + command.dayOffset * DAY_MS),
  };
  const who = signerFor(command, claim?.holder);
  return {
    who,
    type: "financing.requestUnderPolicy",
    body,
    decide: (m, txId) => {
      const c = m.claims.get(claimId);
      if (c === undefined) return "claim_not_found";
      const p = m.policies.get(policyId);
      if (p === undefined) return "policy_not_found";
      const refusal = financeableRefusal(m, c, who.orgId, p.lender);
      if (refusal !== undefined) return refusal;
      if (p.status !== "active") return "policy_not_active";
      if (p.core !== c.issuer) return "policy_not_for_claim";
      const face = outstanding(c);
      if (face > p.maxAmount) return "policy_amount_exceeded";
      if (c.depth > p.maxDepth) return "policy_depth_exceeded";
      if (body.rateBps !== p.rateBps || body.feeMinor !== p.fee || body.recourse !== p.recourse) return "policy_terms_changed";
      if (body.disbursementDate !== dayOf(m.nowMs)) return "disbursement_date_not_today";
      const net = netProceeds(face, p.rateBps, p.fee, body.disbursementDate, c.maturity);
      if (net <= 0n) return "net_proceeds_not_positive";
      const id = entityId("fin", txId, 0);
      m.financings.set(id, {
        id,
        claimId: c.id,
        holder: c.holder,
        lender: p.lender,
        status: "accepted",
        face,
        net,
        disbursementDate: body.disbursementDate,
        policyId: p.id,
      });
      c.financingId = id;
      return true;
    },
  };
}

/** Whether a root naming `invoice` is still live: not rejected or withdrawn, not repaid in full. */
function backsLiveIssuance(model: Model, invoice: string): boolean {
  for (const [rootId, named] of model.invoices) {
    const root = model.claims.get(rootId)!;
    const cancelled = root.state === "rejected" || root.state === "withdrawn";
    if (named === invoice && !cancelled && (model.repaid.get(rootId) ?? 0n) < root.amount) return true;
  }
  return false;
}

function prepareIssue(command: Extract<Command, { kind: "issue" }>, lineId: string): Step {
  const to = RECIPIENTS[command.to]!;
  // One of eight invoices, chosen by the amount (a field of its own would change every
  // generated sequence), so issuances now and then name one already backing a live issuance.
  const invoice = String((command.amount % 8) + 1).repeat(64);
  const amount = BigInt(command.amount);
  const maturity = MATURITIES[command.maturity]!;
  const who = signerFor(command, A.core.orgId);
  return {
    who,
    type: "claim.issue",
    body: {
      creditLineId: lineId,
      toOrgId: to.orgId,
      amountMinor: amount,
      currency: "CNY",
      maturityDate: maturity,
      documents: { invoiceSha256: invoice, contractSha256: "2".repeat(64), deliveryNoteSha256: "3".repeat(64) },
    },
    decide: (model, txId) => {
      const ok =
        who === A.core &&
        model.nowMs < LINE_EXPIRES_AT_MS &&
        amount > 0n &&
        model.lineUsed + amount <= LINE_LIMIT &&
        model.nowMs < midnight(maturity) &&
        to.role === "supplier" &&
        !backsLiveIssuance(model, invoice);
      if (!ok) return false;
      const id = entityId("c", txId, 0);
      model.invoices.set(id, invoice);
      model.claims.set(id, {
        id,
        rootId: id,
        parentId: null,
        issuer: A.core.orgId,
        holder: A.core.orgId,
        offeredTo: to.orgId,
        amount,
        settled: 0n,
        state: "offered",
        depth: 1,
        maturity,
        financedOnce: false,
        financingId: null,
      });
      model.repaid.set(id, 0n);
      model.lineUsed += amount;
      return true;
    },
  };
}

function prepareOfferAnswer(
  model: Model,
  command: Extract<Command, { kind: "accept" | "reject" | "withdraw" | "release" }>,
  claim: RefClaim | undefined,
): Step | undefined {
  if (claim === undefined) return undefined;
  const type = `claim.${command.kind}` as const;
  const pledgee = [...model.pledges.entries()].find(([claimId]) => claimId === claim.id)?.[1];
  const right = command.kind === "withdraw" ? claim.holder : command.kind === "release" ? pledgee : (claim.offeredTo ?? claim.holder);
  const body = command.kind === "reject" ? { claimId: claim.id, reason: "no thanks" } : { claimId: claim.id };
  const who = signerFor(command, right);
  const decide = (model: Model): boolean => {
    const c = model.claims.get(claim.id)!;
    if (command.kind === "release") {
      if (c.state !== "pledged" || model.pledges.get(c.id) !== who.orgId || matured(model, c)) return false;
      c.state = "held";
      model.pledges.delete(c.id);
      return true;
    }
    if (c.state !== "offered" || matured(model, c)) return false;
    if (command.kind === "withdraw" ? who.orgId !== c.holder : who.orgId !== c.offeredTo) return false;
    if (command.kind === "accept") {
      Object.assign(c, { holder: who.orgId, offeredTo: null, state: "held" });
    } else if (c.parentId === null) {
      Object.assign(c, { offeredTo: null, state: command.kind === "reject" ? "rejected" : "withdrawn" });
      model.lineUsed -= c.amount;
    } else {
      lapse(c);
      c.state = "held";
    }
    return true;
  };
  return { who, type, body, decide };
}

function prepareSplit(command: Extract<Command, { kind: "split" }>, claim: RefClaim | undefined): Step | undefined {
  if (claim === undefined) return undefined;
  const totalWeight = command.parts.reduce((sum, part) => sum + part.weight, 0) || 1;
  const out = outstanding(claim);
  const amounts = command.parts.map((part) => (out * BigInt(part.weight)) / BigInt(totalWeight));
  const assigned = amounts.reduce((a, b) => a + b, 0n);
  amounts[amounts.length - 1] = amounts.at(-1)! + (out - assigned) + BigInt(command.skew);
  const parts = command.parts.map((part, index) => ({ to: RECIPIENTS[part.to]!, amount: amounts[index]! }));
  const who = signerFor(command, claim.holder);
  return {
    who,
    type: "claim.split",
    body: { claimId: claim.id, parts: parts.map((part) => ({ toOrgId: part.to.orgId, amountMinor: part.amount })) },
    decide: (model, txId) => {
      const c = model.claims.get(claim.id)!;
      const sum = parts.reduce((total, part) => total + part.amount, 0n);
      const ok =
        who.orgId === c.holder &&
        c.state === "held" &&
        c.financingId === null &&
        !matured(model, c) &&
        parts.every((part) => part.amount > 0n) &&
        sum === outstanding(c) &&
        !(parts.length === 1 && parts[0]!.to.orgId === who.orgId) &&
        parts.every((part) => part.to.role === "supplier");
      if (!ok) return false;
      c.state = "split";
      parts.forEach((part, index) => {
        const id = entityId("c", txId, index);
        const toSelf = part.to.orgId === c.holder;
        model.claims.set(id, {
          ...c,
          id,
          parentId: c.id,
          offeredTo: toSelf ? null : part.to.orgId,
          amount: part.amount,
          settled: 0n,
          state: toSelf ? "held" : "offered",
          depth: toSelf ? c.depth : c.depth + 1,
          financedOnce: false,
          financingId: null,
        });
      });
      return true;
    },
  };
}

function prepareLock(command: Extract<Command, { kind: "pledge" | "request" }>, claim: RefClaim | undefined): Step | undefined {
  if (claim === undefined) return undefined;
  const lender = LENDERS[command.lender]!;
  const who = signerFor(command, claim.holder);
  return {
    who,
    type: command.kind === "pledge" ? "claim.pledge" : "financing.request",
    body: { claimId: claim.id, lenderOrgId: lender.orgId },
    decide: (model, txId) => {
      const c = model.claims.get(claim.id)!;
      if (who.orgId !== c.holder || matured(model, c) || lender.role !== "lender" || c.financingId !== null) return false;
      if (command.kind === "pledge") {
        if (c.state !== "held") return false;
        c.state = "pledged";
        model.pledges.set(c.id, lender.orgId);
        return true;
      }
      const pledgedToLender = c.state === "pledged" && model.pledges.get(c.id) === lender.orgId;
      if (c.financedOnce || !(c.state === "held" || pledgedToLender)) return false;
      const id = entityId("fin", txId, 0);
      model.financings.set(id, { id, claimId: c.id, holder: c.holder, lender: lender.orgId, status: "requested", face: null, net: null, disbursementDate: null, policyId: null });
      c.financingId = id;
      return true;
    },
  };
}

function claimStillFinanceable(c: RefClaim, f: RefFinancing, checkFace: boolean): boolean {
  return (
    c.financingId === f.id &&
    c.holder === f.holder &&
    (c.state === "held" || c.state === "pledged") &&
    (!checkFace || outstanding(c) === f.face)
  );
}

function prepareFinancing(
  model: Model,
  command: Extract<Command, { kind: "offer" | "acceptOffer" | "decline" | "disburse" }>,
  financing: RefFinancing | undefined,
): Step | undefined {
  if (financing === undefined) return undefined;
  const id = financing.id;
  if (command.kind === "offer") {
    const disbursementDate = dayOf(model.nowMs + command.dayOffset * DAY_MS);
    const who = signerFor(command, financing.lender);
    return {
      who,
      type: "financing.offer",
      body: { financingId: id, rateBps: command.rateBps, feeMinor: BigInt(command.feeMinor), disbursementDate, recourse: true, checkpointHash: model.decidedOn },
      decide: (m) => {
        const f = m.financings.get(id)!;
        const c = m.claims.get(f.claimId)!;
        if (who.orgId !== f.lender || (f.status !== "requested" && f.status !== "offered")) return false;
        if (matured(m, c) || !claimStillFinanceable(c, f, false) || disbursementDate < dayOf(m.nowMs)) return false;
        const days = (midnight(c.maturity) - midnight(disbursementDate)) / DAY_MS;
        if (days <= 0) return false;
        const face = outstanding(c);
        const net = netProceeds(face, command.rateBps, BigInt(command.feeMinor), disbursementDate, c.maturity);
        if (net <= 0n) return false;
        Object.assign(f, { status: "offered", face, net, disbursementDate });
        return true;
      },
    };
  }
  const right = command.kind === "acceptOffer" ? financing.holder : command.kind === "disburse" ? financing.lender : financing.holder;
  const who = signerFor(command, right);
  const type = command.kind === "acceptOffer" ? "financing.accept" : `financing.${command.kind}` as const;
  const body =
    command.kind === "decline"
      ? { financingId: id, reason: "no" }
      : command.kind === "disburse"
        ? { financingId: id, paymentReference: "PAY", checkpointHash: model.decidedOn }
        : { financingId: id };
  return {
    who,
    type,
    body,
    decide: (m) => {
      const f = m.financings.get(id)!;
      const c = m.claims.get(f.claimId)!;
      if (command.kind === "decline") {
        if ((who.orgId !== f.holder && who.orgId !== f.lender) || f.status === "disbursed" || f.status === "declined") return false;
        f.status = "declined";
        if (c.financingId === f.id) c.financingId = null;
        return true;
      }
      // Only the lender confirms a disbursement, under a policy too (its settlement agent's key); never the operator.
      const maySign = command.kind === "acceptOffer" ? who.orgId === f.holder : who.orgId === f.lender;
      const status = command.kind === "acceptOffer" ? "offered" : "accepted";
      if (!maySign || f.status !== status || matured(m, c) || !claimStillFinanceable(c, f, true)) return false;
      if (dayOf(m.nowMs) > f.disbursementDate!) return false;
      if (command.kind === "acceptOffer") {
        f.status = "accepted";
        return true;
      }
      f.status = "disbursed";
      Object.assign(c, { state: "financed", holder: f.lender, financedOnce: true, financingId: null });
      m.pledges.delete(c.id);
      return true;
    },
  };
}

function prepareRoot(model: Model, command: Extract<Command, { kind: "repay" | "overdue" }>, root: RefClaim | undefined): Step | undefined {
  if (root === undefined) return undefined;
  if (command.kind === "overdue") {
    const who = signerFor(command, A.operator.orgId);
    return {
      who,
      type: "claim.markOverdue",
      body: { rootClaimId: root.id },
      decide: (m) => {
        const due = [...m.claims.values()].filter(
          (c) => c.rootId === root.id && LIVE.includes(c.state) && c.state !== "overdue" && outstanding(c) > 0n,
        );
        if (who.role !== "operator" || m.nowMs < midnight(root.maturity) || due.length === 0) return false;
        for (const c of due) {
          if (c.state === "offered") lapse(c);
          c.state = "overdue";
        }
        return true;
      },
    };
  }
  const who = signerFor(command, A.core.orgId);
  const left = root.amount - model.repaid.get(root.id)!;
  const amount = (left * BigInt(command.perMille)) / 1000n + BigInt(command.extra);
  return {
    who,
    type: "repayment.record",
    body: { rootClaimId: root.id, amountMinor: amount, paymentReference: "REPAY" },
    decide: (m) => {
      const r = m.claims.get(root.id)!;
      if (who !== A.core || ["offered", "rejected", "withdrawn"].includes(r.state) || amount <= 0n || amount > left) return false;
      const leaves = [...m.claims.values()].filter((c) => c.rootId === r.id && LIVE.includes(c.state) && outstanding(c) > 0n);
      for (const [id, share] of referenceAllocation(amount, leaves)) {
        const c = m.claims.get(id)!;
        c.settled += share;
        if (c.settled === c.amount) {
          if (c.state === "offered") lapse(c);
          c.state = "settled";
          m.pledges.delete(c.id);
        }
      }
      m.repaid.set(r.id, m.repaid.get(r.id)! + amount);
      m.lineUsed -= amount;
      return true;
    },
  };
}

// ---------------------------------------------------------------------------------------
// Independent checks of the implementation's state.

function assertInvariants(state: MemoryState, lineId: string): void {
  const claims = [...state.claims.values()];
  let expectedUsed = 0n;
  for (const root of claims.filter((c) => c.parentId === null)) {
    const tree = claims.filter((c) => c.rootId === root.id);
    const live = tree.filter((c) => LIVE.includes(c.state));
    const liveOutstanding = live.reduce((sum, c) => sum + c.amountMinor - c.settledMinor, 0n);
    if (root.state !== "rejected" && root.state !== "withdrawn") {
      expect(liveOutstanding + root.rootRepaidMinor, `conservation of ${root.id}`).toBe(root.amountMinor);
      expectedUsed += root.amountMinor - root.rootRepaidMinor;
    }
    expect(tree.reduce((sum, c) => sum + c.settledMinor, 0n)).toBe(root.rootRepaidMinor);
  }
  for (const claim of claims) {
    expect(claim.amountMinor > 0n && claim.settledMinor >= 0n && claim.settledMinor <= claim.amountMinor).toBe(true);
    expect(claim.offeredToOrgId === null).toBe(claim.state !== "offered");
    const children = claims.filter((c) => c.parentId === claim.id);
    if (claim.state === "split") {
      expect(children.reduce((sum, c) => sum + c.amountMinor, 0n)).toBe(claim.amountMinor - claim.settledMinor);
    } else {
      expect(children).toEqual([]);
    }
    const activePledges = [...state.pledges.values()].filter((p) => p.claimId === claim.id && p.status === "active");
    expect(activePledges.length).toBeLessThanOrEqual(1);
    expect(activePledges.length === 1).toBe(claim.state === "pledged" || (claim.state === "overdue" && activePledges.length === 1));
    const disbursed = [...state.financings.values()].filter((f) => f.claimId === claim.id && f.status === "disbursed");
    expect(disbursed.length).toBeLessThanOrEqual(1);
    expect(disbursed.length === 1).toBe(claim.financedOnce);
  }
  const policies = [...state.policies.values()];
  for (const policy of policies.filter((p) => p.status === "active")) {
    const pair = policies.filter((p) => p.status === "active" && p.lenderOrgId === policy.lenderOrgId && p.coreEnterpriseOrgId === policy.coreEnterpriseOrgId);
    expect(pair, `one active policy for ${policy.lenderOrgId} and ${policy.coreEnterpriseOrgId}`).toHaveLength(1);
  }
  for (const financing of [...state.financings.values()].filter((f) => f.policyId !== null)) {
    // An application under a policy skips the request and the offer.
    expect(["accepted", "disbursed", "declined"]).toContain(financing.status);
    expect(financing.lenderOrgId).toBe(state.getPolicy(financing.policyId!)?.lenderOrgId);
  }
  const line = state.getCreditLine(lineId)!;
  expect(line.usedMinor).toBe(expectedUsed);
  expect(line.usedMinor >= 0n && line.usedMinor <= line.limitMinor).toBe(true);
}

function assertSameAsModel(state: MemoryState, model: Model, lineId: string): void {
  const actual = [...state.claims.values()]
    .map((c) => ({
      id: c.id,
      holder: c.holderOrgId,
      offeredTo: c.offeredToOrgId,
      amount: c.amountMinor,
      settled: c.settledMinor,
      state: c.state,
      depth: c.depth,
      financedOnce: c.financedOnce,
      financingId: c.activeFinancingId,
      repaid: c.parentId === null ? c.rootRepaidMinor : null,
    }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  const expected = sortedClaims(model).map((c) => ({
    id: c.id,
    holder: c.holder,
    offeredTo: c.offeredTo,
    amount: c.amount,
    settled: c.settled,
    state: c.state,
    depth: c.depth,
    financedOnce: c.financedOnce,
    financingId: c.financingId,
    repaid: c.parentId === null ? model.repaid.get(c.id)! : null,
  }));
  expect(actual).toEqual(expected);
  expect(state.getCreditLine(lineId)!.usedMinor).toBe(model.lineUsed);
  const financings = [...state.financings.values()]
    .map((f) => [f.id, f.status, f.holderOrgId, f.lenderOrgId, f.faceMinor, f.netMinor, f.disbursementDate, f.policyId])
    .sort();
  const modelFinancings = [...model.financings.values()]
    .map((f) => [f.id, f.status, f.holder, f.lender, f.face, f.net, f.disbursementDate, f.policyId])
    .sort();
  expect(financings).toEqual(modelFinancings);
  const policies = [...state.policies.values()]
    .map((p) => [p.id, p.status, p.lenderOrgId, p.coreEnterpriseOrgId, p.maxAmountMinor, p.maxDepth, p.rateBps, p.feeMinor, p.recourse])
    .sort();
  const modelPolicies = [...model.policies.values()]
    .map((p) => [p.id, p.status, p.lender, p.core, p.maxAmount, p.maxDepth, p.rateBps, p.fee, p.recourse])
    .sort();
  expect(policies).toEqual(modelPolicies);
  const pledges = [...state.pledges.values()].filter((p) => p.status === "active").map((p) => [p.claimId, p.lenderOrgId]).sort();
  expect(pledges).toEqual([...model.pledges.entries()].sort());
}

// ---------------------------------------------------------------------------------------

function setup(): { driver: LedgerDriver; lineId: string } {
  const { driver } = standardWorld();
  const lineId = driver.grant(A.bank, A.core, LINE_LIMIT);
  return { driver, lineId };
}
/** The seed of both runners: the service's runs are the first sequences of the contracts' runs. */
export const SEED = 20250301;

/** The starting ledger of every run; `base.driver.history` is how it was built. */
export const base = setup();

/** How often each type was accepted or refused, to show the generator reaches everything. */
export const OUTCOMES = new Map<string, number>();
export const CODES = new Map<string, number>();

/** Expands shorthands into plain commands; a focused pick (not 0 mod 4) of 1 picks the first plausible item. */
function expand(commands: Command[]): PlainCommand[] {
  return commands.flatMap((command): PlainCommand[] => {
    if (command.kind === "autoFlow") {
      const { twist } = command;
      const terms = twist === 1 || twist === 2 || twist === 3 ? twist : 0;
      const flow: PlainCommand[] = [
        { kind: "accept", pick: command.pick * 4 + 1, signer: null },
        { ...command.policy, target: twist === 6 ? 1 : 0 },
        { kind: "autoRequest", pick: command.pick * 4 + 1, policyPick: "latest", missing: 0, terms, dayOffset: twist === 4 ? 1 : 0, signer: null },
        { kind: "disburse", pick: "latest", signer: command.byOperator ? ALL_ACTORS.indexOf(A.operator) : null },
      ];
      if (twist === 5) flow.splice(2, 0, { kind: "revokePolicy", pick: "latest", missing: false, signer: null });
      if (twist === 7) flow.splice(2, 0, { kind: "advance", days: 100 });
      return flow.slice(0, command.steps + (twist === 5 || twist === 7 ? 1 : 0));
    }
    if (command.kind === "repayFlow") {
      const focused = command.pick * 4 + 1;
      return [
        { kind: "accept", pick: focused, signer: null },
        { kind: "repay", pick: focused, perMille: command.perMille, extra: 0, signer: null },
        { kind: "split", pick: focused, parts: command.parts, skew: 0, signer: null },
      ];
    }
    if (command.kind !== "financeFlow") return [command];
    const flow: PlainCommand[] = [
      { kind: "request", pick: command.pick, lender: command.lender, signer: null },
      { kind: "offer", pick: 1, rateBps: command.rateBps, feeMinor: 0, dayOffset: command.dayOffset, signer: null },
      { kind: "acceptOffer", pick: 1, signer: null },
      { kind: "disburse", pick: 1, signer: null },
    ];
    return flow.slice(0, command.steps);
  });
}

export async function run(commands: Command[], service?: Db): Promise<void> {
  const driver = base.driver.clone();
  const lineId = base.lineId;
  const decidedOn = service === undefined ? DECIDED_ON : await latestCheckpointTextHash(service);
  if (decidedOn === null) throw new Error("the service's ledger has no checkpoint note for decisions to name");
  const model: Model = {
    nowMs: NOW_MS,
    decidedOn,
    lineUsed: 0n,
    claims: new Map(),
    repaid: new Map(),
    financings: new Map(),
    policies: new Map(),
    pledges: new Map(),
    invoices: new Map(),
  };
  for (const command of expand(commands)) {
    if (command.kind === "advance") {
      model.nowMs += command.days * DAY_MS;
      driver.nowMs = model.nowMs;
      continue;
    }
    const step = prepare(model, command, lineId);
    if (step === undefined) continue;
    const signed: SignedTransaction = driver.sign(step.who, step.type, step.body as TransactionBodies[TransactionType]);
    const before = snapshot(driver.state);
    const result = driver.attempt(signed);
    expect(snapshot(driver.state), "applyTransaction must not change its view").toEqual(before);
    const verdict = step.decide(model, transactionId(signed.transaction));
    const description = `${step.type} by ${step.who.name}: ${result.ok ? "ok" : `${result.code} ${result.detail ?? ""}`}`;
    expect(result.ok, description).toBe(verdict === true);
    // Where the model names the code, the implementation must refuse for the same reason.
    if (typeof verdict === "string" && !result.ok) expect(result.code, description).toBe(verdict);
    const by = step.type === "financing.disburse" && step.who === A.operator ? " by operator" : "";
    const key = `${step.type}${by} ${result.ok ? "ok" : "refused"}`;
    OUTCOMES.set(key, (OUTCOMES.get(key) ?? 0) + 1);
    if (step.type === "claim.split" && result.ok && partlyPaid(driver.state, step.body)) {
      OUTCOMES.set("claim.split of a partly paid piece ok", (OUTCOMES.get("claim.split of a partly paid piece ok") ?? 0) + 1);
    }
    const codeKey = `${step.type} ${result.ok ? "ok" : result.code}`;
    CODES.set(codeKey, (CODES.get(codeKey) ?? 0) + 1);
    if (service !== undefined) await submitToService(service, signed, result, model.nowMs, description);
    if (result.ok) driver.state.applyChanges(result.changes);
    assertSameAsModel(driver.state, model, lineId);
    assertInvariants(driver.state, lineId);
  }
  if (service !== undefined) await assertDatabaseSameAsState(service, driver.state);
}

function partlyPaid(state: MemoryState, body: unknown): boolean {
  return (state.getClaim((body as { claimId: string }).claimId)?.settledMinor ?? 0n) > 0n;
}

/** The same signed step through the ledger service, committed at the model's clock: the same answer. */
async function submitToService(db: Db, signed: SignedTransaction, result: ApplyResult, nowMs: number, description: string): Promise<void> {
  const stored = await submitWire(db, encodeSignedTransaction(signed), { clock: () => nowMs });
  const answer = stored!.status === "accepted" ? "accepted" : `refused ${stored!.code}`;
  expect(answer, `the service on ${description}`).toBe(result.ok ? "accepted" : `refused ${result.code}`);
}

/** Every materialised table holds exactly what the contracts' state holds. */
async function assertDatabaseSameAsState(db: Db, state: MemoryState): Promise<void> {
  const byId = <T>(id: (item: T) => string) => (items: Iterable<T>) => [...items].sort((a, b) => (id(a) < id(b) ? -1 : 1));
  const sorted = byId((item: { id: string }) => item.id);
  expect(sorted((await db.select().from(claims)).map(toClaim)), "claims").toEqual(sorted(state.claims.values()));
  expect(sorted((await db.select().from(creditLines)).map(toCreditLine)), "credit lines").toEqual(sorted(state.creditLines.values()));
  expect(sorted((await db.select().from(pledges)).map(toPledge)), "pledges").toEqual(sorted(state.pledges.values()));
  expect(sorted((await db.select().from(financings)).map(toFinancing)), "financings").toEqual(sorted(state.financings.values()));
  expect(sorted((await db.select().from(financingPolicies)).map(toPolicy)), "policies").toEqual(sorted(state.policies.values()));
  expect(sorted((await db.select().from(repayments)).map(toRepayment)), "repayments").toEqual(sorted(state.repayments.values()));
  expect(sorted((await db.select().from(ledgerOrganisations)).map(toOrganisation)), "organisations").toEqual(sorted(state.orgs.values()));
  const byKeyId = byId((key: { keyId: string }) => key.keyId);
  expect(byKeyId((await db.select().from(signingKeys)).map(toKey)), "keys").toEqual(byKeyId(state.keys.values()));
}
