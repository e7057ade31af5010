import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database, Db } from "@/db/client";
import { claims, ledgerHead, notifications, pendingApprovals, users } from "@/db/schema";
import { identityFor, type SigningIdentity } from "@/contracts/client";
import { deriveId } from "@/contracts/canonical";
import { bytesToHex } from "@/contracts/hex";
import { decodeSignedTransaction, type WireSignedTransaction } from "@/contracts/ledger/schema";
import type { KeyRole } from "@/contracts/ledger/types";
import { signDigest } from "@/contracts/signing";
import { transactionDigest, transactionId, type Cosignature } from "@/contracts/transaction";
import { requireAccepted, submitWire } from "@/server/ledger/service";
import { DEMO_APPROVAL_ABOVE_MINOR, demoApproverIdentity } from "@/server/seed/ledger-seed";
import { seedDemo } from "@/server/seed/seed";
import { createTestDatabase } from "../helpers/db";
import { callerFor, codeOf, runtimeFor } from "../helpers/callers";
import { bankLineId, freshDocuments, ids, signed } from "../reliability/support";

/*
 * The approvals queue (issue 14 deliverable 3) through the tRPC procedures, on the demo seed:
 * Huaxin's policy needs an approver above 1,000,000.00 and Wu Fang (usr_huaxin_3) holds its
 * approver key. A maker of Huaxin (added here, with his own maker key) prepares; the contracts
 * stay the judge of each approval. Runs on PostgreSQL when DATABASE_URL is set.
 */

let database: Database;
let db: Db;
let lineId = "";
const MAKER = "usr_huaxin_maker";
const APPROVER = "usr_huaxin_3";
const PEARL_APPROVER = "usr_pearl_approver";
const maker = identityFor("org_huaxin", new Uint8Array(randomBytes(32)));
const approverKey = demoApproverIdentity("org_huaxin");
const pearlApproverKey = identityFor("org_pearl", new Uint8Array(randomBytes(32)));
const ABOVE = DEMO_APPROVAL_ABOVE_MINOR + 1n;

async function addUser(id: string, orgId: string, permission: "maker" | "approver"): Promise<void> {
  await db.insert(users).values({ id, orgId, email: `${id}@example.com`, name: id, passwordHash: "x", permission, status: "active" });
}

async function register(key: SigningIdentity & { publicKeyHex: string }, org: { id: string; name: string; role: "core_enterprise" | "supplier" }, keyRole: KeyRole, holderUserId: string, admin: SigningIdentity): Promise<void> {
  const body = { orgId: org.id, orgName: org.name, role: org.role, publicKeyHex: key.publicKeyHex, keyId: key.keyId, keyRole, holderUserId };
  requireAccepted(await submitWire(db, signed(key, "key.register", body, [admin])));
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  await seedDemo(db);
  lineId = await bankLineId(db);
  await addUser(MAKER, "org_huaxin", "maker");
  await addUser(PEARL_APPROVER, "org_pearl", "approver");
  await register(maker, { id: "org_huaxin", name: "Huaxin Electronics Co., Ltd.", role: "core_enterprise" }, "maker", MAKER, ids.core);
  await register(pearlApproverKey, { id: "org_pearl", name: "Pearl River Assembly Ltd.", role: "supplier" }, "approver", PEARL_APPROVER, ids.tier1);
});
afterAll(async () => database?.close());

function issuance(amountMinor: bigint, signer: SigningIdentity = maker): WireSignedTransaction {
  return signed(signer, "claim.issue", { creditLineId: lineId, toOrgId: "org_pearl", amountMinor, currency: "CNY", maturityDate: "2099-12-31", documents: freshDocuments() });
}

function decoded(wire: WireSignedTransaction) {
  const result = decodeSignedTransaction(wire);
  if (!result.ok) throw new Error("test transaction does not decode");
  return result.value;
}

function cosignatureBy(key: SigningIdentity, wire: WireSignedTransaction): Cosignature {
  return { orgId: key.orgId, keyId: key.keyId, signatureHex: bytesToHex(signDigest(key.privateKey, transactionDigest(decoded(wire).transaction))) };
}

