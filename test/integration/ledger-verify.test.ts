import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, isNull, sql, TransactionRollbackError } from "drizzle-orm";
import type { Database, DbOrTx } from "@/db/client";
import { claims, ledgerCheckpoints, ledgerEntries, logSubtreeHashes } from "@/db/schema";
import { buildSigned } from "@/contracts/client";
import { sealTransaction } from "@/contracts/ledger/schema";
import { parseLedgerExportText, serializeLedgerExport } from "@/contracts/export";
import { bytesToHex, hexToBytes } from "@/contracts/hex";
import { logEntryLeafHash } from "@/contracts/log";
import { hashesFromHex, hashesToHex, inclusionProof, SubtreeHashes, verifyConsistency, verifyInclusion } from "@/contracts/merkle";
import { selectProvenanceEntries, verifyProvenance } from "@/contracts/provenance";
import { nobleVerifier } from "@/contracts/signing";
import { verifyLog } from "@/contracts/verify-log";
import { nodeVerifier } from "@/server/crypto/node-verifier";
import { withVerifyPool } from "@/server/crypto/verify-pool";
import { DomainError } from "@/server/errors";
import { exportLedger, verifyDatabase, type VerifyDatabaseResult } from "@/server/ledger/export";
import { loadPlatformKey } from "@/server/platform/key";
import { buildProvenanceBundle, consistencyProofBetween, ProvenanceStore } from "@/server/ledger/provenance";
import { toClaim } from "@/server/ledger/repository";
import { submitBatch } from "@/server/ledger/service";
import { demoIdentity } from "@/server/seed/ledger-seed";
import { seedDemo } from "@/server/seed/seed";
import { createTestDatabase } from "../helpers/db";

/*
 * The verifiers on the seeded demo chain, on PGlite or on the PostgreSQL of DATABASE_URL.
 * Tampering happens the way a malicious administrator would do it: straight in the tables,
 * with the append-only triggers switched off first. Each edit runs in a transaction that is
 * rolled back, so every test sees the intact chain.
 */

let database: Database;
/** This test process's subtree store, as a server keeps one in its runtime. */
const subtrees = new ProvenanceStore();
const ids = { root: "", tier2: "", tier3: "", tier1Kept: "", tier2Kept: "" };
const siblingTxIds: string[] = [];
const nonce = () => randomBytes(16).toString("hex");

async function claimId(where: ReturnType<typeof and>): Promise<string> {
  const [row] = await database.db.select({ id: claims.id }).from(claims).where(where);
  if (!row) throw new Error("seeded claim not found");
  return row.id;
}

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
  ids.root = await claimId(and(isNull(claims.parentId), eq(claims.amountMinor, 100_000_000n)));
  ids.tier2 = await claimId(and(eq(claims.parentId, ids.root), eq(claims.amountMinor, 30_000_000n)));
  ids.tier1Kept = await claimId(and(eq(claims.parentId, ids.root), eq(claims.holderOrgId, "org_pearl")));
  ids.tier3 = await claimId(and(eq(claims.parentId, ids.tier2), eq(claims.amountMinor, 20_000n), eq(claims.holderOrgId, "org_cmtb")));
  ids.tier2Kept = await claimId(and(eq(claims.parentId, ids.tier2), eq(claims.amountMinor, 19_960_000n)));
  // Later activity on the tier-3 claim's siblings, which its bundle must not contain.
  const pledge = buildSigned(demoIdentity("org_pearl"), "claim.pledge", { claimId: ids.tier1Kept, lenderOrgId: "org_gbfactor" }, { nonce: nonce(), createdAtMs: Date.now() });
  const split = buildSigned(demoIdentity("org_lingnan"), "claim.split", { claimId: ids.tier2Kept, parts: [{ toOrgId: "org_pearl", amountMinor: 100n }, { toOrgId: "org_lingnan", amountMinor: 19_959_900n }] }, { nonce: nonce(), createdAtMs: Date.now() });
  const results = await submitBatch(database.db, [sealTransaction(pledge), sealTransaction(split)]);
  for (const result of results) {
    if (result.status !== "accepted") throw new Error(`sibling transaction refused: ${result.code}`);
    siblingTxIds.push(result.txId);
  }
});
afterAll(async () => database.close());

