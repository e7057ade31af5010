/**
 * The registry of transaction kinds (contracts/ledger/kinds): what the compiler cannot see.
 * The types already refuse a missing kind or field; these tests check the descriptors'
 * content against the rules they stand for: each kind's codes, its lineage role as
 * contracts/provenance.ts documents it, its signer rules, and above all that what a
 * descriptor says a transaction names covers what the transaction really changes, since
 * the provenance selection and the server's lineage query find entries by those names.
 */
import { describe, expect, test } from "vitest";
import { transactionId } from "@/contracts/transaction";
import { KIND_LIST, KINDS, kindOf, orgsNamed, typesWithLineage } from "@/contracts/ledger/kinds";
import { SIGNER_CHECKS } from "@/contracts/ledger/codes";
import { roleMaySign } from "@/contracts/ledger/roles";
import { APPROVAL_RULES } from "@/contracts/ledger/approvals";
import { KEY_ROLES } from "@/contracts/ledger/types";
import { beijingDate } from "@/contracts/ledger/maturity";
import { TRANSACTION_TYPES, type SignedLedgerTransaction, type StateChange, type TransactionBodies, type TransactionType } from "@/contracts/ledger/types";
import { ACTORS, DAY_MS, DECIDED_ON, MATURITY_DATE, NOW_MS, standardWorld, type Actor, type LedgerDriver, type TxOptions } from "./ledger-fixtures";

interface Step {
  signed: SignedLedgerTransaction;
  txId: string;
  changes: StateChange[];
}

/** Signs and applies, keeping the signed transaction and its changes; throws on a refusal. */
function recorder(driver: LedgerDriver) {
  const steps: Step[] = [];
  function run<K extends TransactionType>(who: Actor, type: K, body: TransactionBodies[K], options: TxOptions = {}): Step {
    const signed = driver.sign(who, type, body, options);
    const result = driver.submit(signed);
    if (!result.ok) throw new Error(`${type} refused: ${result.code} ${result.detail ?? ""}`);
    const step = { signed: signed as SignedLedgerTransaction, txId: transactionId(signed.transaction), changes: result.changes };
    steps.push(step);
    return step;
  }
  const createdId = (step: Step, kind: "claim" | "financing" | "policy"): string => {
    const change = step.changes.find((candidate) => candidate.kind === kind);
    if (change === undefined || change.kind !== kind) throw new Error(`no ${kind} created`);
    return change.value.id;
  };
  return { steps, run, createdId };
}

