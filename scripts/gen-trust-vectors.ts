/**
 * Writes the golden vectors of issue 13's trust layer: `npx tsx scripts/gen-trust-vectors.ts`.
 *
 *   test/vectors/state-map.json         state map root, proofs, corruptions; a claim leaf
 *   test/vectors/checkpoint-notes.json  C2SP notes: external references, our checkpoint
 *                                       under a pinned policy, corruptions
 *
 * Deterministic like scripts/gen-vectors.ts (fixed keys and times, Ed25519 is deterministic):
 * rerunning must leave `git diff` empty. External references (Go's sumdb/note example, a real
 * cosigned CT checkpoint, the C2SP examples) are copied by hand and never computed here. The
 * expected failure of every corruption is decided here from how it was built, never by
 * running the verifier.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { canonicalJson, sha256Bytes } from "../contracts/canonical";
import { bytesToHex, hexToBytes, utf8ToBytes } from "../contracts/hex";
import {
  cosignNoteText,
  formatSignatureLine,
  formatVerifierKey,
  NOTE_SIGNATURE_TYPE_COSIGNATURE_V1,
  NOTE_SIGNATURE_TYPE_ED25519,
  noteVerifierKey,
} from "../contracts/note";
import { publicKeyFromPrivate } from "../contracts/signing";
import { claimStateLeaf, stateLeafValueHash } from "../contracts/state-leaves";
import { emptyStateMapRoot, StateMap, stateKey, type StateMapProof } from "../contracts/state-map";
import { formatCheckpointBody, signCheckpointNote, stateRootExtension } from "../contracts/tlog-checkpoint";
import type { Claim } from "../contracts/ledger/types";

const OUTPUT_DIR = path.resolve(import.meta.dirname, "..", "test", "vectors");
const GENERATED_BY = "scripts/gen-trust-vectors.ts";
/** 2026-01-01T00:00:00Z in seconds: cosignature timestamps count from here. */
const BASE_TIME_SECONDS = 1_767_225_600;

function writeVectors(fileName: string, content: object): void {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  writeFileSync(path.join(OUTPUT_DIR, fileName), `${JSON.stringify({ generatedBy: GENERATED_BY, ...content }, null, 2)}\n`);
  console.log(`wrote test/vectors/${fileName}`);
}

function valueOf(label: string): Uint8Array {
  return sha256Bytes(utf8ToBytes(label));
}

function flipHex(hex: string, byteIndex = 0): string {
  const bytes = hexToBytes(hex);
  bytes[byteIndex] = (bytes[byteIndex] as number) ^ 0x01;
  return bytesToHex(bytes);
}

// ---- state-map.json ------------------------------------------------------------------------

const MAP_IDS = Array.from({ length: 16 }, (_, index) => `cl_${index}`);

/** The first id whose proof in `map` ends at a terminal of `kind` without being a member. */
function absentIdEndingAt(map: StateMap, kind: "empty" | "leaf"): string {
  for (let index = 0; ; index++) {
    const id = `absent_${index}`;
    if (map.prove(stateKey("claim", id)).terminal.kind === kind) return id;
  }
}

function stateMapCorruptions(proof: StateMapProof, valueHex: string): object[] {
  const corrupt = (name: string, change: (copy: StateMapProof) => void, expectedCode: string, expectedValueHashHex: string | null = valueHex) => {
    const copy = structuredClone(proof);
    change(copy);
    return { name, proof: copy, expectedValueHashHex, expectedCode };
  };
  return [
    corrupt("a sibling hash with one bit flipped", (copy) => void (copy.siblingsHex[0] = flipHex(copy.siblingsHex[0] as string)), "root_mismatch"),
    corrupt("the last sibling hash with one bit flipped", (copy) => void (copy.siblingsHex[copy.siblingsHex.length - 1] = flipHex(copy.siblingsHex.at(-1) as string, 31)), "root_mismatch"),
    corrupt("a sibling left out but still marked in the bitmap", (copy) => void copy.siblingsHex.pop(), "proof_malformed"),
    corrupt("a depth beyond 256", (copy) => void (copy.depth = 257), "proof_malformed"),
    corrupt("a bitmap that is not hex", (copy) => void (copy.bitmapHex = "zz".repeat(copy.bitmapHex.length / 2)), "proof_malformed"),
    corrupt("the terminal leaf's value changed", (copy) => {
      if (copy.terminal.kind === "leaf") copy.terminal.valueHashHex = flipHex(copy.terminal.valueHashHex);
    }, "value_mismatch"),
    corrupt("the terminal leaf moved to a key off the path", (copy) => {
      if (copy.terminal.kind === "leaf") copy.terminal.keyHashHex = bytesToHex(hexToBytes(copy.terminal.keyHashHex).map((byte) => byte ^ 0xff));
    }, "terminal_off_path"),
    corrupt("the walk made one level longer with an empty last sibling", (copy) => {
      copy.depth += 1;
      copy.bitmapHex = bytesToHex(Uint8Array.from({ length: Math.ceil(copy.depth / 8) }, (_, i) => hexToBytes(copy.bitmapHex)[i] ?? 0));
    }, "proof_not_canonical"),
    corrupt("the member's subtree presented as empty to prove absence", (copy) => void (copy.terminal = { kind: "empty" }), "root_mismatch", null),
    corrupt("absence claimed with the member's own proof", () => undefined, "key_present", null),
  ];
}

