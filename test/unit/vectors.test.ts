/**
 * Golden vectors: every file in test/vectors/ is loaded, every valid case must pass and
 * every corruption must fail with exactly its expected code. A vector file without a
 * checker here fails the suite, so new vectors cannot be silently ignored.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { canonicalJson, CanonicalEncodingError, deriveId, sha256Hex, type EntityIdPrefix } from "@/contracts/canonical";
import { checkpointHash, verifyCheckpointChain, type SignedCheckpoint } from "@/contracts/checkpoint";
import { bytesToHex, utf8ToBytes } from "@/contracts/hex";
import { logEntryLeafHash, type LogEntry } from "@/contracts/log";
import {
  hashesToHex,
  inclusionProof,
  leafHash,
  MerkleFrontier,
  nodeHash,
  rootFromLeafHashes,
  consistencyProof,
  verifyConsistency,
  verifyInclusion,
} from "@/contracts/merkle";
import { nobleVerifier, publicKeyFromPrivate } from "@/contracts/signing";
import {
  checkCosignature,
  checkTransactionSignature,
  signTransaction,
  transactionId,
  type SignedTransaction,
} from "@/contracts/transaction";
import { ed25519 } from "@noble/curves/ed25519.js";
import { checkCheckpointNoteVectors, checkStateMapVectors } from "./trust-vectors";
import { checkWebAuthnVectors } from "./webauthn-vectors";

const VECTOR_DIR = path.resolve(__dirname, "..", "vectors");

/** Hex of any length, case-sensitive on purpose: vectors hold deliberately odd values. */
function bytes(hex: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/.test(hex)) throw new Error(`bad hex in vector: ${hex}`);
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

function load<T>(fileName: string): T {
  return JSON.parse(readFileSync(path.join(VECTOR_DIR, fileName), "utf8")) as T;
}

// ---- canonical.json --------------------------------------------------------------------

/** Decodes the tags described in scripts/gen-vectors.ts into the values they stand for. */
function decodeTagged(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeTagged);
  if (value === null || typeof value !== "object") return value;
  const tagged = value as Record<string, unknown>;
  const [tag] = Object.keys(tagged);
  const payload = tag === undefined ? undefined : tagged[tag];
  switch (tag) {
    case "$bigint": return BigInt(payload as string);
    case "$number": return Number(payload as string);
    case "$undefined": return undefined;
    case "$function": return () => 1;
    case "$symbol": return Symbol(payload as string);
    case "$date": return new Date(payload as string);
    case "$map": return new Map();
    case "$bytes": return bytes(payload as string);
    case "$ieee754": return new DataView(bytes(payload as string).buffer).getFloat64(0);
    case "$nullPrototype": return Object.assign(Object.create(null) as object, decodeTagged(payload));
    case "$sharedTwice": {
      const shared = decodeTagged(payload);
      return { first: shared, second: shared };
    }
    case "$cycle": {
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      return cyclic;
    }
  }
  const decoded: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(tagged)) {
    Object.defineProperty(decoded, key, { value: decodeTagged(member), enumerable: true, writable: true, configurable: true });
  }
  return decoded;
}

interface CanonicalVectors {
  cases: Array<{ name: string; input: unknown; canonical: string; sha256Hex: string }>;
  rejections: Array<{ name: string; input: unknown; expectedCode: string; expectedPath: string }>;
  rfc8785AppendixB: { numbers: Array<{ ieee754Hex: string; canonical: string }> };
  cyberphone: { cases: Array<{ name: string; inputJson: string; canonical: string }> };
  derivedIds: Array<{ prefix: EntityIdPrefix; txId: string; index: number; expected: string }>;
}

function checkCanonical(): void {
  const vectors = load<CanonicalVectors>("canonical.json");
  it.each(vectors.cases.map((c) => [c.name, c] as const))("canonical: %s", (_name, vector) => {
    const text = canonicalJson(decodeTagged(vector.input));
    expect(text).toBe(vector.canonical);
    expect(sha256Hex(utf8ToBytes(text))).toBe(vector.sha256Hex);
  });
  it.each(vectors.rejections.map((c) => [c.name, c] as const))("canonical rejects: %s", (_name, vector) => {
    const thrown = catchError(() => canonicalJson(decodeTagged(vector.input)));
    expect(thrown).toBeInstanceOf(CanonicalEncodingError);
    expect((thrown as CanonicalEncodingError).code).toBe(vector.expectedCode);
    expect((thrown as CanonicalEncodingError).path).toBe(vector.expectedPath);
  });
  it("canonical: RFC 8785 Appendix B numbers", () => {
    for (const vector of vectors.rfc8785AppendixB.numbers) {
      expect(canonicalJson(decodeTagged({ $ieee754: vector.ieee754Hex })), vector.ieee754Hex).toBe(vector.canonical);
    }
    expect(vectors.rfc8785AppendixB.numbers.length).toBeGreaterThanOrEqual(24);
  });
  it.each(vectors.cyberphone.cases.map((c) => [c.name, c] as const))("canonical: cyberphone %s", (_name, vector) => {
    expect(canonicalJson(JSON.parse(vector.inputJson))).toBe(vector.canonical);
  });
  it("canonical: derived entity ids", () => {
    for (const vector of vectors.derivedIds) {
      expect(deriveId(vector.prefix, vector.txId, vector.index)).toBe(vector.expected);
    }
  });
}

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