/** Runs `edit` and verifyDatabase in one transaction, then rolls both back. */
async function tamperAndVerify(edit: (tx: DbOrTx) => Promise<unknown>, options: { pageRows?: number; pool?: boolean } = {}): Promise<VerifyDatabaseResult> {
  let result: VerifyDatabaseResult | undefined;
  try {
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`alter table ledger_entries disable trigger ledger_entries_append_only`);
      await tx.execute(sql`alter table ledger_checkpoints disable trigger ledger_checkpoints_append_only`);
      await tx.execute(sql`alter table log_subtree_hashes disable trigger log_subtree_hashes_append_only`);
      await edit(tx);
      result = options.pool ? await withVerifyPool((pool) => verifyDatabase(tx, nodeVerifier, pool, options)) : await verifyDatabase(tx, nodeVerifier, undefined, options);
      tx.rollback();
    });
  } catch (error) {
    if (!(error instanceof TransactionRollbackError)) throw error;
  }
  if (!result) throw new Error("verifyDatabase did not run");
  return result;
}

async function leafOf(type: string, claimIdInBody: string): Promise<number> {
  const [row] = await database.db
    .select({ leafIndex: ledgerEntries.leafIndex })
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.type, type), sql`${ledgerEntries.entryCanonical}::jsonb #>> '{signed,transaction,body,claimId}' = ${claimIdInBody}`));
  if (!row) throw new Error(`no ${type} of ${claimIdInBody}`);
  return row.leafIndex;
}

describe("verifying the seeded database", () => {
  it("replays the whole log and finds every table as the log says", async () => {
    const result = await verifyDatabase(database.db, nodeVerifier);
    expect(result).toMatchObject({ ok: true });
    // Read five leaves at a time, tables too, with the signatures on worker threads: the same answer.
    const paged = await withVerifyPool((pool) => verifyDatabase(database.db, nodeVerifier, pool, { pageRows: 5 }));
    expect(paged.ok && paged.summary).toEqual(result.ok && result.summary);
    const [{ count }] = (await database.db.select({ count: sql<number>`count(*)::int` }).from(ledgerEntries)) as [{ count: number }];
    expect(result.ok && result.summary).toMatchObject({ transactions: count, lastCheckpointSize: count });
  });

  it("exports a file that an auditor verifies with the browser's verifier", async () => {
    const parsed = parseLedgerExportText(serializeLedgerExport(await exportLedger(database.db)));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.operatorPublicKeyHex).toBe((await loadPlatformKey(database.db)).publicKeyHex);
    expect(verifyLog(parsed.value, nobleVerifier)).toMatchObject({ ok: true });
  });
});

