/**
 * Where the time of one bundle verification goes, in Node with the verifier's own JavaScript
 * crypto (what the browser runs but for Ed25519, which it hands to WebCrypto):
 *
 *   npx tsx scripts/bench/browser-verify.ts --db NAME --save /tmp/bundle.json
 *   npx tsx scripts/bench/verify-profile.ts /tmp/bundle.json [--runs 50]
 *
 * Times the whole verification and its parts (inclusion proofs, leaf hashes, decoding and replay,
 * state proofs, the note), each over the same bundle. Prints figures; asserts nothing.
 */
import { readFileSync } from "node:fs";
import { hexToBytes } from "@/contracts/hex";
import { logEntryLeafHash } from "@/contracts/log";
import { decodeSignedTransaction } from "@/contracts/ledger/schema";
import { verifyInclusion } from "@/contracts/merkle";
import { verifyProvenance, type ProvenanceBundle } from "@/contracts/provenance";
import { nobleVerifier } from "@/contracts/signing";
import { verifyCheckpointNote } from "@/contracts/tlog-checkpoint";
import { parseTrustPolicy } from "@/contracts/trust-policy";
import { canonicalBytes, sha256Bytes } from "@/contracts/canonical";
import { claimStateKey, orgStateKey } from "@/contracts/state-leaves";
import { verifyStateMapProof } from "@/contracts/state-map";

const file = process.argv[2];
if (!file) throw new Error("usage: verify-profile.ts BUNDLE.json [--runs N]");
const runsArg = process.argv.indexOf("--runs");
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 50;
const saved = JSON.parse(readFileSync(file, "utf8")) as { bundle: ProvenanceBundle; policy: unknown; operatorKeyHex: string };
const parsed = parseTrustPolicy(saved.policy);
if (!parsed.ok) throw new Error(parsed.detail);
const policy = parsed.policy;
const key = hexToBytes(saved.operatorKeyHex, 32);
const bundle = saved.bundle;
/** Signatures are not checked in these parts: the browser hands them to WebCrypto. */
const acceptAll = () => true;

function time(label: string, fn: () => unknown): void {
  for (let i = 0; i < 3; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  console.log(`${label.padEnd(58)} p50 ${samples[Math.floor(samples.length / 2)]!.toFixed(2)} ms, min ${samples[0]!.toFixed(2)} ms`);
}

time("whole verification, noble Ed25519", () => {
  const result = verifyProvenance(bundle, key, nobleVerifier, { policy });
  if (!result.ok) throw new Error(`${result.code}: ${result.detail}`);
});
time("whole verification, signatures not checked", () => verifyProvenance(bundle, key, acceptAll as never, { policy }));
time("leaf hashes (canonical JSON + SHA-256)", () => bundle.entries.map(logEntryLeafHash));
const leaves = bundle.entries.map(logEntryLeafHash);
const root = hexToBytes(bundle.checkpoint.checkpoint.rootHash, 32);
time("inclusion proofs given the leaf hashes", () =>
  bundle.entries.forEach((entry, i) => verifyInclusion(leaves[i]!, entry.leafIndex, bundle.checkpoint.checkpoint.size, bundle.inclusionProofs[i]!.proofHex.map((h) => hexToBytes(h, 32)), root)),
);
time("decoding the entries (zod)", () => bundle.entries.forEach((entry) => decodeSignedTransaction(entry.signed)));
time("checkpoint note under the policy, signatures not checked", () => verifyCheckpointNote(bundle.state!.checkpointNote, policy, acceptAll as never));
time("state proofs (claim and signers)", () => {
  const note = verifyCheckpointNote(bundle.state!.checkpointNote, policy, acceptAll as never);
  if (!note.ok) throw new Error(note.detail);
  const stateRoot = note.verified.stateRoot;
  verifyStateMapProof(stateRoot, claimStateKey(bundle.claimId), sha256Bytes(canonicalBytes(bundle.state!.claim.leaf)), bundle.state!.claim.proof);
  for (const signer of bundle.state!.signers) verifyStateMapProof(stateRoot, orgStateKey(signer.leaf.orgId), sha256Bytes(canonicalBytes(signer.leaf)), signer.proof);
});
console.log(`(${bundle.entries.length} entries, ${bundle.state!.signers.length} signer state proofs, claim proof depth ${bundle.state!.claim.proof.depth})`);
