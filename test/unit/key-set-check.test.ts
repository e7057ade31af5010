/**
 * The browser's check of its organisation's key set (contracts/key-set-check.ts): a real state
 * map with two organisations, a checkpoint note over its root signed by the operator and
 * cosigned by witnesses, and the organisation's leaf with its proof. A key the browser does not
 * know, or a listed key the checkpoint does not commit to, comes back as a finding; a leaf or a
 * proof that does not match the root, a note short of quorum or by another key, as a failure.
 */
import { describe, expect, it } from "vitest";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@/contracts/hex";
import { checkOrgKeySet, type KeySetCheckInput, type ListedKey } from "@/contracts/key-set-check";
import { cosignNoteText, formatSignatureLine, NOTE_SIGNATURE_TYPE_COSIGNATURE_V1, NOTE_SIGNATURE_TYPE_ED25519, noteVerifierKey } from "@/contracts/note";
import { nobleVerifier, publicKeyFromPrivate } from "@/contracts/signing";
import { orgStateKey, orgStateLeaf, stateLeafValueHash } from "@/contracts/state-leaves";
import { StateMap } from "@/contracts/state-map";
import { addSignatureLines, signCheckpointNote, stateRootExtension, type TrustPolicy } from "@/contracts/tlog-checkpoint";
import type { SigningKey } from "@/contracts/ledger/types";
import type { AcceptedCheckpoint } from "@/contracts/trust-policy";

const ORIGIN = "double-chain.example/ledger";
const operatorKey = sha256(utf8ToBytes("key set test operator"));
const witnesses = ["bank", "auditor"].map((name) => ({ name: `witness.example/${name}`, privateKey: sha256(utf8ToBytes(`key set witness ${name}`)) }));
const operatorVerifier = noteVerifierKey(ORIGIN, NOTE_SIGNATURE_TYPE_ED25519, publicKeyFromPrivate(operatorKey));
const policy: TrustPolicy = {
  origin: ORIGIN,
  logKeys: [operatorVerifier],
  witnesses: witnesses.map((witness) => noteVerifierKey(witness.name, NOTE_SIGNATURE_TYPE_COSIGNATURE_V1, publicKeyFromPrivate(witness.privateKey))),
  quorum: 2,
};

const key = (keyId: string, orgId: string, role: SigningKey["role"], holderUserId: string, status: SigningKey["status"] = "active"): SigningKey => ({
  keyId,
  orgId,
  publicKeyHex: keyId.replace(/[^0-9a-f]/g, "").padEnd(64, "0").slice(0, 64),
  status,
  registeredAtMs: 0,
  revokedAtMs: null,
  role,
  holderUserId,
  webauthn: null,
});

const pearl = { id: "org_pearl", name: "Pearl", role: "supplier" as const };
const keys = [key("k_admin_a1", pearl.id, "admin", "usr_1"), key("k_maker_b2", pearl.id, "maker", "usr_2"), key("k_old_c3", pearl.id, "maker", "usr_2", "revoked")];
const leaf = orgStateLeaf(pearl, keys);
const other = orgStateLeaf({ id: "org_bank", name: "Bank", role: "lender" }, [key("k_bank_d4", "org_bank", "admin", "usr_9")]);

const map = new StateMap();
map.set(orgStateKey(pearl.id), stateLeafValueHash(leaf));
map.set(orgStateKey("org_bank"), stateLeafValueHash(other));
const proof = map.prove(orgStateKey(pearl.id));

function note(stateRoot: Uint8Array, options: { cosigners?: number[]; key?: Uint8Array } = {}): string {
  const checkpoint = { origin: ORIGIN, size: 42, rootHash: sha256(utf8ToBytes("log root")), extensions: [stateRootExtension(stateRoot)] };
  const signed = signCheckpointNote(checkpoint, options.key ?? operatorKey, ORIGIN);
  const text = signed.split("\n\n")[0] + "\n";
  const lines = (options.cosigners ?? [0, 1]).map((index) => formatSignatureLine(cosignNoteText(text, witnesses[index]!.name, witnesses[index]!.privateKey, 1_767_225_600))).join("");
  return addSignatureLines(signed, lines);
}

/** A checkpoint this browser accepted earlier, of `size` and a root named by `rootLabel`. */
function acceptedAt(size: number, rootLabel: string): AcceptedCheckpoint {
  return { origin: ORIGIN, size, rootHashHex: bytesToHex(sha256(utf8ToBytes(rootLabel))), stateRootHex: bytesToHex(map.root()), checkpointHash: "0".repeat(64), cosigners: [] };
}

const listed: ListedKey[] = keys.filter((k) => k.status === "active").map(({ keyId, publicKeyHex, role, holderUserId }) => ({ keyId, publicKeyHex, role, holderUserId }));
const base: KeySetCheckInput = {
  orgId: pearl.id,
  answer: { checkpointNote: note(map.root()), leaf, proof },
  policy,
  operatorKeys: [operatorVerifier],
  listed,
  known: new Set(["k_admin_a1", "k_maker_b2"]),
};