describe("the provenance of the tier-3 claim", () => {
  it("verifies, and its lineage runs core enterprise -> tier 1 -> tier 2 -> tier 3", async () => {
    const bundle = await buildProvenanceBundle(database.db, ids.tier3, subtrees);
    // What a browser receives: plain JSON.
    const received = JSON.parse(JSON.stringify(bundle)) as typeof bundle;
    const result = verifyProvenance(received, (await loadPlatformKey(database.db)).publicKey);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const [row] = await database.db.select().from(claims).where(eq(claims.id, ids.tier3));
    expect(result.claim).toEqual(toClaim(row!));
    const holders = result.lineage.filter((step) => ["claim.issue", "claim.accept", "claim.split"].includes(step.type)).map((step) => step.signerOrgId);
    expect(holders.filter((org, i) => org !== holders[i - 1])).toEqual(["org_huaxin", "org_pearl", "org_lingnan", "org_xinyuan"]);
    expect(result.lineage.map((step) => step.claimId).filter((id, i, all) => id !== all[i - 1])).toEqual([ids.root, ids.tier2, ids.tier3]);
  });

  it("holds exactly what the pure selector picks from the whole log, and none of the siblings' later transactions", async () => {
    const bundle = await buildProvenanceBundle(database.db, ids.tier3, subtrees);
    const exported = await exportLedger(database.db);
    expect(bundle.entries).toEqual(selectProvenanceEntries(exported.entries, ids.tier3));
    const inBundle = new Set((await database.db.select({ txId: ledgerEntries.txId, leafIndex: ledgerEntries.leafIndex }).from(ledgerEntries))
      .filter((row) => bundle.entries.some((entry) => entry.leafIndex === row.leafIndex))
      .map((row) => row.txId));
    expect(siblingTxIds).toHaveLength(2);
    for (const txId of siblingTxIds) expect(inBundle.has(txId)).toBe(false);
    expect(bundle.entries.some((entry) => entry.signed.transaction.type === "claim.pledge")).toBe(false);
  });

  it("has the proofs of rehashing every leaf, also after the log grew past the cached tree", async () => {
    const proofsFromAllLeaves = async (bundle: Awaited<ReturnType<typeof buildProvenanceBundle>>) => {
      const leaves = (await exportLedger(database.db)).entries.slice(0, bundle.checkpoint.checkpoint.size).map(logEntryLeafHash);
      return bundle.entries.map((entry) => ({ leafIndex: entry.leafIndex, proofHex: hashesToHex(inclusionProof(leaves, entry.leafIndex)) }));
    };
    const before = await buildProvenanceBundle(database.db, ids.tier3, subtrees);
    expect(before.inclusionProofs).toEqual(await proofsFromAllLeaves(before));
    const [held] = await database.db.select().from(claims).where(and(eq(claims.holderOrgId, "org_lingnan"), eq(claims.state, "held")));
    const parts = [{ toOrgId: "org_pearl", amountMinor: 1n }, { toOrgId: "org_lingnan", amountMinor: held!.amountMinor - 1n }];
    const split = buildSigned(demoIdentity("org_lingnan"), "claim.split", { claimId: held!.id, parts }, { nonce: nonce(), createdAtMs: Date.now() });
    expect((await submitBatch(database.db, [sealTransaction(split)]))[0]).toMatchObject({ status: "accepted" });
    const after = await buildProvenanceBundle(database.db, ids.tier3, subtrees);
    expect(after.checkpoint.checkpoint.size).toBeGreaterThan(before.checkpoint.checkpoint.size);
    expect(after.inclusionProofs).toEqual(await proofsFromAllLeaves(after));
    expect(verifyProvenance(after, (await loadPlatformKey(database.db)).publicKey)).toMatchObject({ ok: true });
  });

  it("is refused for an unknown claim with a not-found domain error", async () => {
    const error = await buildProvenanceBundle(database.db, `c_${"0".repeat(24)}`, subtrees).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: "not_found", code: "claim_not_found" });
  });

  it("fails to verify once a leaf hash it relies on was edited", async () => {
    const bundle = await buildProvenanceBundle(database.db, ids.tier3, subtrees);
    const forged = structuredClone(bundle);
    forged.inclusionProofs[2]!.proofHex[0] = "00".repeat(32);
    const result = verifyProvenance(forged, hexToBytes((await loadPlatformKey(database.db)).publicKeyHex));
    expect(result).toMatchObject({ ok: false, code: "inclusion_proof_invalid", leafIndex: bundle.entries[2]!.leafIndex });
  });
});

