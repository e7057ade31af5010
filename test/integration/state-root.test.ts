import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { desc, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { claims, ledgerCheckpoints, ledgerOrganisations, pledges, signingKeys, stateMapNodes } from "@/db/schema";
import { bytesToHex, hexToBytes } from "@/contracts/hex";
import { NOTE_SIGNATURE_TYPE_ED25519, noteVerifierKey, parseNote, signaturesByKey, verifyNoteSignature } from "@/contracts/note";
import { MemoryState } from "@/contracts/ledger/state";
import { claimStateKey, claimStateLeaf, orgStateKey, stateLeafValueHash, stateRootOf, StateMapUpdater } from "@/contracts/state-leaves";
import { MemoryStateMapStore, verifyStateMapProof } from "@/contracts/state-map";
import { checkpointStateRoot, parseCheckpointBody } from "@/contracts/tlog-checkpoint";
import { verifyLog } from "@/contracts/verify-log";
import { nodeVerifier } from "@/server/crypto/node-verifier";
import { exportLedger } from "@/server/ledger/export";
import { buildProvenanceBundle, ProvenanceStore } from "@/server/ledger/provenance";
import { verifyProvenance } from "@/contracts/provenance";
import { toClaim, toKey, toOrganisation, toPledge } from "@/server/ledger/repository";
import { proveFromTable, proveManyFromTable } from "@/server/ledger/state-root";
import { loadPlatformKey } from "@/server/platform/key";
import { seedDemo } from "@/server/seed/seed";
import { createTestDatabase } from "../helpers/db";

/*
 * Issue 13, deliverable 1: every checkpoint closed by the service commits to the state root,
 * as a C2SP note signed by the operator key; the stored map nodes prove a claim's leaf under it.
 */

let database: Database;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
});

afterAll(async () => {
  await database?.close();
});

async function tablesRoot(): Promise<string> {
  const db = database.db;
  const [orgs, keys, claimRows, pledgeRows] = await Promise.all([db.select().from(ledgerOrganisations), db.select().from(signingKeys), db.select().from(claims), db.select().from(pledges)]);
  return bytesToHex(stateRootOf({ orgs: orgs.map(toOrganisation), keys: keys.map(toKey), claims: claimRows.map(toClaim), pledges: pledgeRows.map(toPledge) }));
}