// ---- transactions.json -----------------------------------------------------------------

interface TransactionVectors {
  keys: Array<{ privateKeyHex: string; publicKeyHex: string; keyId: string }>;
  rfc8032: Array<{ name: string; privateKeyHex: string; publicKeyHex: string; messageHex: string; signatureHex: string }>;
  valid: {
    signed: SignedTransaction;
    canonicalJson: string;
    transactionId: string;
    signerPublicKeyHex: string;
    cosignerPublicKeysHex: string[];
  };
  corruptions: Array<{
    name: string;
    check: "signer" | "cosignature";
    cosignatureIndex?: number;
    signed: SignedTransaction;
    publicKeyHex: string;
    expectedCode: string;
  }>;
}

function checkTransactions(): void {
  const vectors = load<TransactionVectors>("transactions.json");
  it.each(vectors.rfc8032.map((c) => [c.name, c] as const))("ed25519: %s", (_name, vector) => {
    const privateKey = bytes(vector.privateKeyHex);
    expect(bytesToHex(publicKeyFromPrivate(privateKey))).toBe(vector.publicKeyHex);
    expect(bytesToHex(ed25519.sign(bytes(vector.messageHex), privateKey))).toBe(vector.signatureHex);
    expect(nobleVerifier(bytes(vector.publicKeyHex), bytes(vector.messageHex), bytes(vector.signatureHex))).toBe(true);
  });
  it("transaction: valid envelope has the golden bytes, id and signatures", () => {
    const { signed } = vectors.valid;
    expect(canonicalJson(signed.transaction)).toBe(vectors.valid.canonicalJson);
    expect(transactionId(signed.transaction)).toBe(vectors.valid.transactionId);
    expect(checkTransactionSignature(signed, bytes(vectors.valid.signerPublicKeyHex), nobleVerifier)).toEqual({ ok: true });
    signed.cosignatures.forEach((cosignature, i) => {
      const publicKey = bytes(vectors.valid.cosignerPublicKeysHex[i] ?? "");
      expect(checkCosignature(signed, cosignature, publicKey, nobleVerifier)).toEqual({ ok: true });
    });
  });
  it("transaction: the in-memory form (bigint amount) has the same id and re-signs identically", () => {
    const { signed } = vectors.valid;
    const body = signed.transaction.body as Record<string, unknown>;
    const inMemory = { ...signed.transaction, body: { ...body, amountMinor: BigInt(body.amountMinor as string) } };
    expect(transactionId(inMemory)).toBe(vectors.valid.transactionId);
    const signer = vectors.keys.find((key) => key.keyId === signed.transaction.signer.keyId);
    expect(signTransaction(inMemory, bytes(signer?.privateKeyHex ?? "")).signatureHex).toBe(signed.signatureHex);
  });
  it.each(vectors.corruptions.map((c) => [c.name, c] as const))("transaction corruption: %s", (_name, vector) => {
    const publicKey = bytes(vector.publicKeyHex);
    const cosignature = vector.signed.cosignatures[vector.cosignatureIndex ?? 0];
    const result =
      vector.check === "signer"
        ? checkTransactionSignature(vector.signed, publicKey, nobleVerifier)
        : checkCosignature(vector.signed, cosignature as SignedTransaction["cosignatures"][number], publicKey, nobleVerifier);
    expect(result.ok ? "ok" : result.code).toBe(vector.expectedCode);
  });
}

// ---- merkle.json -----------------------------------------------------------------------

