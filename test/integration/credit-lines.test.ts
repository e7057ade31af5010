import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { creditLines } from "@/db/schema";
import { buildSigned, toWire, type SigningIdentity } from "@/contracts/client";
import { deriveId, sha256Hex } from "@/contracts/canonical";
import { utf8ToBytes } from "@/contracts/hex";
import type { TransactionBodies, TransactionType } from "@/contracts/ledger/types";
import { seedDemo } from "@/server/seed/seed";
import { addDays, demoIdentity } from "@/server/seed/ledger-seed";
import { loadActor } from "@/server/auth/accounts";
import { acceptInvite, inviteUser } from "@/server/commands/users";
import type { Permission } from "@/db/enums";
import { createTestDatabase } from "../helpers/db";
import { callerFor, codeOf } from "../helpers/callers";

/*
 * Credit lines from the lender's side, through the same path as the browser: a signed
 * transaction submitted with ledger.submit by a user of the lender, then the lists both
 * sides read.
 */

let database: Database;
const bank = demoIdentity("org_cmtb");
const core = demoIdentity("org_huaxin");
const DAY_MS = 86_400_000;
const BANK_ADMIN = "usr_cmtb_1";
const CORE_ADMIN = "usr_huaxin_1";
const DOCUMENTS = {
  invoiceSha256: sha256Hex(utf8ToBytes("credit line test invoice")),
  contractSha256: sha256Hex(utf8ToBytes("credit line test contract")),
  deliveryNoteSha256: sha256Hex(utf8ToBytes("credit line test delivery note")),
};

/** The documents with an invoice of their own: one invoice backs at most one live issuance. */
const freshDocuments = () => ({ ...DOCUMENTS, invoiceSha256: randomBytes(32).toString("hex") });

function wire<K extends TransactionType>(who: SigningIdentity, type: K, body: TransactionBodies[K]) {
  return toWire(buildSigned(who, type, body, { nonce: randomBytes(16).toString("hex"), createdAtMs: Date.now() }));
}

async function submitAs<K extends TransactionType>(userId: string, who: SigningIdentity, type: K, body: TransactionBodies[K]) {
  return callerFor(database.db, userId).ledger.submit(wire(who, type, body));
}

/** A new member of the bank with the given permission, signed up through an invitation. */
async function bankMember(permission: Permission): Promise<string> {
  const operator = (await loadActor(database.db, "usr_operator_1"))!;
  const email = `bank-${permission}-${randomBytes(3).toString("hex")}@example.com`;
  const invite = await inviteUser(database.db, operator, { orgId: "org_cmtb", email, name: `Bank ${permission}`, permission });
  await acceptInvite(database.db, { token: invite.inviteToken, password: "a long enough password" });
  return invite.user.id;
}

const lineRow = async (id: string) => (await database.db.select().from(creditLines).where(eq(creditLines.id, id)))[0]!;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
});
afterAll(async () => database.close());