describe("verifyDatabase names what a database administrator edited", () => {
  it("an amount inside a stored entry", async () => {
    const leaf = await leafOf("claim.split", ids.root);
    const result = await tamperAndVerify((tx) =>
      tx.execute(sql`update ledger_entries set entry_canonical = replace(entry_canonical, '"amountMinor":"30000000"', '"amountMinor":"30000001"') where leaf_index = ${leaf}`),
    );
    expect(result).toMatchObject({ ok: false, failure: { where: "entry", index: leaf, code: "contract_refused" } });
    expect(!result.ok && "detail" in result.failure && result.failure.detail).toMatch(/^signature_invalid/);
  });

  it("the holder of a claims row", async () => {
    const result = await tamperAndVerify((tx) => tx.update(claims).set({ holderOrgId: "org_cmtb" }).where(eq(claims.id, ids.tier1Kept)));
    expect(result).toEqual({ ok: false, failure: { where: "row", table: "claims", id: ids.tier1Kept, field: "holderOrgId", expected: "org_pearl", actual: "org_cmtb" } });
  });

  it("the root hash of a checkpoint", async () => {
    const rows = await database.db.select({ size: ledgerCheckpoints.size }).from(ledgerCheckpoints).orderBy(ledgerCheckpoints.size);
    const index = 3;
    const [previousSize, size] = [rows[index - 1]!.size, rows[index]!.size];
    const result = await tamperAndVerify((tx) => tx.execute(sql`update ledger_checkpoints set root_hash = ${"ab".repeat(32)} where size = ${size}`));
    expect(result).toMatchObject({
      ok: false,
      failure: { where: "checkpoint", index, code: "root_mismatch", leafRange: { fromLeafIndex: previousSize, toLeafIndex: size - 1 } },
    });
  });

  it("the leaf_hash column of an entry", async () => {
    const result = await tamperAndVerify((tx) => tx.execute(sql`update ledger_entries set leaf_hash = ${"cd".repeat(32)} where leaf_index = 4`));
    expect(result).toMatchObject({ ok: false, failure: { where: "entry", index: 4, code: "leaf_hash_mismatch" } });
  });

  it("the tx_id column of an entry", async () => {
    const result = await tamperAndVerify((tx) => tx.execute(sql`update ledger_entries set tx_id = ${"ef".repeat(32)} where leaf_index = 6`));
    expect(result).toMatchObject({ ok: false, failure: { where: "entry", index: 6, code: "tx_id_mismatch" } });
  });

  it("an entry stored as other JSON text than its canonical form", async () => {
    const result = await tamperAndVerify((tx) => tx.execute(sql`update ledger_entries set entry_canonical = ' ' || entry_canonical where leaf_index = 7`));
    expect(result).toMatchObject({ ok: false, failure: { where: "entry", index: 7, code: "entry_not_canonical" } });
  });

  it("an entry given a member it never had", async () => {
    const result = await tamperAndVerify((tx) => tx.execute(sql`update ledger_entries set entry_canonical = '{"a":1,' || substr(entry_canonical, 2) where leaf_index = 8`));
    expect(result).toMatchObject({ ok: false, failure: { where: "entry", index: 8, code: "leaf_hash_mismatch" } });
  });

  it("an entry overwritten with text that is not JSON", async () => {
    const result = await tamperAndVerify((tx) => tx.execute(sql`update ledger_entries set entry_canonical = 'gone' where leaf_index = 5`));
    expect(result).toMatchObject({ ok: false, failure: { where: "entry", index: 5, code: "entry_malformed" } });
  });

  it("the used amount of a credit line", async () => {
    const [root] = await database.db.select().from(claims).where(eq(claims.id, ids.root));
    const result = await tamperAndVerify((tx) => tx.execute(sql`update credit_lines set used_minor = used_minor - 1 where id = ${root!.creditLineId}`));
    expect(result).toMatchObject({ ok: false, failure: { where: "row", table: "credit_lines", id: root!.creditLineId, field: "usedMinor" } });
  });

  it("a nonce row that no transaction spent, and a claims row removed, read a few rows at a time", async () => {
    const removeClaim = async (tx: DbOrTx) => {
      await tx.execute(sql`alter table claims disable trigger all`);
      await tx.execute(sql`delete from claims where id = ${ids.tier3}`);
    };
    const removed = await tamperAndVerify(removeClaim, { pageRows: 3 });
    expect(removed).toEqual({ ok: false, failure: { where: "row", table: "claims", id: ids.tier3, field: "(row)", expected: "present", actual: "absent" } });
    const result = await tamperAndVerify((tx) => tx.execute(sql`insert into ledger_nonces (org_id, key_id, nonce) values ('org_pearl', 'k', 'n')`), { pageRows: 3 });
    expect(result).toEqual({ ok: false, failure: { where: "row", table: "ledger_nonces", id: "org_pearl/k/n", field: "(row)", expected: "absent", actual: "present" } });
  });

  it("a stored subtree hash of the log, naming the leaf that completes it", async () => {
    // Node (2, 1) is leaves 4..7; leaf 7 completes it (and nodes (1, 3) and (3, 0) above and below it).
    const result = await tamperAndVerify((tx) => tx.execute(sql`update log_subtree_hashes set hash = ${"ab".repeat(32)} where level = 2 and node_index = 1`));
    expect(result).toMatchObject({ ok: false, failure: { where: "entry", index: 7, code: "subtree_hash_mismatch" } });
    expect(!result.ok && "detail" in result.failure && result.failure.detail).toMatch(/^log_subtree_hashes \(level 2, node 1\) is abab/);
  });

  it("a subtree hash row removed, and one added for leaves the log does not have", async () => {
    const removed = await tamperAndVerify((tx) => tx.execute(sql`delete from log_subtree_hashes where level = 1 and node_index = 2`));
    expect(removed).toMatchObject({ ok: false, failure: { where: "entry", index: 5, code: "subtree_hash_mismatch" } });
    expect(!removed.ok && "detail" in removed.failure && removed.failure.detail).toMatch(/is missing/);
    const added = await tamperAndVerify((tx) => tx.execute(sql`insert into log_subtree_hashes (level, node_index, hash) values (1, 1000000, ${"cd".repeat(32)})`));
    expect(added).toEqual({ ok: false, failure: { where: "row", table: "log_subtree_hashes", id: "1:1000000", field: "(row)", expected: "absent", actual: "present" } });
  });

  it("a removed entry and a moved one, read a few leaves at a time", async () => {
    const removed = await tamperAndVerify((tx) => tx.execute(sql`delete from ledger_entries where leaf_index = 9`), { pageRows: 4 });
    expect(removed).toMatchObject({ ok: false, failure: { where: "entry", index: 9, code: "leaf_missing" } });
    // The row keeps its text (leafIndex 9) but sorts last: leaf 9 is in the log, out of place.
    const moved = await tamperAndVerify((tx) => tx.execute(sql`update ledger_entries set leaf_index = 1000000 where leaf_index = 9`), { pageRows: 4 });
    expect(moved).toMatchObject({ ok: false, failure: { where: "entry", index: 9, code: "leaf_out_of_order" } });
  });

  it("an edited amount, read a few leaves at a time with the signatures on worker threads, as on one thread", async () => {
    const leaf = await leafOf("claim.split", ids.root);
    const edit = (tx: DbOrTx) => tx.execute(sql`update ledger_entries set entry_canonical = replace(entry_canonical, '"amountMinor":"30000000"', '"amountMinor":"30000001"') where leaf_index = ${leaf}`);
    const oneThread = await tamperAndVerify(edit);
    const paged = await tamperAndVerify(edit, { pageRows: 3, pool: true });
    expect(paged).toEqual(oneThread);
    expect(paged).toMatchObject({ ok: false, failure: { where: "entry", index: leaf, code: "contract_refused" } });
  });

  it("leaves the database intact once each edit is rolled back, triggers included", async () => {
    expect(await verifyDatabase(database.db, nodeVerifier)).toMatchObject({ ok: true });
    const refused = await database.db.execute(sql`update ledger_entries set type = type where leaf_index = 0`).then(() => "updated", (e: unknown) => String((e as { cause?: unknown }).cause ?? e));
    expect(refused).toMatch(/ledger_append_only/);
  });
});