function writeStateMapVectors(): void {
  const map = new StateMap();
  const entries = MAP_IDS.map((id) => ({ id, valueHashHex: bytesToHex(valueOf(`value of ${id}`)) }));
  for (const entry of entries) map.set(stateKey("claim", entry.id), hexToBytes(entry.valueHashHex));
  const member = entries[5] as (typeof entries)[number];
  const memberKey = stateKey("claim", member.id);
  const memberProof = map.prove(memberKey);
  const absentEmpty = absentIdEndingAt(map, "empty");
  const absentLeaf = absentIdEndingAt(map, "leaf");
  writeVectors("state-map.json", {
    description:
      "Sparse Merkle state map (contracts/state-map.ts). keyHash = SHA-256(utf8(domain + ':' + id)); leaf = SHA-256(0x00 || keyHash || valueHash); node = SHA-256(0x01 || left || right); empty(0) = SHA-256(0x02), empty(h+1) = node(empty(h), empty(h)); a subtree with one entry hashes to its leaf.",
    emptyRootHex: bytesToHex(emptyStateMapRoot()),
    entries: entries.map((entry) => ({ domain: "claim", id: entry.id, keyHashHex: bytesToHex(stateKey("claim", entry.id)), valueHashHex: entry.valueHashHex })),
    rootHex: bytesToHex(map.root()),
    proofs: [
      { name: "membership", domain: "claim", id: member.id, expectedValueHashHex: member.valueHashHex, proof: memberProof },
      { name: "non-membership ending at an empty subtree", domain: "claim", id: absentEmpty, expectedValueHashHex: null, proof: map.prove(stateKey("claim", absentEmpty)) },
      { name: "non-membership ending at another key's leaf", domain: "claim", id: absentLeaf, expectedValueHashHex: null, proof: map.prove(stateKey("claim", absentLeaf)) },
    ],
    corruptions: stateMapCorruptions(memberProof, member.valueHashHex).map((corruption) => ({ domain: "claim", id: member.id, ...corruption })),
    claimLeaf: claimLeafVector(),
  });
}

function claimLeafVector(): object {
  const claim: Claim = {
    id: "c_example",
    rootId: "c_root",
    parentId: "c_root",
    issuerOrgId: "org_core",
    creditLineId: "cl_line",
    holderOrgId: "org_s2",
    offeredToOrgId: null,
    amountMinor: 300_000n,
    settledMinor: 50_000n,
    currency: "CNY",
    maturityDate: "2026-07-01",
    depth: 2,
    state: "pledged",
    documents: null,
    createdTxId: "0".repeat(64),
    financedOnce: false,
    activeFinancingId: null,
    rootRepaidMinor: 0n,
  };
  const pledge = { id: "pl_example", claimId: claim.id, pledgorOrgId: "org_s2", lenderOrgId: "org_bank", status: "active" as const, createdTxId: "1".repeat(64), releasedTxId: null };
  const leaf = claimStateLeaf(claim, pledge);
  return { claim: JSON.parse(canonicalJson(claim)) as object, pledge, canonicalJson: canonicalJson(leaf), valueHashHex: bytesToHex(stateLeafValueHash(leaf)) };
}

// ---- checkpoint-notes.json --------------------------------------------------------------

const ORIGIN = "double-chain.example/ledger";
const LOG_PRIVATE_KEY = new Uint8Array(32).fill(0x21);
const WITNESSES = ["bank", "factor", "auditor"].map((name, index) => ({ name: `witness.double-chain.example/${name}`, privateKey: new Uint8Array(32).fill(0x31 + index) }));