describe("a lender's credit line, granted to adjusted to frozen and back", () => {
  let lineId = "";
  const expiresAtMs = Date.parse(`${addDays(Date.now(), 400)}T00:00:00Z`);

  it("the bank admin picks the core enterprise from the ledger and grants a line", async () => {
    const choices = await callerFor(database.db, BANK_ADMIN).ledger.grantableCoreEnterprises();
    expect(choices).toEqual([{ id: "org_huaxin", name: "Huaxin Electronics Co., Ltd." }]);
    const result = await submitAs(BANK_ADMIN, bank, "creditLine.grant", { coreEnterpriseOrgId: "org_huaxin", currency: "CNY", limitMinor: 300_000_000n, expiresAtMs });
    expect(result.status).toBe("accepted");
    lineId = deriveId("cl", result.txId!, 0);
    const mine = await callerFor(database.db, BANK_ADMIN).ledger.creditLines();
    expect(mine.find((l) => l.id === lineId)).toMatchObject({ coreEnterpriseOrgId: "org_huaxin", limitMinor: 300_000_000n, usedMinor: 0n, availableMinor: 300_000_000n, status: "active", expiresAtMs });
    const theirs = await callerFor(database.db, CORE_ADMIN).ledger.creditLines();
    expect(theirs.find((l) => l.id === lineId)).toMatchObject({ lenderName: "China Merchants Trade Bank", limitMinor: 300_000_000n, status: "active" });
  });

  it("the core enterprise issues on it; the limit cannot go below what is used", async () => {
    // 1,000,000.00: the demo's approval policy asks for an approver only above it.
    const issued = await submitAs(CORE_ADMIN, core, "claim.issue", { creditLineId: lineId, toOrgId: "org_pearl", amountMinor: 100_000_000n, currency: "CNY", maturityDate: addDays(Date.now(), 60), documents: freshDocuments() });
    expect(issued.status).toBe("accepted");
    const below = await submitAs(BANK_ADMIN, bank, "creditLine.adjust", { creditLineId: lineId, limitMinor: 99_999_999n });
    expect(below).toMatchObject({ status: "refused", code: "credit_line_limit_below_used" });
    const adjusted = await submitAs(BANK_ADMIN, bank, "creditLine.adjust", { creditLineId: lineId, limitMinor: 150_000_000n });
    expect(adjusted.status).toBe("accepted");
    expect(await lineRow(lineId)).toMatchObject({ limitMinor: 150_000_000n, usedMinor: 100_000_000n });
  });

  it("frozen: the core enterprise's next issuance is refused; unfrozen: accepted again", async () => {
    expect((await submitAs(BANK_ADMIN, bank, "creditLine.freeze", { creditLineId: lineId, frozen: true })).status).toBe("accepted");
    expect(await submitAs(BANK_ADMIN, bank, "creditLine.freeze", { creditLineId: lineId, frozen: true })).toMatchObject({ status: "refused", code: "credit_line_freeze_unchanged" });
    const issue = () => submitAs(CORE_ADMIN, core, "claim.issue", { creditLineId: lineId, toOrgId: "org_pearl", amountMinor: 10_000_000n, currency: "CNY", maturityDate: addDays(Date.now(), 60), documents: freshDocuments() });
    expect(await issue()).toMatchObject({ status: "refused", code: "credit_line_frozen" });
    expect((await callerFor(database.db, CORE_ADMIN).ledger.creditLines()).find((l) => l.id === lineId)?.status).toBe("frozen");
    expect(await lineRow(lineId)).toMatchObject({ usedMinor: 100_000_000n, status: "frozen" });

    expect((await submitAs(BANK_ADMIN, bank, "creditLine.freeze", { creditLineId: lineId, frozen: false })).status).toBe("accepted");
    expect((await issue()).status).toBe("accepted");
    expect(await lineRow(lineId)).toMatchObject({ usedMinor: 110_000_000n, status: "active" });
  });

  it("expired: nothing more can be issued, adjusted or frozen on it", async () => {
    expect((await submitAs(BANK_ADMIN, bank, "creditLine.expire", { creditLineId: lineId })).status).toBe("accepted");
    expect(await submitAs(BANK_ADMIN, bank, "creditLine.adjust", { creditLineId: lineId, limitMinor: 200_000_000n })).toMatchObject({ status: "refused", code: "credit_line_expired" });
    expect(await submitAs(BANK_ADMIN, bank, "creditLine.expire", { creditLineId: lineId })).toMatchObject({ status: "refused", code: "credit_line_already_expired" });
    const issue = await submitAs(CORE_ADMIN, core, "claim.issue", { creditLineId: lineId, toOrgId: "org_pearl", amountMinor: 1_000n, currency: "CNY", maturityDate: addDays(Date.now(), 60), documents: freshDocuments() });
    expect(issue).toMatchObject({ status: "refused", code: "credit_line_expired" });
  });

  it("a line past its expiry time reads as expired before anyone signs creditLine.expire", async () => {
    const bankActor = (await loadActor(database.db, BANK_ADMIN))!;
    const { listCreditLines } = await import("@/server/read/credit-lines");
    const later = await listCreditLines(database.db, bankActor, Date.now() + 2 * 365 * DAY_MS);
    expect(later.every((l) => l.status === "expired")).toBe(true);
  });
});

describe("who may sign credit line decisions", () => {
  it("a maker or approver of the lender may not (FORBIDDEN, nothing changes); the lender's admin may", async () => {
    const [line] = await database.db.select().from(creditLines).where(eq(creditLines.lenderOrgId, "org_cmtb"));
    for (const permission of ["viewer", "maker", "approver"] as const) {
      const userId = await bankMember(permission);
      expect(await codeOf(submitAs(userId, bank, "creditLine.adjust", { creditLineId: line!.id, limitMinor: line!.limitMinor + 1n })), permission).toBe("FORBIDDEN");
      expect(await codeOf(callerFor(database.db, userId).ledger.grantableCoreEnterprises()), permission).toBe("FORBIDDEN");
      // Read-only: they still see the lines.
      expect((await callerFor(database.db, userId).ledger.creditLines()).length).toBeGreaterThan(0);
    }
    expect((await lineRow(line!.id)).limitMinor).toBe(line!.limitMinor);
    expect((await submitAs(BANK_ADMIN, bank, "creditLine.adjust", { creditLineId: line!.id, limitMinor: line!.limitMinor + 1n })).status).toBe("accepted");
  });

  it("another lender cannot touch the bank's line (the contract refuses), and a core enterprise cannot list grantees", async () => {
    const [line] = await database.db.select().from(creditLines).where(eq(creditLines.lenderOrgId, "org_cmtb"));
    const factor = demoIdentity("org_gbfactor");
    expect(await submitAs("usr_gbfactor_1", factor, "creditLine.freeze", { creditLineId: line!.id, frozen: true })).toMatchObject({ status: "refused", code: "signer_not_credit_line_lender" });
    expect(await codeOf(callerFor(database.db, CORE_ADMIN).ledger.grantableCoreEnterprises())).toBe("FORBIDDEN");
    expect(await codeOf(callerFor(database.db, null).ledger.grantableCoreEnterprises())).toBe("UNAUTHORIZED");
  });
});