async function ledgerSize(): Promise<number> {
  const [head] = await db.select({ size: ledgerHead.size }).from(ledgerHead);
  return head?.size ?? 0;
}

/** A maker's issuance above the threshold, refused by the ledger for want of an approval and held. */
async function held(amountMinor = ABOVE) {
  runtimeFor(db).limits.submissions.clear();
  const wire = issuance(amountMinor);
  const answer = await callerFor(db, MAKER).ledger.submit(wire);
  expect(answer.status === "refused" && answer.code).toBe("approval_missing");
  const item = await callerFor(db, MAKER).approvals.hold({ signed: wire });
  return { wire, item };
}

describe("holding a transaction for approval", () => {
  it("holds the maker's issuance above the threshold, tells Huaxin's approver, and shows it to its people only", async () => {
    const { wire, item } = await held();
    expect(item).toMatchObject({ status: "pending", type: "claim.issue", txId: transactionId(decoded(wire).transaction), mine: true, summary: { toOrgId: "Pearl River Assembly Ltd.", creditLineId: "China Merchants Trade Bank" } });
    const approverView = await callerFor(db, APPROVER).approvals.list();
    expect(approverView.waiting.map((w) => w.id)).toContain(item.id);
    expect(await callerFor(db, APPROVER).approvals.waitingCount()).toBeGreaterThan(0);
    const makerView = await callerFor(db, MAKER).approvals.list();
    expect(makerView.waiting.map((w) => w.id)).not.toContain(item.id);
    expect(makerView.mine.map((w) => w.id)).toContain(item.id);
    expect(await codeOf(callerFor(db, PEARL_APPROVER).approvals.get({ id: item.id }))).toBe("NOT_FOUND");
    expect((await callerFor(db, PEARL_APPROVER).approvals.list()).waiting).toHaveLength(0);
    expect(await codeOf(callerFor(db, "usr_huaxin_2").approvals.list())).toBe("FORBIDDEN"); // a viewer
    const told = await db.select({ userId: notifications.userId, kind: notifications.kind }).from(notifications).where(eq(notifications.dedupeKey, `approval:${item.txId}:approvalRequested`));
    expect(told.map((n) => n.userId).sort()).toEqual([APPROVER, "usr_huaxin_1"].sort());
  });

  it("refuses to hold what needs no approval, and what another person's key signed", async () => {
    const small = issuance(1_000n);
    expect(await codeOf(callerFor(db, MAKER).approvals.hold({ signed: small }))).toBe("BAD_REQUEST");
    expect(await codeOf(callerFor(db, "usr_huaxin_1").approvals.hold({ signed: issuance(ABOVE) }))).toBe("FORBIDDEN");
    expect(await codeOf(callerFor(db, PEARL_APPROVER).approvals.hold({ signed: issuance(ABOVE) }))).toBe("FORBIDDEN");
  });

  it("holds the same signed transaction once", async () => {
    const { wire, item } = await held();
    const again = await callerFor(db, MAKER).approvals.hold({ signed: wire });
    expect(again.id).toBe(item.id);
    expect(await db.select({ id: pendingApprovals.id }).from(pendingApprovals).where(eq(pendingApprovals.txId, item.txId))).toHaveLength(1);
  });
});