function checkpointNoteCorruptions(signed: string, text: string, cosignatures: string[]): object[] {
  const [bank, factor, auditor] = cosignatures as [string, string, string];
  const otherText = text.replace(/\n12\n/, "\n13\n");
  const cosignedOther = formatSignatureLine(cosignNoteText(otherText, (WITNESSES[1] as (typeof WITNESSES)[number]).name, (WITNESSES[1] as (typeof WITNESSES)[number]).privateKey, BASE_TIME_SECONDS));
  const foreign = signCheckpointNote({ origin: ORIGIN, size: 12, rootHash: valueOf("log root"), extensions: [stateRootExtension(valueOf("state root"))] }, new Uint8Array(32).fill(0x7f));
  return [
    { name: "no blank line before the signatures", note: (signed + bank + factor).replace("\n\n", "\n"), expectedCode: "note_malformed" },
    { name: "the tree size edited after signing", note: (signed + bank + factor).replace("\n12\n", "\n13\n"), expectedCode: "log_signature_invalid" },
    { name: "a checkpoint signed by a key the policy does not pin", note: foreign + bank + factor, expectedCode: "log_signature_missing" },
    { name: "a pinned witness's cosignature of another checkpoint", note: signed + bank + cosignedOther, expectedCode: "cosignature_invalid" },
    { name: "one cosignature where the policy needs two", note: signed + auditor, expectedCode: "quorum_not_met" },
    { name: "one witness's cosignature twice", note: signed + bank + bank, expectedCode: "quorum_not_met" },
  ];
}

function writeCheckpointNoteVectors(): void {
  const checkpoint = { origin: ORIGIN, size: 12, rootHash: valueOf("log root"), extensions: [stateRootExtension(valueOf("state root"))] };
  const text = formatCheckpointBody(checkpoint);
  const signed = signCheckpointNote(checkpoint, LOG_PRIVATE_KEY);
  const cosignatures = WITNESSES.map((witness, index) => formatSignatureLine(cosignNoteText(text, witness.name, witness.privateKey, BASE_TIME_SECONDS + index)));
  writeVectors("checkpoint-notes.json", {
    description: "C2SP signed-note, tlog-checkpoint and tlog-cosignature (cosignature/v1) vectors (contracts/note.ts, contracts/tlog-checkpoint.ts).",
    external: {
      goSumdbNote: {
        source: "golang.org/x/mod/sumdb/note, package documentation example",
        signerKey: "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
        verifierKey: "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        text: "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n",
        note: "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
      },
      cosignedCtCheckpoint: {
        source: "a checkpoint of the arche2025h1 CT staging log as served with public witnesses' cosignatures",
        note:
          "arche2025h1.staging.ct.transparency.dev\n1432088532\nU7WM79jrzyhGZ5/GUBTpM7NzwdyfFx61t3RovgcC4Ro=\n\n" +
          "\u2014 arche2025h1.staging.ct.transparency.dev ui8GwCF1+kWqZrxGdhj4aX3gcw7XUlXQQabg/27lefwhUkzbC3NygNI75MdhL1bfTW9g8Ei59RA23oHP7Ry1k3ZFWwQ=\n" +
          "\u2014 remora.n621.de 2net5wAAAABqEiEgPlfF3V06o0Y+fHM+J5J9s27wgxxcOVSpZ/2g/KSiXCg9DEZI+aVCIobWX9sXTynk5XeU/zZ0WBxtqB0DrAWfBw==\n",
        witnessVerifierKey: "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2",
        witnessTimestampSeconds: 1779573024,
      },
      specCosignatureExample: {
        source: "c2sp.org/tlog-cosignature: the example signature line and the time of its example message",
        line: "\u2014 witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==",
        timestampSeconds: 1679315147,
      },
    },
    policy: {
      origin: ORIGIN,
      logKeys: [formatVerifierKey(noteVerifierKey(ORIGIN, NOTE_SIGNATURE_TYPE_ED25519, publicKeyFromPrivate(LOG_PRIVATE_KEY)))],
      witnesses: WITNESSES.map((witness) => formatVerifierKey(noteVerifierKey(witness.name, NOTE_SIGNATURE_TYPE_COSIGNATURE_V1, publicKeyFromPrivate(witness.privateKey)))),
      quorum: 2,
    },
    valid: {
      text,
      note: signed + (cosignatures[0] as string) + (cosignatures[2] as string),
      cosigners: [
        { name: (WITNESSES[0] as (typeof WITNESSES)[number]).name, timestampSeconds: BASE_TIME_SECONDS },
        { name: (WITNESSES[2] as (typeof WITNESSES)[number]).name, timestampSeconds: BASE_TIME_SECONDS + 2 },
      ],
      stateRootHex: bytesToHex(valueOf("state root")),
    },
    corruptions: checkpointNoteCorruptions(signed, text, cosignatures),
  });
}

writeStateMapVectors();
writeCheckpointNoteVectors();