/** One transaction of every kind that touches claims, on the standard world, recorded. */
function everyClaimKind(): Step[] {
  const { driver, lineId } = standardWorld();
  const { steps, run, createdId } = recorder(driver);
  const { core, s1, s2, s3, bank, operator } = ACTORS;
  const issue = (to: Actor, amountMinor: bigint) =>
    run(core, "claim.issue", {
      creditLineId: lineId,
      toOrgId: to.orgId,
      amountMinor,
      currency: "CNY",
      maturityDate: MATURITY_DATE,
      documents: { invoiceSha256: "a".repeat(64), contractSha256: "b".repeat(64), deliveryNoteSha256: "c".repeat(64) },
    });
  run(s1, "claim.reject", { claimId: createdId(issue(s1, 100n), "claim"), reason: "wrong amount" });
  run(core, "claim.withdraw", { claimId: createdId(issue(s1, 100n), "claim") });
  const rootId = createdId(issue(s1, 100_000n), "claim");
  run(s1, "claim.accept", { claimId: rootId });
  const split = run(s1, "claim.split", { claimId: rootId, parts: [{ toOrgId: s1.orgId, amountMinor: 40_000n }, { toOrgId: s2.orgId, amountMinor: 60_000n }] });
  const [kept, given] = split.changes.flatMap((change) => (change.kind === "claim" && change.value.parentId === rootId ? [change.value.id] : []));
  run(s2, "claim.accept", { claimId: given! });
  run(s1, "claim.pledge", { claimId: kept!, lenderOrgId: bank.orgId });
  run(bank, "claim.release", { claimId: kept! });
  const today = beijingDate(NOW_MS);
  const declined = createdId(run(s1, "financing.request", { claimId: kept!, lenderOrgId: bank.orgId }), "financing");
  run(bank, "financing.decline", { financingId: declined, reason: "not now" });
  const financingId = createdId(run(s2, "financing.request", { claimId: given!, lenderOrgId: bank.orgId }), "financing");
  run(bank, "financing.offer", { financingId, rateBps: 500, feeMinor: 10n, disbursementDate: today, recourse: false, checkpointHash: DECIDED_ON });
  run(s2, "financing.accept", { financingId });
  run(bank, "financing.disburse", { financingId, paymentReference: "PAY-1", checkpointHash: DECIDED_ON });
  const terms = { rateBps: 400, feeMinor: 0n, recourse: false };
  const policyId = createdId(
    run(bank, "financingPolicy.set", { coreEnterpriseOrgId: core.orgId, currency: "CNY", maxAmountMinor: 1_000_000n, maxDepth: 3, ...terms }),
    "policy",
  );
  const [, toS3] = run(s1, "claim.split", { claimId: kept!, parts: [{ toOrgId: s1.orgId, amountMinor: 30_000n }, { toOrgId: s3.orgId, amountMinor: 10_000n }] })
    .changes.flatMap((change) => (change.kind === "claim" && change.value.parentId === kept ? [change.value.id] : []));
  run(s3, "claim.accept", { claimId: toS3! });
  run(s3, "financing.requestUnderPolicy", { claimId: toS3!, policyId, ...terms, disbursementDate: today });
  run(bank, "financingPolicy.revoke", { policyId });
  run(core, "repayment.record", { rootClaimId: rootId, amountMinor: 20_000n, paymentReference: "REPAY-1" });
  driver.nowMs = Date.parse(`${MATURITY_DATE}T00:00:00Z`) + 2 * DAY_MS;
  run(operator, "claim.markOverdue", { rootClaimId: rootId });
  return steps;
}

/** Claims whose rows a transaction changes (the rule the server's claim_ids column follows). */
function claimsChanged(changes: readonly StateChange[]): Set<string> {
  const ids = new Set<string>();
  for (const change of changes) {
    if (change.kind === "claim") ids.add(change.value.id);
    if (change.kind === "pledge" || change.kind === "financing") ids.add(change.value.claimId);
  }
  return ids;
}

describe("the registry of transaction kinds", () => {
  test("has one descriptor per transaction type, each filed under its own type", () => {
    expect(Object.keys(KINDS).sort()).toEqual([...TRANSACTION_TYPES].sort());
    for (const [type, kind] of Object.entries(KINDS)) expect(kind.type).toBe(type);
  });

  test("no kind lists a result code twice, and key.register alone skips the registered-key checks", () => {
    for (const kind of KIND_LIST) {
      expect(new Set(kind.codes).size, kind.type).toBe(kind.codes.length);
      const checksRegisteredKey = SIGNER_CHECKS.every((code) => (kind.codes as readonly string[]).includes(code));
      expect(checksRegisteredKey, kind.type).toBe(kind.signing.signer === "registered-key");
    }
  });

  test("a kind checks the signer's key role exactly when its row of the roles table leaves a role out", () => {
    for (const kind of KIND_LIST) {
      const leavesOut = KEY_ROLES.some((role) => !roleMaySign(kind.type, role));
      expect((kind.codes as readonly string[]).includes("signer_role_not_allowed"), kind.type).toBe(leavesOut);
    }
  });

  test("lineage roles are the ones contracts/provenance.ts documents", () => {
    expect(typesWithLineage("whole-tree").sort()).toEqual(["claim.markOverdue", "repayment.record"]);
    expect(typesWithLineage("credit-line").sort()).toEqual(["creditLine.adjust", "creditLine.expire", "creditLine.freeze", "creditLine.grant"]);
    expect(typesWithLineage("key-introduction").sort()).toEqual(["key.register", "key.rotate"]);
    expect(typesWithLineage("policy-introduction")).toEqual(["financingPolicy.set"]);
    expect(typesWithLineage("none").sort()).toEqual(["approvalPolicy.set", "financingPolicy.revoke", "key.revoke"]);
  });

  test("only registrations, rotations and the kinds with an approval rule take cosignatures; only the first two introduce a key", () => {
    const cosigned = KIND_LIST.filter((kind) => kind.signing.cosigners !== "none").map((kind) => kind.type);
    expect(cosigned.sort()).toEqual(["key.register", "key.rotate", ...Object.keys(APPROVAL_RULES)].sort());
    const approved = KIND_LIST.filter((kind) => kind.signing.cosigners === "approvals").map((kind) => kind.type);
    expect(approved.sort()).toEqual(Object.keys(APPROVAL_RULES).sort());
    const key = { keyId: "1".repeat(32), publicKeyHex: "2".repeat(64) };
    const bodies: Partial<Record<TransactionType, unknown>> = {
      "key.register": { orgId: "org-x", orgName: "X", role: "supplier", ...key },
      "key.rotate": { orgId: "org-x", oldKeyId: "3".repeat(32), newKeyId: key.keyId, newPublicKeyHex: key.publicKeyHex },
    };
    for (const kind of KIND_LIST) {
      const introduced = kind.signing.introducesKey((bodies[kind.type] ?? {}) as never);
      expect(introduced, kind.type).toEqual(kind.type in bodies ? { ...key, webauthn: null } : undefined);
    }
  });
});

