import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { claims, creditLines, ledgerCheckpoints, ledgerEntries, ledgerHead, ledgerOrganisations, pledges } from "@/db/schema";
import { buildSigned, identityFor, toWire } from "@/contracts/client";
import { sealTransaction } from "@/contracts/ledger/schema";
import { deriveId, sha256Hex } from "@/contracts/canonical";
import { utf8ToBytes } from "@/contracts/hex";
import { checkpointHash, verifyCheckpointChain } from "@/contracts/checkpoint";
import { transactionId } from "@/contracts/transaction";
import { nobleVerifier } from "@/contracts/signing";
import { seedDemo } from "@/server/seed/seed";
import { addDays, demoIdentity, type DemoLedger } from "@/server/seed/ledger-seed";
import { loadOperatorRoleKey, loadPlatformKey } from "@/server/platform/key";
import { createLedgerSubmitter, requireAccepted, submitBatch, submitWire } from "@/server/ledger/service";
import type { BatchSignatureVerifier } from "@/contracts/signing";
import { openVerifyPool } from "@/server/crypto/verify-pool";
import { inList, textArrayLiteral } from "@/server/ledger/repository";
import { verifyDatabase } from "@/server/ledger/export";
import { nodeVerifier } from "@/server/crypto/node-verifier";
import { createTestDatabase } from "../helpers/db";
import { runtimeFor } from "../helpers/callers";
import { loadActor } from "@/server/auth/accounts";
import { submitSigned } from "@/server/commands/submit";

let database: Database;
let demo: DemoLedger;
/** A line of its own for the pieces the tests spend, so the demo chain's figures stay as seeded. */
let testLineId: string;
/** The log's size when the demo seed was done: what the seed wrote, whatever the tests add later. */
let seededSize: number;
const nonce = () => randomBytes(16).toString("hex");

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
  const [root] = await database.db.select().from(claims).where(sql`${claims.parentId} is null and ${claims.amountMinor} = 100000000`);
  demo = { rootClaimId: root!.id } as DemoLedger;
  seededSize = (await database.db.select().from(ledgerEntries)).length;
  const grant = await submitWire(database.db, toWire(buildSigned(demoIdentity("org_gbfactor"), "creditLine.grant", { coreEnterpriseOrgId: "org_huaxin", currency: "CNY", limitMinor: 10_000_000_000n, expiresAtMs: Date.now() + 365 * 86_400_000 }, { nonce: nonce(), createdAtMs: Date.now() })));
  testLineId = deriveId("cl", requireAccepted(grant).txId, 0);
});
afterAll(async () => database.close());

async function claimRow(id: string) {
  const [row] = await database.db.select().from(claims).where(eq(claims.id, id));
  return row;
}

const FRESH_DOCUMENTS = { invoiceSha256: sha256Hex(utf8ToBytes("i")), contractSha256: sha256Hex(utf8ToBytes("c")), deliveryNoteSha256: sha256Hex(utf8ToBytes("d")) };

/**
 * A new issuance of `amountMinor` held by tier 1 (or handed on whole to tier 2 and held
 * there): each test spends a piece of its own, so none depends on what another left behind.
 */
async function freshHeldPiece(holder: "org_pearl" | "org_lingnan", amountMinor = 1_000_000n) {
  const signed = <K extends Parameters<typeof buildSigned>[1]>(org: string, type: K, body: Parameters<typeof buildSigned<K>>[2]) =>
    toWire(buildSigned(demoIdentity(org), type, body, { nonce: nonce(), createdAtMs: Date.now() }));
  const run = async (wire: unknown) => requireAccepted(await submitWire(database.db, wire)).txId;
  const issue = await run(signed("org_huaxin", "claim.issue", { creditLineId: testLineId, toOrgId: "org_pearl", amountMinor, currency: "CNY", maturityDate: addDays(Date.now(), 90), documents: { ...FRESH_DOCUMENTS, invoiceSha256: nonce() + nonce() } }));
  let pieceId = deriveId("c", issue, 0);
  await run(signed("org_pearl", "claim.accept", { claimId: pieceId }));
  if (holder === "org_lingnan") {
    pieceId = deriveId("c", await run(signed("org_pearl", "claim.split", { claimId: pieceId, parts: [{ toOrgId: "org_lingnan", amountMinor }] })), 0);
    await run(signed("org_lingnan", "claim.accept", { claimId: pieceId }));
  }
  return (await claimRow(pieceId))!;
}

