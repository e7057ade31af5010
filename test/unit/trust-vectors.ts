/**
 * Checkers of issue 13's golden vectors (scripts/gen-trust-vectors.ts), registered in
 * vectors.test.ts like every other vector file. Not a test file itself.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { canonicalJson } from "@/contracts/canonical";
import { bytesToHex, hexToBytes } from "@/contracts/hex";
import { base64Decode, cosignatureTimestamp, formatNote, parseNote, parseSignatureLine, parseVerifierKey, signNoteText, verifyNoteSignature, type NoteVerifierKey } from "@/contracts/note";
import { nobleVerifier, publicKeyFromPrivate } from "@/contracts/signing";
import { claimStateLeaf, stateLeafValueHash } from "@/contracts/state-leaves";
import { emptyStateMapRoot, referenceRoot, StateMap, stateKey, verifyStateMapProof, type StateMapProof } from "@/contracts/state-map";
import { verifyCheckpointNote, type TrustPolicy } from "@/contracts/tlog-checkpoint";
import type { Claim, Pledge } from "@/contracts/ledger/types";

const VECTOR_DIR = path.resolve(__dirname, "..", "vectors");

function load<T>(fileName: string): T {
  return JSON.parse(readFileSync(path.join(VECTOR_DIR, fileName), "utf8")) as T;
}

interface ProofVector {
  name: string;
  domain: string;
  id: string;
  expectedValueHashHex: string | null;
  proof: StateMapProof;
  expectedCode?: string;
}

interface StateMapVectors {
  emptyRootHex: string;
  entries: { domain: string; id: string; keyHashHex: string; valueHashHex: string }[];
  rootHex: string;
  proofs: ProofVector[];
  corruptions: (ProofVector & { expectedCode: string })[];
  claimLeaf: { claim: Record<string, unknown>; pledge: Pledge; canonicalJson: string; valueHashHex: string };
}

export function checkStateMapVectors(): void {
  const vectors = load<StateMapVectors>("state-map.json");
  const root = hexToBytes(vectors.rootHex);
  const verify = (vector: ProofVector) => {
    const expected = vector.expectedValueHashHex === null ? null : hexToBytes(vector.expectedValueHashHex);
    const result = verifyStateMapProof(root, stateKey(vector.domain, vector.id), expected, vector.proof);
    return result.ok ? "ok" : result.code;
  };
  it("state map: key hashes, the empty root and the root, by both implementations", () => {
    expect(bytesToHex(emptyStateMapRoot())).toBe(vectors.emptyRootHex);
    const entries = vectors.entries.map((entry) => {
      expect(bytesToHex(stateKey(entry.domain, entry.id))).toBe(entry.keyHashHex);
      return { keyHash: hexToBytes(entry.keyHashHex), valueHash: hexToBytes(entry.valueHashHex) };
    });
    const map = new StateMap();
    for (const entry of entries) map.set(entry.keyHash, entry.valueHash);
    expect(bytesToHex(map.root())).toBe(vectors.rootHex);
    expect(bytesToHex(referenceRoot(entries))).toBe(vectors.rootHex);
  });
  it.each(vectors.proofs.map((vector) => [vector.name, vector] as const))("state map proof: %s", (_name, vector) => {
    expect(verify(vector)).toBe("ok");
  });
  it.each(vectors.corruptions.map((vector) => [vector.name, vector] as const))("state map corruption: %s", (_name, vector) => {
    expect(verify(vector)).toBe(vector.expectedCode);
  });
  it("state leaf: a pledged, partly repaid claim's canonical leaf and value hash", () => {
    const raw = vectors.claimLeaf.claim;
    const claim = { ...raw, amountMinor: BigInt(raw.amountMinor as string), settledMinor: BigInt(raw.settledMinor as string), rootRepaidMinor: BigInt(raw.rootRepaidMinor as string) } as Claim;
    const leaf = claimStateLeaf(claim, vectors.claimLeaf.pledge);
    expect(canonicalJson(leaf)).toBe(vectors.claimLeaf.canonicalJson);
    expect(bytesToHex(stateLeafValueHash(leaf))).toBe(vectors.claimLeaf.valueHashHex);
  });
}

interface CheckpointNoteVectors {
  external: {
    goSumdbNote: { signerKey: string; verifierKey: string; text: string; note: string };
    cosignedCtCheckpoint: { note: string; witnessVerifierKey: string; witnessTimestampSeconds: number };
    specCosignatureExample: { line: string; timestampSeconds: number };
  };
  policy: { origin: string; logKeys: string[]; witnesses: string[]; quorum: number };
  valid: { text: string; note: string; cosigners: { name: string; timestampSeconds: number }[]; stateRootHex: string };
  corruptions: { name: string; note: string; expectedCode: string }[];
}

function verifierKey(text: string): NoteVerifierKey {
  const parsed = parseVerifierKey(text);
  if (!parsed.ok) throw new Error(`vector key ${text}: ${parsed.detail}`);
  return parsed.key;
}

export function checkCheckpointNoteVectors(): void {
  const vectors = load<CheckpointNoteVectors>("checkpoint-notes.json");
  const policy: TrustPolicy = { origin: vectors.policy.origin, logKeys: vectors.policy.logKeys.map(verifierKey), witnesses: vectors.policy.witnesses.map(verifierKey), quorum: vectors.policy.quorum };
  it("notes: Go sumdb/note's example is reproduced and verifies", () => {
    const go = vectors.external.goSumdbNote;
    const seed = base64Decode(go.signerKey.split("+").slice(4).join("+"))!.subarray(1);
    const key = verifierKey(go.verifierKey);
    expect(publicKeyFromPrivate(seed)).toEqual(key.publicKey);
    expect(formatNote({ text: go.text, signatures: [signNoteText(go.text, key.name, seed)] })).toBe(go.note);
    const parsed = parseNote(go.note);
    expect(parsed.ok && verifyNoteSignature(parsed.note.text, parsed.note.signatures[0]!, key, nobleVerifier).ok).toBe(true);
  });
  it("notes: a public witness's cosignature/v1 on a CT checkpoint verifies, with its timestamp", () => {
    const ct = vectors.external.cosignedCtCheckpoint;
    const parsed = parseNote(ct.note);
    const key = verifierKey(ct.witnessVerifierKey);
    const line = parsed.ok ? parsed.note.signatures.find((signature) => signature.name === key.name) : undefined;
    expect(parsed.ok && line && verifyNoteSignature(parsed.note.text, line, key, nobleVerifier)).toEqual({ ok: true, timestampSeconds: ct.witnessTimestampSeconds });
  });
  it("notes: the tlog-cosignature spec's example line carries its example's time", () => {
    const line = parseSignatureLine(vectors.external.specCosignatureExample.line);
    expect(typeof line !== "string" && cosignatureTimestamp(line)).toBe(vectors.external.specCosignatureExample.timestampSeconds);
  });
  it("checkpoint note: valid under the pinned policy", () => {
    const result = verifyCheckpointNote(vectors.valid.note, policy, nobleVerifier);
    expect(result.ok && { text: result.verified.text, cosigners: result.verified.cosigners, stateRootHex: bytesToHex(result.verified.stateRoot) }).toEqual({
      text: vectors.valid.text,
      cosigners: vectors.valid.cosigners,
      stateRootHex: vectors.valid.stateRootHex,
    });
  });
  it.each(vectors.corruptions.map((vector) => [vector.name, vector] as const))("checkpoint note corruption: %s", (_name, vector) => {
    const result = verifyCheckpointNote(vector.note, policy, nobleVerifier);
    expect(result.ok ? "ok" : result.code).toBe(vector.expectedCode);
  });
}