interface MerkleVectors {
  reference: {
    emptyRootHex: string;
    leafHashes: Array<{ leafHex: string; leafHashHex: string }>;
    nodeHashes: Array<{ leftHex: string; rightHex: string; nodeHashHex: string }>;
    leavesHex: string[];
    rootsHex: string[];
    inclusion: Array<{ index: number; treeSize: number; proofHex: string[] }>;
    consistency: Array<{ oldSize: number; newSize: number; proofHex: string[] }>;
  };
  leafHashesHex: string[];
  trees: Array<{
    size: number;
    rootHex: string;
    inclusion: Array<{ index: number; proofHex: string[] }>;
    consistency: Array<{ oldSize: number; oldRootHex: string; proofHex: string[] }>;
  }>;
  inclusionCorruptions: Array<{ name: string; leafHashHex: string; index: number; treeSize: number; proofHex: string[]; rootHex: string; expectedCode: string }>;
  consistencyCorruptions: Array<{ name: string; oldSize: number; newSize: number; oldRootHex: string; newRootHex: string; proofHex: string[]; expectedCode: string }>;
  frontier: { size: number; nodeHashesHex: string[] };
}

function checkMerkleReference(reference: MerkleVectors["reference"]): void {
  const leaves = reference.leavesHex.map((hex) => leafHash(bytes(hex)));
  it("merkle reference: hasher, empty root and roots of sizes 1..8", () => {
    expect(bytesToHex(rootFromLeafHashes([]))).toBe(reference.emptyRootHex);
    for (const vector of reference.leafHashes) expect(bytesToHex(leafHash(bytes(vector.leafHex)))).toBe(vector.leafHashHex);
    for (const vector of reference.nodeHashes) {
      expect(bytesToHex(nodeHash(bytes(vector.leftHex), bytes(vector.rightHex)))).toBe(vector.nodeHashHex);
    }
    reference.rootsHex.forEach((rootHex, i) => {
      expect(bytesToHex(rootFromLeafHashes(leaves.slice(0, i + 1)))).toBe(rootHex);
      expect(bytesToHex(MerkleFrontier.fromLeafHashes(leaves.slice(0, i + 1)).root())).toBe(rootHex);
    });
  });
  it("merkle reference: inclusion proofs are generated and verified identically", () => {
    for (const vector of reference.inclusion) {
      const tree = leaves.slice(0, vector.treeSize);
      expect(hashesToHex(inclusionProof(tree, vector.index))).toEqual(vector.proofHex);
      const root = bytes(reference.rootsHex[vector.treeSize - 1] ?? "");
      const proof = vector.proofHex.map(bytes);
      expect(verifyInclusion(tree[vector.index] as Uint8Array, vector.index, vector.treeSize, proof, root)).toEqual({ ok: true });
    }
  });
  it("merkle reference: consistency proofs are generated and verified identically", () => {
    for (const vector of reference.consistency) {
      expect(hashesToHex(consistencyProof(leaves.slice(0, vector.newSize), vector.oldSize))).toEqual(vector.proofHex);
      const oldRoot = bytes(reference.rootsHex[vector.oldSize - 1] ?? "");
      const newRoot = bytes(reference.rootsHex[vector.newSize - 1] ?? "");
      const result = verifyConsistency(vector.oldSize, vector.newSize, oldRoot, newRoot, vector.proofHex.map(bytes));
      expect(result).toEqual({ ok: true });
    }
  });
}

function checkMerkleTrees(vectors: MerkleVectors): void {
  const leaves = vectors.leafHashesHex.map(bytes);
  it.each(vectors.trees.map((t) => [t.size, t] as const))("merkle tree of size %i: root, every inclusion and consistency proof", (_size, tree) => {
    const root = bytes(tree.rootHex);
    expect(bytesToHex(rootFromLeafHashes(leaves.slice(0, tree.size)))).toBe(tree.rootHex);
    for (const vector of tree.inclusion) {
      expect(hashesToHex(inclusionProof(leaves.slice(0, tree.size), vector.index))).toEqual(vector.proofHex);
      const result = verifyInclusion(leaves[vector.index] as Uint8Array, vector.index, tree.size, vector.proofHex.map(bytes), root);
      expect(result).toEqual({ ok: true });
    }
    for (const vector of tree.consistency) {
      const result = verifyConsistency(vector.oldSize, tree.size, bytes(vector.oldRootHex), root, vector.proofHex.map(bytes));
      expect(result).toEqual({ ok: true });
    }
  });
  it("merkle frontier: serialized form after 9 appends is the golden one", () => {
    expect(MerkleFrontier.fromLeafHashes(leaves).serialize()).toEqual(vectors.frontier);
    expect(bytesToHex(MerkleFrontier.deserialize(vectors.frontier).root())).toBe(vectors.trees.at(-1)?.rootHex);
  });
}