describe("ledger service on the seeded demo chain", () => {
  it("built the demo chain from signed transactions, closed blocks with linked checkpoints", async () => {
    const entries = await database.db.select().from(ledgerEntries).orderBy(ledgerEntries.leafIndex);
    expect(entries.map((e) => e.leafIndex)).toEqual(entries.map((_, i) => i));
    expect(entries[0]?.type).toBe("key.register");
    expect(new Set(entries.slice(0, seededSize).map((e) => e.type))).toEqual(
      new Set(["key.register", "creditLine.grant", "claim.issue", "claim.accept", "claim.split", "financing.request", "financing.offer", "financing.accept", "financing.disburse", "financingPolicy.set", "approvalPolicy.set", "claim.markOverdue"]),
    );
    const rows = await database.db.select().from(ledgerCheckpoints).orderBy(ledgerCheckpoints.size);
    const chain = rows.map((r) => ({ checkpoint: { size: r.size, rootHash: r.rootHash, timestampMs: r.timestampMs, previousCheckpointHash: r.previousCheckpointHash }, keyId: r.keyId, signatureHex: r.signatureHex }));
    const platform = await loadPlatformKey(database.db);
    expect(verifyCheckpointChain(chain, platform.publicKey, nobleVerifier)).toMatchObject({ ok: true });
    expect(rows.at(-1)?.size).toBe(entries.length);
    expect(checkpointHash(chain.at(-1)!.checkpoint)).toBe(rows.at(-1)?.checkpointHash);
    const [head] = await database.db.select().from(ledgerHead);
    expect(head?.size).toBe(entries.length);
  });

  it("holds the pieces where the transactions put them, and the tree sums to the face value", async () => {
    const tree = await database.db.select().from(claims).where(eq(claims.rootId, demo.rootClaimId));
    const byHolder = (org: string, state: string) => tree.filter((c) => c.holderOrgId === org && c.state === state).map((c) => c.amountMinor);
    expect(byHolder("org_pearl", "held")).toEqual([70_000_000n]);
    expect(byHolder("org_lingnan", "held").sort()).toEqual([10_000_000n, 19_960_000n]);
    expect(byHolder("org_xinyuan", "held")).toEqual([20_000n]);
    expect(byHolder("org_cmtb", "financed")).toEqual([20_000n]);
    const live = tree.filter((c) => ["held", "financed", "offered", "pledged", "overdue"].includes(c.state));
    expect(live.reduce((sum, c) => sum + c.amountMinor, 0n)).toBe(100_000_000n);
    const [line] = await database.db.select().from(creditLines).where(eq(creditLines.id, tree[0]!.creditLineId));
    // This issuance and the unpaid 80,000.00 one that matured today use the bank's line.
    expect(line?.usedMinor).toBe(100_000_000n + 8_000_000n);
  });
});