describe("approving", () => {
  it("refuses the maker approving his own, another organisation's approver, and a key of someone else", async () => {
    const { wire, item } = await held();
    const before = await ledgerSize();
    expect(await codeOf(callerFor(db, MAKER).approvals.approve({ id: item.id, cosignature: cosignatureBy(maker, wire) }))).toBe("FORBIDDEN");
    expect(await codeOf(callerFor(db, PEARL_APPROVER).approvals.approve({ id: item.id, cosignature: cosignatureBy(pearlApproverKey, wire) }))).toBe("NOT_FOUND");
    // Huaxin's admin signs with Wu Fang's key: the server asks for the approver's own key.
    expect(await codeOf(callerFor(db, "usr_huaxin_1").approvals.approve({ id: item.id, cosignature: cosignatureBy(approverKey, wire) }))).toBe("FORBIDDEN");
    expect(await ledgerSize()).toBe(before);
    expect((await callerFor(db, APPROVER).approvals.get({ id: item.id })).status).toBe("pending");
  });

  it("submits with the approver's cosignature: the claim exists, the maker is told, and a second approval is harmless", async () => {
    const { wire, item } = await held();
    const decision = await callerFor(db, APPROVER).approvals.approve({ id: item.id, cosignature: cosignatureBy(approverKey, wire) });
    expect(decision.ledger?.status).toBe("accepted");
    expect(decision.approval).toMatchObject({ status: "approved", decidedBy: { userId: APPROVER } });
    const [claim] = await db.select({ amountMinor: claims.amountMinor, issuerOrgId: claims.issuerOrgId }).from(claims).where(eq(claims.id, deriveId("c", item.txId, 0)));
    expect(claim).toEqual({ amountMinor: ABOVE, issuerOrgId: "org_huaxin" });
    const told = await db.select({ userId: notifications.userId }).from(notifications).where(eq(notifications.dedupeKey, `approval:${item.txId}:approvalApproved`));
    expect(told.map((n) => n.userId)).toEqual([MAKER]);

    const size = await ledgerSize();
    const again = await callerFor(db, APPROVER).approvals.approve({ id: item.id, cosignature: cosignatureBy(approverKey, wire) });
    expect(again).toMatchObject({ ledger: null, approval: { status: "approved", leafIndex: decision.approval.leafIndex } });
    expect(await ledgerSize()).toBe(size);
    expect(await codeOf(callerFor(db, APPROVER).approvals.reject({ id: item.id, reason: "too late" }))).toBe("CONFLICT");
  });

  it("keeps an item pending when the ledger refuses the approval itself (a cosignature that does not verify)", async () => {
    const { item } = await held();
    const forged = { ...cosignatureBy(approverKey, issuance(ABOVE)) };
    const decision = await callerFor(db, APPROVER).approvals.approve({ id: item.id, cosignature: forged });
    expect(decision.ledger?.status === "refused" && decision.ledger.code).toBe("approval_invalid");
    expect(decision.approval.status).toBe("pending");
  });

  it("marks superseded an item the ledger now refuses for another reason, and tells the maker", async () => {
    const { wire, item } = await held();
    // The maker's key is revoked meanwhile: the held transaction can no longer be accepted.
    const other = identityFor("org_huaxin", new Uint8Array(randomBytes(32)));
    await addUser("usr_huaxin_maker2", "org_huaxin", "maker");
    await register(other, { id: "org_huaxin", name: "Huaxin Electronics Co., Ltd.", role: "core_enterprise" }, "maker", "usr_huaxin_maker2", ids.core);
    const superseding = signed(other, "claim.issue", { creditLineId: lineId, toOrgId: "org_pearl", amountMinor: 1_000n, currency: "CNY", maturityDate: "2099-12-31", documents: (decoded(wire).transaction.body as { documents: ReturnType<typeof freshDocuments> }).documents });
    requireAccepted(await submitWire(db, superseding)); // the same invoice now backs another live issuance
    const decision = await callerFor(db, APPROVER).approvals.approve({ id: item.id, cosignature: cosignatureBy(approverKey, wire) });
    expect(decision.ledger?.status).toBe("refused");
    expect(decision.approval.status).toBe("superseded");
    expect(decision.approval.refusalCode).toBe(decision.ledger?.status === "refused" ? decision.ledger.code : null);
    const told = await db.select({ userId: notifications.userId }).from(notifications).where(eq(notifications.dedupeKey, `approval:${item.txId}:approvalSuperseded`));
    expect(told.map((n) => n.userId)).toEqual([MAKER]);
  });
});

