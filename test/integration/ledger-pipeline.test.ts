import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { claims, ledgerEntries } from "@/db/schema";
import { buildSigned, toWire } from "@/contracts/client";
import { sealTransaction, type SealedTransaction } from "@/contracts/ledger/schema";
import { deriveId, sha256Hex } from "@/contracts/canonical";
import { utf8ToBytes } from "@/contracts/hex";
import { transactionId } from "@/contracts/transaction";
import { seedDemo } from "@/server/seed/seed";
import { addDays, demoIdentity } from "@/server/seed/ledger-seed";
import { createLedgerSubmitter, requireAccepted, submitBatch, submitWire, type BlockObserver, type BlockPath, type SubmitResult } from "@/server/ledger/service";
import { verifyDatabase } from "@/server/ledger/export";
import { nodeVerifier } from "@/server/crypto/node-verifier";
import { createTestDatabase } from "../helpers/db";

/*
 * The pipelined ledger (service.ts commitInPipeline): a block is applied on the state the
 * block in flight before it leaves, while that one is written, and is judged again under the
 * head lock when that block does not commit or another writer's block comes in between.
 * Failures are real: a trigger on ledger_entries that raises for one transaction id, or that
 * holds one block's insert for a while so another writer queues behind it.
 */

let database: Database;
let lineId: string;
const nonce = () => randomBytes(16).toString("hex");

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
  const grant = await submitWire(database.db, toWire(buildSigned(demoIdentity("org_gbfactor"), "creditLine.grant", { coreEnterpriseOrgId: "org_huaxin", currency: "CNY", limitMinor: 10_000_000_000n, expiresAtMs: Date.now() + 365 * 86_400_000 }, { nonce: nonce(), createdAtMs: Date.now() })));
  lineId = deriveId("cl", requireAccepted(grant).txId, 0);
});
afterAll(async () => database.close());
afterEach(async () => {
  await database.db.execute(sql`drop trigger if exists pipeline_fault on ledger_entries`);
  await database.db.execute(sql`drop function if exists pipeline_fault()`);
});

function sign<K extends Parameters<typeof buildSigned>[1]>(org: string, type: K, body: Parameters<typeof buildSigned<K>>[2]): SealedTransaction {
  return sealTransaction(buildSigned(demoIdentity(org), type, body, { nonce: nonce(), createdAtMs: Date.now() }));
}

/** A new issuance of `amountMinor`, accepted by tier 1 (org_pearl): a piece no other test touches. */
async function heldPiece(amountMinor: bigint): Promise<string> {
  const documents = { invoiceSha256: nonce() + nonce(), contractSha256: sha256Hex(utf8ToBytes("c")), deliveryNoteSha256: sha256Hex(utf8ToBytes("d")) };
  const issue = requireAccepted(await submitBatch(database.db, [sign("org_huaxin", "claim.issue", { creditLineId: lineId, toOrgId: "org_pearl", amountMinor, currency: "CNY", maturityDate: addDays(Date.now(), 90), documents })]).then((r) => r[0]!));
  const pieceId = deriveId("c", issue.txId, 0);
  requireAccepted((await submitBatch(database.db, [sign("org_pearl", "claim.accept", { claimId: pieceId })]))[0]!);
  return pieceId;
}

/** Tier 1 hands `partMinor` of a piece to tier 2 and keeps the rest (child 0 to org_lingnan, child 1 kept). */
function split(claimId: string, pieceMinor: bigint, partMinor: bigint, to = "org_lingnan"): SealedTransaction {
  return sign("org_pearl", "claim.split", { claimId, parts: [{ toOrgId: to, amountMinor: partMinor }, { toOrgId: "org_pearl", amountMinor: pieceMinor - partMinor }] });
}