describe("what a descriptor says a transaction names", () => {
  const steps = everyClaimKind();
  const claimOfFinancing = (financingId: string) => {
    for (const step of steps) {
      for (const change of step.changes) if (change.kind === "financing" && change.value.id === financingId) return change.value.claimId;
    }
    return undefined;
  };

  test("the scenario covers every kind that touches claims", () => {
    const covered = new Set(steps.map((step) => step.signed.transaction.type));
    const claimKinds = KIND_LIST.filter((kind) => kind.lineage === "claims" || kind.lineage === "whole-tree").map((kind) => kind.type);
    expect(claimKinds.filter((type) => !covered.has(type))).toEqual([]);
  });

  test("a kind in the lineage names every claim it changes; the others name none and change none", () => {
    for (const { signed, txId, changes } of steps) {
      const kind = kindOf(signed.transaction.type);
      const named = new Set(kind.names.claims(signed.transaction, txId, claimOfFinancing));
      const changed = claimsChanged(changes);
      if (kind.lineage === "claims") {
        expect([...changed].filter((id) => !named.has(id)), signed.transaction.type).toEqual([]);
        expect(changed.size, signed.transaction.type).toBeGreaterThan(0);
      } else if (kind.lineage !== "whole-tree") {
        expect([named.size, changed.size], signed.transaction.type).toEqual([0, 0]);
      }
    }
  });

  test("a whole-tree kind names its root and changes pieces beyond it, which is why a lineage leaves it out", () => {
    for (const { signed, txId, changes } of steps.filter((step) => kindOf(step.signed.transaction.type).lineage === "whole-tree")) {
      const named = kindOf(signed.transaction.type).names.claims(signed.transaction, txId, claimOfFinancing);
      expect(named, signed.transaction.type).toEqual([(signed.transaction.body as { rootClaimId: string }).rootClaimId]);
      expect(claimsChanged(changes).size, signed.transaction.type).toBeGreaterThan(1);
    }
  });

  test("every organisation a transaction creates or points a claim at is named", () => {
    for (const { signed, changes } of steps) {
      const named = new Set(orgsNamed(signed));
      for (const change of changes) {
        if (change.kind === "claim" && change.value.createdTxId === transactionId(signed.transaction)) {
          expect(named.has(change.value.holderOrgId), signed.transaction.type).toBe(true);
        }
        if (change.kind === "financing" && change.value.createdTxId === transactionId(signed.transaction)) {
          expect(named.has(change.value.lenderOrgId) || signed.transaction.type === "financing.requestUnderPolicy", signed.transaction.type).toBe(true);
        }
      }
    }
  });
});