describe("rejecting and withdrawing", () => {
  it("records the approver's reason, leaves the ledger unchanged, tells the maker, and never submits it", async () => {
    const { wire, item } = await held();
    const before = await ledgerSize();
    expect(await codeOf(callerFor(db, MAKER).approvals.reject({ id: item.id, reason: "mine" }))).toBe("FORBIDDEN");
    const decision = await callerFor(db, APPROVER).approvals.reject({ id: item.id, reason: "Invoice not received yet" });
    expect(decision.approval).toMatchObject({ status: "rejected", reason: "Invoice not received yet" });
    expect(await ledgerSize()).toBe(before);
    expect(await codeOf(callerFor(db, APPROVER).approvals.approve({ id: item.id, cosignature: cosignatureBy(approverKey, wire) }))).toBe("CONFLICT");
    expect(await ledgerSize()).toBe(before);
    const told = await db.select({ userId: notifications.userId, params: notifications.params }).from(notifications).where(eq(notifications.dedupeKey, `approval:${item.txId}:approvalRejected`));
    expect(told).toEqual([{ userId: MAKER, params: expect.objectContaining({ reason: "Invoice not received yet" }) }]);
  });

  it("lets only the maker withdraw, and a withdrawn item is never submitted", async () => {
    const { wire, item } = await held();
    expect(await codeOf(callerFor(db, APPROVER).approvals.withdraw({ id: item.id }))).toBe("FORBIDDEN");
    expect((await callerFor(db, MAKER).approvals.withdraw({ id: item.id })).approval.status).toBe("withdrawn");
    const before = await ledgerSize();
    expect(await codeOf(callerFor(db, APPROVER).approvals.approve({ id: item.id, cosignature: cosignatureBy(approverKey, wire) }))).toBe("CONFLICT");
    expect(await ledgerSize()).toBe(before);
  });

  it("the held transaction does not block the maker's later ones (its nonce is unused until it is accepted)", async () => {
    await held();
    runtimeFor(db).limits.submissions.clear();
    const later = await callerFor(db, MAKER).ledger.submit(issuance(1_000n));
    expect(later.status).toBe("accepted");
  });
});

describe("counting what waits (the navigation's badge)", () => {
  /** The badge's count, and what the queue lists as waiting, for one caller. */
  async function countAndList(userId: string): Promise<[number, number]> {
    return [await callerFor(db, userId).approvals.waitingCount(), (await callerFor(db, userId).approvals.list()).waiting.length];
  }

  it("counts exactly what the queue lists as waiting for each caller, and leaves out the expired and the withdrawn", async () => {
    const { item } = await held();
    const [approverCount, approverListed] = await countAndList(APPROVER);
    expect(approverCount).toBeGreaterThan(0);
    expect(approverCount).toBe(approverListed);
    for (const userId of [MAKER, "usr_huaxin_1", PEARL_APPROVER]) {
      const [counted, listed] = await countAndList(userId);
      expect(counted, userId).toBe(listed);
    }
    // The maker never approves his own: his count leaves it out.
    expect((await callerFor(db, MAKER).approvals.list()).waiting.map((w) => w.id)).not.toContain(item.id);

    // Past the ledger's window it is expired: neither counted nor listed as waiting.
    const [row] = await db.select({ signedAtMs: pendingApprovals.signedAtMs }).from(pendingApprovals).where(eq(pendingApprovals.id, item.id));
    await db.update(pendingApprovals).set({ signedAtMs: row!.signedAtMs - 25 * 3_600_000 }).where(eq(pendingApprovals.id, item.id));
    expect(await countAndList(APPROVER)).toEqual([approverCount - 1, approverCount - 1]);
    await db.update(pendingApprovals).set({ signedAtMs: row!.signedAtMs }).where(eq(pendingApprovals.id, item.id));
    expect(await countAndList(APPROVER)).toEqual([approverCount, approverCount]);

    await callerFor(db, MAKER).approvals.withdraw({ id: item.id });
    expect(await countAndList(APPROVER)).toEqual([approverCount - 1, approverCount - 1]);
  });
});