describe("checkOrgKeySet", () => {
  it("verifies the committed key set under a quorum and finds nothing when the browser knows every key and the page lists them all", () => {
    const check = checkOrgKeySet(base, nobleVerifier);
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(check.verified).toMatchObject({ size: 42, witnessed: true, cosigners: ["witness.example/bank", "witness.example/auditor"], unknown: [], listedNotCommitted: [], committedNotListed: [] });
    expect(check.verified.committed.map((k) => k.keyId)).toEqual(["k_admin_a1", "k_maker_b2"]);
  });

  it("names a committed key the browser does not know (an operator-inserted key)", () => {
    const check = checkOrgKeySet({ ...base, known: new Set(["k_admin_a1"]) }, nobleVerifier);
    expect(check.ok && check.verified.unknown.map((k) => k.keyId)).toEqual(["k_maker_b2"]);
  });

  it("names a listed key the checkpoint does not commit to, and a committed key the page does not list", () => {
    const extra: ListedKey = { keyId: "k_rogue_e5", publicKeyHex: "e5".padEnd(64, "0"), role: "admin", holderUserId: "usr_1" };
    const check = checkOrgKeySet({ ...base, listed: [listed[0]!, extra] }, nobleVerifier);
    expect(check.ok && check.verified.listedNotCommitted.map((k) => k.keyId)).toEqual(["k_rogue_e5"]);
    expect(check.ok && check.verified.committedNotListed.map((k) => k.keyId)).toEqual(["k_maker_b2"]);
  });

  it("counts a key listed with another role as not committed (the leaf holds role and holder)", () => {
    const check = checkOrgKeySet({ ...base, listed: [listed[0]!, { ...listed[1]!, role: "admin" }] }, nobleVerifier);
    expect(check.ok && check.verified.listedNotCommitted.map((k) => k.keyId)).toEqual(["k_maker_b2"]);
  });

  it("under a policy, returns the checkpoint to remember, and accepts it again at the size this browser accepted", () => {
    const first = checkOrgKeySet(base, nobleVerifier);
    const accepted = first.ok ? first.verified.accepted : null;
    expect(accepted).toMatchObject({ origin: ORIGIN, size: 42, rootHashHex: bytesToHex(sha256(utf8ToBytes("log root"))), stateRootHex: bytesToHex(map.root()) });
    const again = checkOrgKeySet({ ...base, lastAccepted: accepted }, nobleVerifier);
    expect(again.ok && again.verified.accepted?.checkpointHash).toBe(accepted?.checkpointHash);
  });

  it("without a pinned policy, checks the operator's signature only and says so", () => {
    const check = checkOrgKeySet({ ...base, policy: null, answer: { ...base.answer, checkpointNote: note(map.root(), { cosigners: [] }) } }, nobleVerifier);
    expect(check.ok && check.verified).toMatchObject({ witnessed: false, cosigners: [], accepted: null });
  });

  // One row per failure, in the order the checks run.
  const withKey = orgStateLeaf(pearl, [...keys, key("k_rogue_e5", pearl.id, "admin", "usr_1")]);
  const tamperedProof = { ...proof, siblingsHex: proof.siblingsHex.map((hash, index) => (index === 0 ? (hash[0] === "0" ? "1" : "0") + hash.slice(1) : hash)) };
  const rows: [string, Partial<KeySetCheckInput>, string, string][] = [
    ["a note short of the quorum", { answer: { ...base.answer, checkpointNote: note(map.root(), { cosigners: [0] }) } }, "checkpoint_invalid", "quorum_not_met"],
    ["a note signed by another operator key", { answer: { ...base.answer, checkpointNote: note(map.root(), { key: sha256(utf8ToBytes("fresh key")) }) } }, "checkpoint_invalid", "log_signature_missing"],
    ["no policy and a note by another key", { policy: null, answer: { ...base.answer, checkpointNote: note(map.root(), { key: sha256(utf8ToBytes("fresh key")) }) } }, "checkpoint_invalid", "log_signature_missing"],
    ["a leaf of another version", { answer: { ...base.answer, leaf: { ...leaf, version: 1 as never } } }, "leaf_malformed", "version"],
    ["another organisation's leaf", { answer: { ...base.answer, leaf: other, proof: map.prove(orgStateKey("org_bank")) } }, "leaf_of_another_organisation", "org_bank"],
    ["a leaf with a key added (the server's rows, not the committed state)", { answer: { ...base.answer, leaf: withKey } }, "state_proof_invalid", "value_mismatch"],
    // The last checkpoint this browser accepted (the answer's is size 42, root "log root").
    ["a checkpoint older than the one accepted", { lastAccepted: acceptedAt(50, "log root") }, "checkpoint_inconsistent", "checkpoint_older_than_accepted"],
    ["a fork: another root at the size accepted", { lastAccepted: acceptedAt(42, "the other fork's root") }, "checkpoint_inconsistent", "checkpoint_forks_accepted"],
    ["a larger checkpoint without a consistency proof", { lastAccepted: acceptedAt(40, "an earlier root") }, "checkpoint_inconsistent", "consistency_proof_missing"],
    ["a larger checkpoint with a proof that does not join the roots", { lastAccepted: acceptedAt(40, "an earlier root"), consistencyProofHex: [bytesToHex(sha256(utf8ToBytes("not a proof")))] }, "checkpoint_inconsistent", "consistency_proof_invalid"],
    ["a tampered proof", { answer: { ...base.answer, proof: tamperedProof } }, "state_proof_invalid", "root_mismatch"],
    ["a proof under another root", { answer: { ...base.answer, checkpointNote: note(sha256(utf8ToBytes("another state"))) } }, "state_proof_invalid", "root_mismatch"],
  ];
  it.each(rows)("refuses %s", (_, change, code, detail) => {
    const check = checkOrgKeySet({ ...base, ...change }, nobleVerifier);
    expect(check.ok ? "ok" : check.code).toBe(code);
    expect(check.ok ? "" : check.detail).toContain(detail);
  });
});