describe("checkpoints with a state root", () => {
  it("signs the last checkpoint as a note whose state root is the root of the tables' state", async () => {
    const [last] = await database.db.select().from(ledgerCheckpoints).orderBy(desc(ledgerCheckpoints.size)).limit(1);
    expect(last?.note).toBeTruthy();
    const parsed = parseNote(last!.note!);
    if (!parsed.ok) throw new Error(parsed.detail);
    const body = parseCheckpointBody(parsed.note.text);
    if (!body.ok) throw new Error(body.detail);
    expect(body.checkpoint.size).toBe(last!.size);
    expect(bytesToHex(body.checkpoint.rootHash)).toBe(last!.rootHash);
    const stateRoot = checkpointStateRoot(body.checkpoint);
    expect(bytesToHex(stateRoot!)).toBe(last!.stateRootHex);
    expect(last!.stateRootHex).toBe(await tablesRoot());
    const platformKey = await loadPlatformKey(database.db);
    const key = noteVerifierKey(body.checkpoint.origin, NOTE_SIGNATURE_TYPE_ED25519, platformKey.publicKey);
    const [signature] = signaturesByKey(parsed.note, key);
    expect(signature).toBeDefined();
    expect(verifyNoteSignature(parsed.note.text, signature!, key, nodeVerifier).ok).toBe(true);
  });

  it("proves a claim's current leaf from the stored nodes under the last state root", async () => {
    const [last] = await database.db.select().from(ledgerCheckpoints).orderBy(desc(ledgerCheckpoints.size)).limit(1);
    const claimRows = await database.db.select().from(claims);
    const activePledges = await database.db.select().from(pledges).where(sql`${pledges.status} = 'active'`);
    for (const row of claimRows.slice(0, 5)) {
      const claim = toClaim(row);
      const pledge = activePledges.map(toPledge).find((p) => p.claimId === claim.id);
      const proof = await proveFromTable(database.db, claimStateKey(claim.id));
      const valueHash = stateLeafValueHash(claimStateLeaf(claim, pledge));
      expect(verifyStateMapProof(hexToBytes(last!.stateRootHex!, 32), claimStateKey(claim.id), valueHash, proof)).toEqual({ ok: true });
      // Another value for the same claim does not verify.
      const other = stateLeafValueHash({ ...claimStateLeaf(claim, pledge), financedOnce: !claim.financedOnce });
      expect(verifyStateMapProof(hexToBytes(last!.stateRootHex!, 32), claimStateKey(claim.id), other, proof)).toMatchObject({ ok: false, code: "value_mismatch" });
    }
  });

  it("proves several keys read together exactly as each read alone: claims, organisations and a key not in the map", async () => {
    const claimRows = await database.db.select({ id: claims.id }).from(claims);
    const orgRows = await database.db.select({ id: ledgerOrganisations.id }).from(ledgerOrganisations);
    const keys = [...claimRows.map((row) => claimStateKey(row.id)), ...orgRows.map((row) => orgStateKey(row.id)), claimStateKey("clm_not_on_the_ledger")];
    const together = await proveManyFromTable(database.db, keys);
    expect(together).toHaveLength(keys.length);
    for (const [i, keyHash] of keys.entries()) expect(together[i]).toEqual(await proveFromTable(database.db, keyHash));
  });

  it("has every checkpoint note's state root checked by the export's replay, and names a forged one", async () => {
    const exported = await exportLedger(database.db);
    expect(exported.notes?.every((note) => note !== null)).toBe(true);
    expect(verifyLog(exported, nodeVerifier).ok).toBe(true);
    // The operator re-signs the last note with another state root: the replay refuses it.
    const { signCheckpointNote, stateRootExtension } = await import("@/contracts/tlog-checkpoint");
    const platformKey = await loadPlatformKey(database.db);
    const index = exported.checkpoints.length - 1;
    const parsed = parseNote(exported.notes![index]!);
    if (!parsed.ok) throw new Error(parsed.detail);
    const body = parseCheckpointBody(parsed.note.text);
    if (!body.ok) throw new Error(body.detail);
    const forged = signCheckpointNote({ ...body.checkpoint, extensions: [stateRootExtension(new Uint8Array(32).fill(7))] }, platformKey.privateKey);
    const result = verifyLog({ ...exported, notes: exported.notes!.map((note, i) => (i === index ? forged : note)) }, nodeVerifier);
    expect(result).toMatchObject({ ok: false, failure: { where: "checkpoint", index, code: "state_root_mismatch" } });
  });

  it("stores exactly the nodes of the map rebuilt from the tables, none stale", async () => {
    const db = database.db;
    const [orgs, keys, claimRows, pledgeRows] = await Promise.all([db.select().from(ledgerOrganisations), db.select().from(signingKeys), db.select().from(claims), db.select().from(pledges)]);
    const state = new MemoryState({ orgs: orgs.map(toOrganisation), keys: keys.map(toKey), claims: claimRows.map(toClaim), pledges: pledgeRows.map(toPledge) });
    const store = new MemoryStateMapStore();
    StateMapUpdater.fromState(state, store);
    const latin1Hex = (text: string) => Buffer.from(text, "latin1").toString("hex");
    const expected = [...store.takeChanges()].map(([position, node]) => `${latin1Hex(position)}=${latin1Hex(node!)}`).sort();
    const result = await db.execute<{ p: string; n: string }>(sql`select encode(position, 'hex') as p, encode(node, 'hex') as n from ${stateMapNodes}`);
    const rows = (Array.isArray(result) ? result : (result as unknown as { rows: { p: string; n: string }[] }).rows) as { p: string; n: string }[];
    expect(rows.map((row) => `${row.p}=${row.n}`).sort()).toEqual(expected);
  });
});

