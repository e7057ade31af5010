import { describe, expect, it } from "vitest";
import {
  checkpointDigest,
  checkpointHash,
  signCheckpoint,
  verifyCheckpoint,
  verifyCheckpointChain,
  type Checkpoint,
  type CheckpointChainOptions,
  type SignedCheckpoint,
} from "@/contracts/checkpoint";
import { canonicalBytes, sha256Hex } from "@/contracts/canonical";
import { bytesToHex, EMPTY_SHA256_HEX, utf8ToBytes } from "@/contracts/hex";
import { consistencyProof, hashesToHex, leafHash, rootFromLeafHashes } from "@/contracts/merkle";
import { keyIdFor, nobleVerifier, publicKeyFromPrivate, signDigest } from "@/contracts/signing";
import { nodeVerifier } from "@/server/crypto/node-verifier";

const OPERATOR_KEY = new Uint8Array(32).fill(0x03);
const OPERATOR_PUBLIC = publicKeyFromPrivate(OPERATOR_KEY);
const OPERATOR_KEY_ID = keyIdFor(OPERATOR_PUBLIC);
const OTHER_KEY = new Uint8Array(32).fill(0x04);
const LEAVES = Array.from({ length: 12 }, (_, i) => leafHash(utf8ToBytes(`entry ${i}`)));
const START_MS = 1_767_225_600_000;

function rootHex(size: number): string {
  return bytesToHex(rootFromLeafHashes(LEAVES.slice(0, size)));
}

/** Signs checkpoints at the given sizes (and times), each linked to the one before. */
function chainOf(sizes: number[], timesMs: number[] = sizes.map((_, i) => START_MS + i * 1000)): SignedCheckpoint[] {
  const chain: SignedCheckpoint[] = [];
  sizes.forEach((size, i) => {
    const previous = chain[i - 1];
    const checkpoint: Checkpoint = {
      size,
      rootHash: rootHex(size),
      timestampMs: timesMs[i] as number,
      previousCheckpointHash: previous === undefined ? null : checkpointHash(previous.checkpoint),
    };
    chain.push(signCheckpoint(checkpoint, OPERATOR_KEY_ID, OPERATOR_KEY));
  });
  return chain;
}

function proofsFor(sizes: number[]): string[][] {
  return sizes.slice(1).map((size, i) => hashesToHex(consistencyProof(LEAVES.slice(0, size), sizes[i] as number)));
}

function resign(signed: SignedCheckpoint, edit: Partial<Checkpoint>): SignedCheckpoint {
  return signCheckpoint({ ...signed.checkpoint, ...edit }, OPERATOR_KEY_ID, OPERATOR_KEY);
}

function chainCode(list: SignedCheckpoint[], options?: CheckpointChainOptions): string {
  const result = verifyCheckpointChain(list, OPERATOR_PUBLIC, nobleVerifier, options);
  return result.ok ? "ok" : `${result.code}@${result.index}`;
}

describe("checkpoint hash and signature", () => {
  const [first] = chainOf([3]) as [SignedCheckpoint];

  it("hashes the canonical bytes and signs the 32 raw bytes of that hash", () => {
    expect(checkpointHash(first.checkpoint)).toBe(sha256Hex(canonicalBytes(first.checkpoint)));
    const signature = signDigest(OPERATOR_KEY, checkpointDigest(first.checkpoint));
    expect(first.signatureHex).toBe(bytesToHex(signature));
    expect(first.keyId).toBe(OPERATOR_KEY_ID);
  });

  it("verifies with both verifiers", () => {
    expect(verifyCheckpoint(first, OPERATOR_PUBLIC, nobleVerifier)).toEqual({ ok: true });
    expect(verifyCheckpoint(first, OPERATOR_PUBLIC, nodeVerifier)).toEqual({ ok: true });
  });

  const malformed: Array<[string, Record<string, unknown>]> = [
    ["negative size", { size: -1 }],
    ["fractional size", { size: 1.5 }],
    ["size as a string", { size: "3" }],
    ["timestamp NaN", { timestampMs: Number.NaN }],
    ["short root", { rootHash: "ab" }],
    ["uppercase root", { rootHash: rootHex(3).toUpperCase() }],
    ["previous hash not hex", { previousCheckpointHash: "z".repeat(64) }],
    ["empty log with a non-empty root", { size: 0 }],
    ["extra member", { extra: 1 }],
  ];
  it.each(malformed)("reports %s as checkpoint_malformed before looking at the signature", (_what, edit) => {
    const signed = { ...first, checkpoint: { ...first.checkpoint, ...edit } as Checkpoint };
    expect(verifyCheckpoint(signed, OPERATOR_PUBLIC, nobleVerifier)).toMatchObject({ ok: false, code: "checkpoint_malformed" });
  });

  it("reports a missing member and a malformed keyId as checkpoint_malformed", () => {
    const { timestampMs: _dropped, ...withoutTime } = first.checkpoint;
    expect(verifyCheckpoint({ ...first, checkpoint: withoutTime as Checkpoint }, OPERATOR_PUBLIC, nobleVerifier)).toMatchObject({ code: "checkpoint_malformed" });
    expect(verifyCheckpoint({ ...first, keyId: "abc" }, OPERATOR_PUBLIC, nobleVerifier)).toMatchObject({ code: "checkpoint_malformed" });
  });

  it("reports signature problems in order", () => {
    expect(verifyCheckpoint({ ...first, signatureHex: "00" }, OPERATOR_PUBLIC, nobleVerifier)).toMatchObject({ code: "signature_malformed" });
    expect(verifyCheckpoint(first, publicKeyFromPrivate(OTHER_KEY), nobleVerifier)).toMatchObject({ code: "key_id_mismatch" });
    const edited = { ...first, checkpoint: { ...first.checkpoint, timestampMs: START_MS + 1 } };
    expect(verifyCheckpoint(edited, OPERATOR_PUBLIC, nobleVerifier)).toMatchObject({ code: "signature_invalid" });
  });

  it("accepts an empty log with the empty-tree root", () => {
    const empty = signCheckpoint({ size: 0, rootHash: EMPTY_SHA256_HEX, timestampMs: START_MS, previousCheckpointHash: null }, OPERATOR_KEY_ID, OPERATOR_KEY);
    expect(verifyCheckpoint(empty, OPERATOR_PUBLIC, nobleVerifier)).toEqual({ ok: true });
  });

  it("refuses to sign a malformed checkpoint or with a key that is not keyId", () => {
    expect(() => signCheckpoint({ ...first.checkpoint, size: -1 }, OPERATOR_KEY_ID, OPERATOR_KEY)).toThrow(/malformed/);
    expect(() => signCheckpoint(first.checkpoint, OPERATOR_KEY_ID, OTHER_KEY)).toThrow(/does not match/);
  });
});