describe("submitting transactions", () => {
  const tier1 = demoIdentity("org_pearl");
  const tier2 = demoIdentity("org_lingnan");

  const tier1HeldPiece = () => freshHeldPiece("org_pearl");

  it("refuses malformed input with a code and changes nothing", async () => {
    const before = await database.db.select({ size: ledgerHead.size }).from(ledgerHead);
    const result = await submitWire(database.db, { transaction: { type: "claim.split" }, signatureHex: "zz" });
    expect(result).toMatchObject({ status: "refused", code: "malformed_transaction" });
    expect(await database.db.select({ size: ledgerHead.size }).from(ledgerHead)).toEqual(before);
  });

  it("at the API's edge, refuses malformed wire JSON before the engine, with the code and nothing written", async () => {
    const actor = (await loadActor(database.db, "usr_pearl_1"))!;
    const before = await database.db.select({ size: ledgerHead.size }).from(ledgerHead);
    const wire = { transaction: { type: "claim.split", signer: { orgId: "org_pearl" } }, signatureHex: "zz" };
    const result = await submitSigned(runtimeFor(database.db), actor, wire);
    expect(result).toMatchObject({ status: "refused", code: "malformed_transaction", txId: null });
    expect(result.status === "refused" && result.detail).toMatch(/\$\.transaction\.body/);
    expect(await database.db.select({ size: ledgerHead.size }).from(ledgerHead)).toEqual(before);
  });

  it("refuses a transaction whose body was changed after signing", async () => {
    const piece = await tier1HeldPiece();
    const signed = toWire(buildSigned(tier1, "claim.split", { claimId: piece.id, parts: [{ toOrgId: "org_lingnan", amountMinor: 1n }, { toOrgId: "org_pearl", amountMinor: piece.amountMinor - 1n }] }, { nonce: nonce(), createdAtMs: Date.now() }));
    const tampered = structuredClone(signed);
    (tampered.transaction.body as { parts: { amountMinor: string }[] }).parts[0]!.amountMinor = "2";
    (tampered.transaction.body as { parts: { amountMinor: string }[] }).parts[1]!.amountMinor = (piece.amountMinor - 2n).toString();
    expect(await submitWire(database.db, tampered)).toMatchObject({ status: "refused", code: "signature_invalid" });
    expect((await claimRow(piece.id))?.state).toBe("held");
  });

  it("returns the original result when the same transaction is submitted again", async () => {
    const piece = await tier1HeldPiece();
    const wire = toWire(buildSigned(tier1, "claim.pledge", { claimId: piece.id, lenderOrgId: "org_gbfactor" }, { nonce: nonce(), createdAtMs: Date.now() }));
    const first = await submitWire(database.db, wire);
    const again = await submitWire(database.db, wire);
    expect(first).toMatchObject({ status: "accepted", duplicate: false });
    expect(again).toMatchObject({ status: "accepted", duplicate: true, leafIndex: first.status === "accepted" ? first.leafIndex : -1 });
    const [{ count }] = (await database.db.select({ count: sql<number>`count(*)::int` }).from(ledgerEntries).where(eq(ledgerEntries.txId, first.txId!))) as [{ count: number }];
    expect(count).toBe(1);
  });

  it("refuses the same transaction id with other signatures", async () => {
    const [registration] = await database.db.select().from(ledgerEntries).where(sql`${ledgerEntries.type} = 'key.register' and ${ledgerEntries.leafIndex} > 0`).limit(1);
    const stored = JSON.parse(registration!.entryCanonical) as { signed: { cosignatures: unknown[] } };
    const withoutCosignature = { ...stored.signed, cosignatures: [] };
    expect(await submitWire(database.db, withoutCosignature)).toMatchObject({ status: "refused", code: "transaction_id_conflict" });
  });

  it("of many concurrent transactions spending one claim, exactly one wins", async () => {
    const piece = await tier1HeldPiece();
    const attempts = Array.from({ length: 24 }, (_, i) =>
      toWire(
        i % 3 === 0
          ? buildSigned(tier1, "claim.pledge", { claimId: piece.id, lenderOrgId: "org_cmtb" }, { nonce: nonce(), createdAtMs: Date.now() })
          : buildSigned(tier1, "claim.split", { claimId: piece.id, parts: [{ toOrgId: "org_lingnan", amountMinor: BigInt(i + 1) }, { toOrgId: "org_pearl", amountMinor: piece.amountMinor - BigInt(i + 1) }] }, { nonce: nonce(), createdAtMs: Date.now() }),
      ),
    );
    const results = await Promise.all(attempts.map((wire) => submitWire(database.db, wire)));
    const accepted = results.filter((r) => r.status === "accepted");
    expect(accepted).toHaveLength(1);
    for (const refused of results.filter((r) => r.status === "refused")) {
      expect(["claim_not_held", "claim_is_pledged", "claim_not_held_by_signer", "claim_already_split"]).toContain(refused.status === "refused" ? refused.code : "");
    }
    const tree = await database.db.select().from(claims).where(eq(claims.rootId, piece.rootId));
    const live = tree.filter((c) => ["held", "financed", "offered", "pledged", "overdue"].includes(c.state));
    expect(live.reduce((sum, c) => sum + c.amountMinor - c.settledMinor, 0n)).toBe(piece.amountMinor);
  });

  it("accepts a batch as one block with one checkpoint; a refusal inside it writes nothing", async () => {
    const kept = await freshHeldPiece("org_lingnan");
    const before = await database.db.select().from(ledgerCheckpoints);
    const split = buildSigned(tier2, "claim.split", { claimId: kept!.id, parts: [{ toOrgId: "org_pearl", amountMinor: 100n }, { toOrgId: "org_lingnan", amountMinor: kept!.amountMinor - 100n }] }, { nonce: nonce(), createdAtMs: Date.now() });
    const childId = deriveId("c", transactionId(split.transaction), 0);
    const txs = [
      split,
      buildSigned(tier1, "claim.reject", { claimId: childId, reason: "No purchase order for this" }, { nonce: nonce(), createdAtMs: Date.now() }),
      buildSigned(tier1, "claim.reject", { claimId: childId, reason: "Twice" }, { nonce: nonce(), createdAtMs: Date.now() }),
    ].map(sealTransaction);
    const results = await submitBatch(database.db, txs);
    expect(results.map((r) => r.status)).toEqual(["accepted", "accepted", "refused"]);
    const after = await database.db.select().from(ledgerCheckpoints);
    expect(after.length).toBe(before.length + 1);
    // The rejected part went back to its sender as a held claim.
    expect(await claimRow(childId)).toMatchObject({ holderOrgId: "org_lingnan", state: "held", offeredToOrgId: null });
  });
});

