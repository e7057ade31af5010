import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { desc, eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { claims, financings, ledgerCheckpoints, ledgerEntries } from "@/db/schema";
import { buildSigned, toWire, type SigningIdentity } from "@/contracts/client";
import { deriveId } from "@/contracts/canonical";
import { beijingDate } from "@/contracts/ledger/maturity";
import type { TransactionBodies, TransactionType } from "@/contracts/ledger/types";
import { parseNote } from "@/contracts/note";
import { checkpointTextHash } from "@/contracts/tlog-checkpoint";
import { nodeVerifier } from "@/server/crypto/node-verifier";
import { verifyDatabase } from "@/server/ledger/export";
import { latestCheckpointTextHash, submitWire } from "@/server/ledger/service";
import { seedDemo } from "@/server/seed/seed";
import { demoIdentity } from "@/server/seed/ledger-seed";
import { createTestDatabase } from "../helpers/db";

/*
 * Issue 13, "the decision is bound to verified facts": a signed offer and a disbursement name
 * the checkpoint they were decided on (the hash of its note's text, what witnesses cosign),
 * and the contract refuses one naming a checkpoint the ledger never published.
 */

let database: Database;
const nonce = () => randomBytes(16).toString("hex");
const tier2 = demoIdentity("org_lingnan");
const bank = demoIdentity("org_cmtb");

function wire<K extends TransactionType>(who: SigningIdentity, type: K, body: TransactionBodies[K]) {
  return toWire(buildSigned(who, type, body, { nonce: nonce(), createdAtMs: Date.now() }));
}

/** A fresh application by tier 2 to the bank on a piece of its 100,000.00 claim: the financing id. */
async function application(amountMinor: bigint): Promise<string> {
  const [source] = await database.db.select().from(claims).where(sql`${claims.holderOrgId} = 'org_lingnan' and ${claims.state} = 'held' and ${claims.amountMinor} > 1000000`).orderBy(claims.amountMinor);
  const split = await submitWire(database.db, wire(tier2, "claim.split", { claimId: source!.id, parts: [{ toOrgId: "org_lingnan", amountMinor }, { toOrgId: "org_lingnan", amountMinor: source!.amountMinor - amountMinor }] }));
  expect(split.status).toBe("accepted");
  const request = await submitWire(database.db, wire(tier2, "financing.request", { claimId: deriveId("c", split.txId!, 0), lenderOrgId: "org_cmtb" }));
  expect(request.status).toBe("accepted");
  return deriveId("fin", request.txId!, 0);
}
const offer = (financingId: string, checkpointHash: string) =>
  wire(bank, "financing.offer", { financingId, rateBps: 400, feeMinor: 0n, disbursementDate: beijingDate(Date.now()), recourse: false, checkpointHash });
const status = async (financingId: string) => (await database.db.select({ status: financings.status }).from(financings).where(eq(financings.id, financingId)))[0]!.status;
const logSize = async () => (await database.db.select({ n: sql<number>`count(*)::int` }).from(ledgerEntries))[0]!.n;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
});
afterAll(async () => database.close());

describe("financing decisions name the checkpoint they were decided on", () => {
  it("every checkpoint row keeps the hash of its note's text, the one a decision names", async () => {
    const rows = await database.db.select({ note: ledgerCheckpoints.note, hash: ledgerCheckpoints.noteTextHash }).from(ledgerCheckpoints).orderBy(desc(ledgerCheckpoints.size)).limit(5);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const note = parseNote(row.note!);
      expect(note.ok).toBe(true);
      if (note.ok) expect(row.hash).toBe(checkpointTextHash(note.note.text));
    }
    expect(await latestCheckpointTextHash(database.db)).toBe(rows[0]!.hash);
  });

  it("refuses an offer naming a checkpoint the ledger never published, and changes nothing", async () => {
    const financingId = await application(30_000n);
    const before = await logSize();
    const refused = await submitWire(database.db, offer(financingId, "e".repeat(64)));
    expect(refused).toMatchObject({ status: "refused", code: "checkpoint_unknown" });
    expect(await status(financingId)).toBe("requested");
    expect(await logSize()).toBe(before);
  });

  it("accepts an offer naming a published checkpoint, the latest or an older one", async () => {
    const latest = (await latestCheckpointTextHash(database.db))!;
    expect((await submitWire(database.db, offer(await application(31_000n), latest))).status).toBe("accepted");
    const [oldest] = await database.db.select({ hash: ledgerCheckpoints.noteTextHash }).from(ledgerCheckpoints).where(sql`${ledgerCheckpoints.noteTextHash} is not null`).orderBy(ledgerCheckpoints.size).limit(1);
    expect((await submitWire(database.db, offer(await application(32_000n), oldest!.hash!))).status).toBe("accepted");
  });

  it("refuses a disbursement naming an unpublished checkpoint; the one naming a published checkpoint pays out", async () => {
    const financingId = await application(33_000n);
    expect((await submitWire(database.db, offer(financingId, (await latestCheckpointTextHash(database.db))!))).status).toBe("accepted");
    expect((await submitWire(database.db, wire(tier2, "financing.accept", { financingId }))).status).toBe("accepted");
    const forged = await submitWire(database.db, wire(bank, "financing.disburse", { financingId, paymentReference: "CMTB-CKPT-1", checkpointHash: "f".repeat(64) }));
    expect(forged).toMatchObject({ status: "refused", code: "checkpoint_unknown" });
    expect(await status(financingId)).toBe("accepted");
    const paid = await submitWire(database.db, wire(bank, "financing.disburse", { financingId, paymentReference: "CMTB-CKPT-1", checkpointHash: (await latestCheckpointTextHash(database.db))! }));
    expect(paid.status).toBe("accepted");
    expect(await status(financingId)).toBe("disbursed");
  });

  it("the whole log, decisions included, replays in the verifier, which tracks the checkpoints from the notes", async () => {
    const verified = await verifyDatabase(database.db, nodeVerifier);
    expect(verified).toMatchObject({ ok: true });
  });
});