describe("bundles with state proofs", () => {
  async function financedClaimBundle() {
    const [row] = await database.db.select().from(claims).where(sql`${claims.financedOnce}`).limit(1);
    if (!row) throw new Error("the demo seed has no financed claim");
    const bundle = await buildProvenanceBundle(database.db, row.id, new ProvenanceStore());
    const platformKey = await loadPlatformKey(database.db);
    return { row, bundle, operatorKey: platformKey.publicKey };
  }

  it("returns the verified current state: the proved leaf, the signers' key sets and the checkpoint", async () => {
    const { row, bundle, operatorKey } = await financedClaimBundle();
    expect(bundle.state).toBeDefined();
    const result = verifyProvenance(bundle, operatorKey, nodeVerifier, { requireState: true });
    if (!result.ok) throw new Error(`${result.code}: ${result.detail}`);
    expect(result.state?.claim).toMatchObject({ claimId: row.id, holderOrgId: row.holderOrgId, financedOnce: true, state: row.state, maturityDate: row.maturityDate });
    expect(result.state?.claim.outstandingMinor).toBe(row.amountMinor - row.settledMinor);
    expect(result.state?.checkpoint.size).toBe(bundle.checkpoint.checkpoint.size);
    const signerIds = new Set(bundle.entries.map((entry) => entry.signed.transaction.signer.orgId));
    expect(result.state?.signers.map((signer) => signer.orgId).sort()).toEqual([...signerIds].sort());
  });

  it("refuses a bundle that leaves out the claim's financing: the proved state says financed (state_leaf_mismatch)", async () => {
    const { bundle, operatorKey } = await financedClaimBundle();
    const kept = bundle.entries.map((entry, index) => ({ entry, proof: bundle.inclusionProofs[index]! })).filter(({ entry }) => !entry.signed.transaction.type.startsWith("financing."));
    expect(kept.length).toBeLessThan(bundle.entries.length);
    const omitted = { ...bundle, entries: kept.map((item) => item.entry), inclusionProofs: kept.map((item) => item.proof) };
    // Without state proofs (the old check) the omission goes unnoticed.
    expect(verifyProvenance({ ...omitted, state: undefined }, operatorKey, nodeVerifier).ok).toBe(true);
    expect(verifyProvenance(omitted, operatorKey, nodeVerifier)).toMatchObject({ ok: false, code: "state_leaf_mismatch" });
    expect(verifyProvenance({ ...omitted, state: undefined }, operatorKey, nodeVerifier, { requireState: true })).toMatchObject({ ok: false, code: "state_proof_missing" });
  });

  it("refuses a claim leaf edited to say never financed: it is not the leaf under the signed state root (state_proof_invalid)", async () => {
    const { bundle, operatorKey } = await financedClaimBundle();
    const state = bundle.state!;
    const forged = { ...bundle, state: { ...state, claim: { ...state.claim, leaf: { ...state.claim.leaf, financedOnce: false, activeFinancingId: null } } } };
    expect(verifyProvenance(forged, operatorKey, nodeVerifier)).toMatchObject({ ok: false, code: "state_proof_invalid" });
  });

  it("shows the demo's tier-3 200.00 piece with its branch only: no sibling's amount in the bundle, and it verifies with state proofs", async () => {
    const [row] = await database.db.select().from(claims).where(sql`${claims.financedOnce} and ${claims.amountMinor} = 20000`).limit(1);
    if (!row) throw new Error("the demo seed has no financed 200.00 piece");
    const bundle = await buildProvenanceBundle(database.db, row.id, new ProvenanceStore());
    const text = JSON.stringify(bundle);
    // The seed's splits (server/seed/ledger-seed.ts): 300,000.00 to tier 2 and 700,000.00 kept by
    // tier 1; then 200.00 twice to tier 3, 100,000.00 and 199,600.00 kept by tier 2.
    expect(text).toContain('"amountMinor":"30000000"');
    // Quoted, as amounts are written (100000000, the issuance, contains 10000000).
    for (const sibling of ['"70000000"', '"10000000"', '"19960000"']) expect(text).not.toContain(sibling);
    const splits = bundle.entries.filter((entry) => entry.signed.transaction.type === "claim.split");
    expect(splits.map((entry) => (entry.signed.transaction.body as { parts: object[] }).parts.filter((part) => "holderCommitmentHex" in part).length)).toEqual([1, 3]);
    const result = verifyProvenance(bundle, (await loadPlatformKey(database.db)).publicKey, nodeVerifier, { requireState: true });
    if (!result.ok) throw new Error(`${result.code}: ${result.detail}`);
    expect(result.state?.claim).toMatchObject({ claimId: row.id, amountMinor: 20_000n, financedOnce: true });
  });

  it("refuses a note signed by a foreign operator key (checkpoint_note_invalid)", async () => {
    const { bundle, operatorKey } = await financedClaimBundle();
    const { signCheckpointNote } = await import("@/contracts/tlog-checkpoint");
    const parsed = parseNote(bundle.state!.checkpointNote);
    if (!parsed.ok) throw new Error(parsed.detail);
    const body = parseCheckpointBody(parsed.note.text);
    if (!body.ok) throw new Error(body.detail);
    const foreign = signCheckpointNote(body.checkpoint, new Uint8Array(32).fill(9));
    expect(verifyProvenance({ ...bundle, state: { ...bundle.state!, checkpointNote: foreign } }, operatorKey, nodeVerifier)).toMatchObject({
      ok: false,
      code: "checkpoint_note_invalid",
    });
  });
});