function checkMerkleCorruptions(vectors: MerkleVectors): void {
  it.each(vectors.inclusionCorruptions.map((c) => [c.name, c] as const))("inclusion corruption: %s", (_name, vector) => {
    const result = verifyInclusion(bytes(vector.leafHashHex), vector.index, vector.treeSize, vector.proofHex.map(bytes), bytes(vector.rootHex));
    expect(result.ok ? "ok" : result.code).toBe(vector.expectedCode);
  });
  it.each(vectors.consistencyCorruptions.map((c) => [c.name, c] as const))("consistency corruption: %s", (_name, vector) => {
    const proof = vector.proofHex.map(bytes);
    const result = verifyConsistency(vector.oldSize, vector.newSize, bytes(vector.oldRootHex), bytes(vector.newRootHex), proof);
    expect(result.ok ? "ok" : result.code).toBe(vector.expectedCode);
  });
}

function checkMerkle(): void {
  const vectors = load<MerkleVectors>("merkle.json");
  checkMerkleReference(vectors.reference);
  checkMerkleTrees(vectors);
  checkMerkleCorruptions(vectors);
}

// ---- checkpoints.json ------------------------------------------------------------------

interface CheckpointVectors {
  operator: { publicKeyHex: string };
  logEntries: Array<{ entry: LogEntry; canonicalJson: string; leafHashHex: string }>;
  chain: SignedCheckpoint[];
  checkpointHashes: string[];
  consistencyProofsHex: string[][];
  corruptions: Array<{
    name: string;
    checkpoints: SignedCheckpoint[];
    publicKeyHex: string;
    consistencyProofsHex?: string[][];
    expectedCode: string;
    expectedIndex: number;
  }>;
}

function checkCheckpoints(): void {
  const vectors = load<CheckpointVectors>("checkpoints.json");
  const operatorKey = bytes(vectors.operator.publicKeyHex);
  it("log entries: canonical bytes and leaf hashes; the chain's roots are roots of these leaves", () => {
    const leafHashes = vectors.logEntries.map((vector) => {
      expect(canonicalJson(vector.entry)).toBe(vector.canonicalJson);
      const hash = logEntryLeafHash(vector.entry);
      expect(bytesToHex(hash)).toBe(vector.leafHashHex);
      return hash;
    });
    for (const signed of vectors.chain) {
      expect(bytesToHex(rootFromLeafHashes(leafHashes.slice(0, signed.checkpoint.size)))).toBe(signed.checkpoint.rootHash);
    }
  });
  it("checkpoint chain: valid with and without consistency proofs", () => {
    expect(vectors.chain.map((signed) => checkpointHash(signed.checkpoint))).toEqual(vectors.checkpointHashes);
    expect(verifyCheckpointChain(vectors.chain, operatorKey, nobleVerifier)).toEqual({ ok: true });
    const options = { consistencyProofsHex: vectors.consistencyProofsHex };
    expect(verifyCheckpointChain(vectors.chain, operatorKey, nobleVerifier, options)).toEqual({ ok: true });
  });
  it.each(vectors.corruptions.map((c) => [c.name, c] as const))("checkpoint corruption: %s", (_name, vector) => {
    const options = vector.consistencyProofsHex === undefined ? {} : { consistencyProofsHex: vector.consistencyProofsHex };
    const result = verifyCheckpointChain(vector.checkpoints, bytes(vector.publicKeyHex), nobleVerifier, options);
    expect(result.ok ? "ok" : [result.code, result.index]).toEqual([vector.expectedCode, vector.expectedIndex]);
  });
}

// ---- dispatch --------------------------------------------------------------------------

const CHECKERS: Record<string, () => void> = {
  "canonical.json": checkCanonical,
  "transactions.json": checkTransactions,
  "merkle.json": checkMerkle,
  "checkpoints.json": checkCheckpoints,
  "state-map.json": checkStateMapVectors,
  "checkpoint-notes.json": checkCheckpointNoteVectors,
  "webauthn-assertions.json": checkWebAuthnVectors,
};

const vectorFiles = readdirSync(VECTOR_DIR).filter((name) => name.endsWith(".json")).sort();

it("every vector file has a checker and every checker has its file", () => {
  expect(vectorFiles).toEqual(Object.keys(CHECKERS).sort());
});

for (const fileName of vectorFiles) {
  describe(fileName, () => {
    const checker = CHECKERS[fileName];
    if (checker === undefined) {
      it("has a checker", () => expect.fail(`no checker for test/vectors/${fileName}`));
    } else {
      checker();
    }
  });
}