describe("one block, loaded once and written once per table", () => {
  const tier1 = demoIdentity("org_pearl");
  const tier2 = demoIdentity("org_lingnan");
  const bank = demoIdentity("org_cmtb");
  const sign = <K extends Parameters<typeof buildSigned>[1]>(who: typeof tier1, type: K, body: Parameters<typeof buildSigned<K>>[2]) =>
    sealTransaction(buildSigned(who, type, body, { nonce: nonce(), createdAtMs: Date.now() }));

  it("lets later transactions see what earlier ones in the block wrote, and stores what a replay of the log gives", async () => {
    const kept = await freshHeldPiece("org_lingnan");
    const split = sign(tier2, "claim.split", { claimId: kept!.id, parts: [{ toOrgId: "org_pearl", amountMinor: 500n }, { toOrgId: "org_lingnan", amountMinor: kept!.amountMinor - 500n }] });
    const childId = deriveId("c", transactionId(split.transaction), 0);
    const before = await database.db.select().from(ledgerCheckpoints);
    const results = await submitBatch(database.db, [
      split,
      sign(tier1, "claim.accept", { claimId: childId }),
      // The same claim pledged, released and pledged again inside one block: the released
      // pledge must reach the table before the new active one (one active pledge per claim).
      sign(tier1, "claim.pledge", { claimId: childId, lenderOrgId: "org_cmtb" }),
      sign(bank, "claim.release", { claimId: childId }),
      sign(tier1, "claim.pledge", { claimId: childId, lenderOrgId: "org_gbfactor" }),
      split,
    ]);
    expect(results.map((r) => r.status)).toEqual(["accepted", "accepted", "accepted", "accepted", "accepted", "accepted"]);
    expect(results.map((r) => r.status === "accepted" && r.duplicate)).toEqual([false, false, false, false, false, true]);
    expect((await database.db.select().from(ledgerCheckpoints)).length).toBe(before.length + 1);
    expect(await claimRow(childId)).toMatchObject({ holderOrgId: "org_pearl", state: "pledged" });
    const childPledges = await database.db.select().from(pledges).where(eq(pledges.claimId, childId));
    expect(childPledges.map((p) => `${p.lenderOrgId}:${p.status}`).sort()).toEqual(["org_cmtb:released", "org_gbfactor:active"]);
    expect(await verifyDatabase(database.db, nodeVerifier)).toMatchObject({ ok: true });
  });

  it("commits concurrent single submissions together, each with its own answer", async () => {
    // The demo seed registered the operator's onboarding key: it cosigns an organisation's first key.
    const platform = await loadOperatorRoleKey(database.db, "onboarding");
    const operator = { orgId: "org_operator", keyId: platform.keyId, privateKey: platform.privateKey };
    const registrations = Array.from({ length: 12 }, (_, i) => {
      const key = identityFor(`org_group_${i}`, new Uint8Array(randomBytes(32)));
      const body = { orgId: key.orgId, orgName: `Group commit ${i}`, role: "supplier" as const, publicKeyHex: key.publicKeyHex, keyId: key.keyId, keyRole: "admin" as const, holderUserId: `usr_group_${i}` };
      return sealTransaction(buildSigned(key, "key.register", body, { nonce: nonce(), createdAtMs: Date.now(), cosigners: [operator] }));
    });
    const forged = sealTransaction({ ...registrations[0]!, cosignatures: [] });
    const before = (await database.db.select().from(ledgerCheckpoints)).length;
    const ledger = createLedgerSubmitter(database.db);
    const results = await Promise.all([...registrations, forged].map((wire) => ledger.submit(wire)));
    expect(results.slice(0, 12).map((r) => r.status)).toEqual(Array(12).fill("accepted"));
    expect(results[12]).toMatchObject({ status: "refused" });
    const leaves = results.slice(0, 12).map((r) => (r.status === "accepted" ? r.leafIndex : -1));
    expect(new Set(leaves).size).toBe(12);
    // The first goes alone (nothing was in flight); the rest wait for it and go as one block.
    expect((await database.db.select().from(ledgerCheckpoints)).length - before).toBeLessThanOrEqual(3);
  });
});