/** A submitter whose blocks report how they were applied (and call `onBlock` as each is reported). */
function observedSubmitter(onBlock: () => void = () => {}) {
  const paths: (BlockPath | null)[] = [];
  const observer: BlockObserver = {
    requestId: () => undefined,
    block: (report) => {
      paths.push(report.path);
      onBlock();
    },
  };
  return { ledger: createLedgerSubmitter(database.db, {}, observer), paths };
}

/** A piece's holder or the organisation it is offered to (a split's part is an offer until accepted). */
const reachedBy = (orgId: string) => (claim: typeof claims.$inferSelect) => claim.holderOrgId === orgId || claim.offeredToOrgId === orgId;

/** Every piece of an issuance, live or finished, from the tables. */
async function issuance(rootId: string) {
  return database.db.select().from(claims).where(eq(claims.rootId, rootId));
}

/** The face value of an issuance's live leaves (held or offered pieces), which must always equal the root's face. */
async function liveFaceMinor(rootId: string): Promise<bigint> {
  return (await issuance(rootId)).filter((claim) => claim.state !== "split").reduce((sum, claim) => sum + claim.amountMinor, 0n);
}

async function settle(promises: Promise<SubmitResult>[]): Promise<(SubmitResult | string)[]> {
  return (await Promise.allSettled(promises)).map((outcome) => (outcome.status === "fulfilled" ? outcome.value : String((outcome.reason as Error).message)));
}

async function expectLogReplays() {
  const verified = await verifyDatabase(database.db, nodeVerifier);
  expect(verified.ok ? "ok" : JSON.stringify(verified)).toBe("ok");
}

describe("a block applied ahead on the block in flight", () => {
  it("spends what the block in flight created and commits as applied, when that block commits", async () => {
    const piece = await heldPiece(1_000_000n);
    const { ledger, paths } = observedSubmitter();
    const first = split(piece, 1_000_000n, 300_000n);
    const kept = deriveId("c", transactionId(first.transaction), 1);
    // Submitted while the first is in flight: it waits, then is applied on the state the first leaves.
    const [a, b] = await Promise.all([ledger.submit(first), ledger.submit(split(kept, 700_000n, 200_000n))]);
    expect([a.status, b.status]).toEqual(["accepted", "accepted"]);
    expect(paths).toEqual(["locked", "ahead"]);
    expect(await liveFaceMinor(piece)).toBe(1_000_000n);
    await expectLogReplays();
  });

  it("refuses a double spend split across the two blocks in flight: the second is judged on the first's state", async () => {
    const piece = await heldPiece(1_000_000n);
    const { ledger, paths } = observedSubmitter();
    const [a, b] = await Promise.all([ledger.submit(split(piece, 1_000_000n, 100_000n)), ledger.submit(split(piece, 1_000_000n, 900_000n, "org_xinyuan"))]);
    expect(a.status).toBe("accepted");
    expect(b).toMatchObject({ status: "refused", code: "claim_not_held" });
    expect(paths).toEqual(["locked", "ahead"]);
    const pieces = await issuance(piece);
    expect(pieces.filter(reachedBy("org_xinyuan"))).toEqual([]);
    expect(await liveFaceMinor(piece)).toBe(1_000_000n);
    await expectLogReplays();
  });
});