describe("the log's subtree hashes kept in the database (log_subtree_hashes)", () => {
  it("hold every complete subtree of the log, as the in-memory store computes them from the leaves", async () => {
    const leaves = (await exportLedger(database.db)).entries.map(logEntryLeafHash);
    const memory = new SubtreeHashes();
    for (const leaf of leaves) memory.append(leaf);
    const rows = await database.db.select().from(logSubtreeHashes);
    let expected = 0;
    for (let level = 1; 2 ** level <= leaves.length; level++) expected += Math.floor(leaves.length / 2 ** level);
    expect(rows.length).toBe(expected);
    for (const row of rows) {
      const width = 2 ** row.level;
      expect(row.hash, `node ${row.level}:${row.nodeIndex}`).toBe(bytesToHex(memory.root(row.nodeIndex * width, (row.nodeIndex + 1) * width)));
    }
  });

  it("give a freshly started instance the same inclusion proofs as a warm one, and they verify against the checkpoint", async () => {
    const warm = await buildProvenanceBundle(database.db, ids.tier3, subtrees);
    const fresh = await buildProvenanceBundle(database.db, ids.tier3, new ProvenanceStore());
    expect(fresh.checkpoint.checkpoint.size).toBe(warm.checkpoint.checkpoint.size);
    expect(fresh.inclusionProofs).toEqual(warm.inclusionProofs);
    const { size, rootHash } = fresh.checkpoint.checkpoint;
    for (const [i, entry] of fresh.entries.entries()) {
      const proof = fresh.inclusionProofs[i]!;
      expect(verifyInclusion(logEntryLeafHash(entry), proof.leafIndex, size, hashesFromHex(proof.proofHex), hexToBytes(rootHash, 32))).toEqual({ ok: true });
    }
  });

  it("give consistency proofs that verify between any two checkpoints", async () => {
    const sizes = (await database.db.select({ size: ledgerCheckpoints.size, root: ledgerCheckpoints.rootHash }).from(ledgerCheckpoints).orderBy(ledgerCheckpoints.size)).slice(-6);
    for (const older of sizes) {
      for (const newer of sizes.filter((s) => s.size > older.size)) {
        const proof = await consistencyProofBetween(database.db, new ProvenanceStore(), older.size, newer.size);
        expect(verifyConsistency(older.size, newer.size, hexToBytes(older.root, 32), hexToBytes(newer.root, 32), proof)).toEqual({ ok: true });
      }
    }
  });

  it("are append-only, like the log", async () => {
    const refused = await database.db.execute(sql`update log_subtree_hashes set hash = hash where level = 1 and node_index = 0`).then(() => "updated", (e: unknown) => String((e as { cause?: unknown }).cause ?? e));
    expect(refused).toMatch(/ledger_append_only/);
  });
});