async function failureText(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause;
    return `${(error as Error).message} ${cause?.message ?? ""}`;
  }
  return "did not fail";
}

describe("the database backs the invariants", () => {
  it("refuses to update or delete the log and checkpoints", async () => {
    expect(await failureText(database.db.execute(sql`update ledger_entries set type = 'x' where leaf_index = 0`))).toMatch(/ledger_append_only/);
    expect(await failureText(database.db.execute(sql`delete from ledger_entries where leaf_index = 0`))).toMatch(/ledger_append_only/);
    expect(await failureText(database.db.execute(sql`delete from ledger_checkpoints`))).toMatch(/ledger_append_only/);
    expect(await failureText(database.db.execute(sql`truncate ledger_entries`))).toMatch(/ledger_append_only/);
  });

  it("refuses a credit line used beyond its limit, a second active pledge, and a broken sum", async () => {
    const [line] = await database.db.select().from(creditLines).limit(1);
    expect(await failureText(database.db.update(creditLines).set({ usedMinor: line!.limitMinor + 1n }).where(eq(creditLines.id, line!.id)))).toMatch(/credit_lines_used_in_range/);
    // A piece of a split issuance: raising its amount breaks both its issuance's sum and its split's.
    const piece = await freshHeldPiece("org_lingnan");
    const pledge = { claimId: piece!.id, pledgorOrgId: piece!.holderOrgId, lenderOrgId: "org_cmtb", status: "active", createdTxId: "t", releasedTxId: null };
    const twoPledges = database.db.transaction(async (tx) => {
      await tx.insert(pledges).values({ ...pledge, id: "pl_test_1" });
      await tx.insert(pledges).values({ ...pledge, id: "pl_test_2" });
    });
    expect(await failureText(twoPledges)).toMatch(/pledges_one_active_per_claim/);
    expect(await failureText(database.db.update(claims).set({ amountMinor: piece!.amountMinor + 1n }).where(eq(claims.id, piece!.id)))).toMatch(/invariant_violated/);
    expect((await claimRow(piece!.id))?.amountMinor).toBe(piece!.amountMinor);
  });
});