describe("verifyCheckpointChain", () => {
  const sizes = [0, 3, 3, 7, 12];
  const chain = chainOf(sizes);

  it("accepts a valid chain, with and without consistency proofs, and an empty list", () => {
    expect(chainCode(chain)).toBe("ok");
    expect(chainCode(chain, { consistencyProofsHex: proofsFor(sizes) })).toBe("ok");
    expect(chainCode([])).toBe("ok");
  });

  it("accepts equal sizes and equal timestamps (non-decreasing)", () => {
    expect(chainCode(chainOf([3, 3, 5], [START_MS, START_MS, START_MS]))).toBe("ok");
  });

  it("checks a suffix of the chain against the hash it must continue from", () => {
    const suffix = chain.slice(2);
    expect(chainCode(suffix)).toBe("previous_hash_mismatch@0");
    expect(chainCode(suffix, { firstPreviousHash: checkpointHash((chain[1] as SignedCheckpoint).checkpoint) })).toBe("ok");
  });

  it("names the first bad checkpoint when several are bad", () => {
    const list = [...chain];
    list[3] = { ...(list[3] as SignedCheckpoint), signatureHex: "11".repeat(64) };
    list[1] = { ...(list[1] as SignedCheckpoint), signatureHex: "22".repeat(64) };
    expect(chainCode(list)).toBe("signature_invalid@1");
  });

  it.each([
    ["a dropped checkpoint", () => [chain[0], chain[2], chain[3]], "previous_hash_mismatch@1"],
    ["a duplicated checkpoint", () => [chain[0], chain[1], chain[1]], "previous_hash_mismatch@2"],
    ["a re-signed link to nowhere", () => [chain[0], resign(chain[1] as SignedCheckpoint, { previousCheckpointHash: EMPTY_SHA256_HEX })], "previous_hash_mismatch@1"],
    ["a shrinking log", () => chainOf([3, 7, 5]), "size_decreased@2"],
    ["time going backwards", () => chainOf([3, 7], [START_MS + 5, START_MS]), "timestamp_decreased@1"],
    ["a new root at the same size", () => relinked([3, 3], 1, { rootHash: rootHex(4) }), "not_consistent@1"],
    ["another org's key", () => chainOf([3]).map((s) => ({ ...s, keyId: keyIdFor(publicKeyFromPrivate(OTHER_KEY)) })), "key_id_mismatch@0"],
  ])("rejects %s", (_what, build, expected) => {
    expect(chainCode(build() as SignedCheckpoint[])).toBe(expected);
  });

  it("catches a re-signed wrong root only with consistency proofs", () => {
    const forked = relinked([3, 7, 12], 1, { rootHash: bytesToHex(leafHash(utf8ToBytes("fork"))) });
    expect(chainCode(forked)).toBe("ok");
    expect(chainCode(forked, { consistencyProofsHex: proofsFor([3, 7, 12]) })).toBe("not_consistent@1");
  });

  it("treats a missing or malformed proof as not_consistent", () => {
    const proofs = proofsFor(sizes);
    expect(chainCode(chain, { consistencyProofsHex: proofs.slice(0, 2) })).toBe("not_consistent@3");
    const garbled = proofs.map((proof, i) => (i === 2 ? ["xyz", ...proof.slice(1)] : proof));
    expect(chainCode(chain, { consistencyProofsHex: garbled })).toBe("not_consistent@3");
  });

  it("gives the same answers with the node verifier", () => {
    const broken = [chain[0], chain[2]] as SignedCheckpoint[];
    const node = verifyCheckpointChain(broken, OPERATOR_PUBLIC, nodeVerifier);
    expect(node).toEqual(verifyCheckpointChain(broken, OPERATOR_PUBLIC, nobleVerifier));
    expect(verifyCheckpointChain(chain, OPERATOR_PUBLIC, nodeVerifier)).toEqual({ ok: true });
  });
});

/** A chain at `sizes` where checkpoint `index` is edited, re-signed, and later ones relinked. */
function relinked(sizes: number[], index: number, edit: Partial<Checkpoint>): SignedCheckpoint[] {
  const chain: SignedCheckpoint[] = [];
  sizes.forEach((size, i) => {
    const previous = chain[i - 1];
    const base: Checkpoint = {
      size,
      rootHash: rootHex(size),
      timestampMs: START_MS + i * 1000,
      previousCheckpointHash: previous === undefined ? null : checkpointHash(previous.checkpoint),
    };
    chain.push(signCheckpoint(i === index ? { ...base, ...edit } : base, OPERATOR_KEY_ID, OPERATOR_KEY));
  });
  return chain;
}