describe("when the block in flight does not commit", () => {
  it("drops what was applied on it and judges the next block again: nothing spent from the failed block, its input spendable again", async () => {
    const piece = await heldPiece(1_000_000n);
    const other = await heldPiece(500_000n);
    const failing = split(piece, 1_000_000n, 300_000n);
    const failingId = transactionId(failing.transaction);
    // A real fault: the database refuses the failing block's log entry, so its transaction rolls back.
    await database.db.execute(
      sql.raw(`create function pipeline_fault() returns trigger language plpgsql as $$ begin if new.tx_id = '${failingId}' then raise exception 'injected fault'; end if; return new; end $$`),
    );
    await database.db.execute(sql`create trigger pipeline_fault before insert on ledger_entries for each row execute function pipeline_fault()`);
    const { ledger, paths } = observedSubmitter();
    const spendsFailedOutput = split(deriveId("c", failingId, 1), 700_000n, 100_000n);
    const spendsFailedInput = split(piece, 1_000_000n, 400_000n, "org_xinyuan");
    const independent = split(other, 500_000n, 50_000n);
    const [a, b1, b2, b3] = await settle([ledger.submit(failing), ledger.submit(spendsFailedOutput), ledger.submit(spendsFailedInput), ledger.submit(independent)]);
    // The failing block's own answer is the error (server/errors.ts maps it), never an acceptance.
    expect(String(a)).toMatch(/refused a write that would break an invariant/);
    // Applied ahead on the failed block's state the first would have been accepted and the second refused; judged again, the other way round.
    expect(b1).toMatchObject({ status: "refused", code: "claim_not_found" });
    expect(b2).toMatchObject({ status: "accepted" });
    expect(b3).toMatchObject({ status: "accepted" });
    expect(paths).toEqual([null, "again"]);
    expect(await database.db.select().from(ledgerEntries).where(eq(ledgerEntries.txId, failingId))).toEqual([]);
    const pieces = await issuance(piece);
    expect(pieces.filter(reachedBy("org_lingnan"))).toEqual([]);
    expect(pieces.filter(reachedBy("org_xinyuan")).map((claim) => claim.amountMinor)).toEqual([400_000n]);
    expect(await liveFaceMinor(piece)).toBe(1_000_000n);
    expect(await liveFaceMinor(other)).toBe(500_000n);
    await expectLogReplays();
  });
});

describe("when another writer's block comes in between", () => {
  it("judges the block applied ahead again under the lock, so a double spend across the other writer's block is refused", async () => {
    const piece = await heldPiece(1_000_000n);
    const contested = await heldPiece(600_000n);
    const first = split(piece, 1_000_000n, 300_000n);
    const firstId = transactionId(first.transaction);
    // The first block's log entry is held for a while, so the other writer queues for the head lock before the block applied ahead does.
    await database.db.execute(
      sql.raw(`create function pipeline_fault() returns trigger language plpgsql as $$ begin if new.tx_id = '${firstId}' then perform pg_sleep(1.5); end if; return new; end $$`),
    );
    await database.db.execute(sql`create trigger pipeline_fault before insert on ledger_entries for each row execute function pipeline_fault()`);
    // Another writer (another app instance, a job) commits a block of the classic kind, under the head lock,
    // after the first block and before the second takes the lock. It starts while the first block's insert
    // is held (on PostgreSQL it then queues for the head lock before the second block does), or as soon as
    // the first block is reported, whichever comes first (embedded PGlite runs one statement at a time, in
    // order, so it is queued before the second block's last reads and its lock).
    let other: Promise<SubmitResult[]> | null = null;
    const startOther = () => void (other ??= submitBatch(database.db, [split(contested, 600_000n, 500_000n, "org_xinyuan")]));
    const { ledger, paths } = observedSubmitter(startOther);
    const a = ledger.submit(first);
    const b = ledger.submit(split(contested, 600_000n, 100_000n));
    const timer = setTimeout(startOther, 300);
    const [resultA, resultB] = await Promise.all([a, b]);
    clearTimeout(timer);
    const [c] = await (other as unknown as Promise<SubmitResult[]>);
    expect(resultA.status).toBe("accepted");
    expect(c).toMatchObject({ status: "accepted" });
    // Applied ahead, the second block spent the contested piece; judged again after the other writer's block, it may not.
    expect(resultB).toMatchObject({ status: "refused", code: "claim_not_held" });
    expect(paths).toEqual(["locked", "again"]);
    expect(await liveFaceMinor(contested)).toBe(600_000n);
    expect((await issuance(contested)).filter(reachedBy("org_lingnan"))).toEqual([]);
    await expectLogReplays();
  });
});