describe("signature checks on worker threads", () => {
  const tier1 = demoIdentity("org_pearl");

  it("accepts what verifies and refuses what does not, exactly as on this thread", async () => {
    const piece = await freshHeldPiece("org_pearl");
    const split = (amountMinor: bigint, claimId: string) =>
      buildSigned(tier1, "claim.split", { claimId, parts: [{ toOrgId: "org_lingnan", amountMinor }, { toOrgId: "org_pearl", amountMinor: piece!.amountMinor - amountMinor }] }, { nonce: nonce(), createdAtMs: Date.now() });
    const good = sealTransaction(split(1n, piece!.id));
    const unforged = split(2n, piece!.id);
    const flipped = unforged.signatureHex.startsWith("0") ? "1" : "0";
    const forged = sealTransaction({ ...unforged, signatureHex: flipped + unforged.signatureHex.slice(1) });
    const pool = openVerifyPool(1);
    let handed = 0;
    const batchVerifier: BatchSignatureVerifier = () => {
      const batch = pool.verifier();
      return { add: (check) => (handed++, batch.add(check)), answers: () => batch.answers() };
    };
    try {
      const [forgedResult, goodResult] = await submitBatch(database.db, [forged, good], { batchVerifier });
      expect(forgedResult).toMatchObject({ status: "refused", code: "signature_invalid" });
      expect(goodResult).toMatchObject({ status: "accepted", txId: transactionId(good.transaction as never) });
      expect(handed).toBe(2);
      expect((await claimRow(piece!.id))?.state).toBe("split");
    } finally {
      await pool.close();
    }
  });
});

describe("a signature pool that fails", () => {
  it("costs time, not the submission: the checks run on this thread instead", async () => {
    const tier1 = demoIdentity("org_pearl");
    const piece = await freshHeldPiece("org_pearl");
    const pledge = sealTransaction(buildSigned(tier1, "claim.pledge", { claimId: piece!.id, lenderOrgId: "org_gbfactor" }, { nonce: nonce(), createdAtMs: Date.now() }));
    const batchVerifier: BatchSignatureVerifier = () => ({ add: () => {}, answers: () => Promise.reject(new Error("signature worker exited (code 1)")) });
    expect((await submitBatch(database.db, [pledge], { batchVerifier }))[0]).toMatchObject({ status: "accepted" });
    expect((await claimRow(piece!.id))?.state).toBe("pledged");
  });
});

describe("id lists as one parameter (inList)", () => {
  it("matches exactly the listed ids, whatever characters they hold", async () => {
    const odd = ["NULL", "null", 'a"b', "x,y", "{z}", "back\\slash", " spaced ", ""];
    const rows = await database.db.select({ id: ledgerOrganisations.id }).from(ledgerOrganisations).where(inList(ledgerOrganisations.id, [...odd, "org_pearl", "org_lingnan"]));
    expect(rows.map((r) => r.id).sort()).toEqual(["org_lingnan", "org_pearl"]);
    const echoed: unknown = await database.db.execute(sql`select unnest(${textArrayLiteral(odd)}::text[]) as x`);
    // PGlite answers { rows }, postgres.js the rows themselves.
    const rows2 = (typeof echoed === "object" && echoed !== null && "rows" in echoed ? echoed.rows : echoed) as { x: string }[];
    const values = rows2.map((r) => r.x);
    expect(values).toEqual(odd);
    const back = await database.db.select({ id: ledgerOrganisations.id }).from(ledgerOrganisations).where(inList(ledgerOrganisations.id, []));
    expect(back).toEqual([]);
  });
});
