/**
 * The trust CLIs on real files: `npm run verify -- --export FILE --trust TRUST.json` and
 * `npm run provenance:check -- --bundle FILE --trust TRUST.json`, run as processes on a ledger
 * built with the contracts (test/unit/trust-fixtures.ts), a bundle with its checkpoint note and
 * real witness cosignatures, and policies written as files. Each refusal names its code.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sha256 } from "@noble/hashes/sha2.js";
import { serializeLedgerExport } from "@/contracts/export";
import { bytesToHex, hexToBytes, utf8ToBytes } from "@/contracts/hex";
import { logEntryLeafHash } from "@/contracts/log";
import { consistencyProof, hashesToHex, inclusionProof } from "@/contracts/merkle";
import { cosignNoteText, formatSignatureLine, NOTE_SIGNATURE_TYPE_COSIGNATURE_V1, NOTE_SIGNATURE_TYPE_ED25519, noteVerifierKey } from "@/contracts/note";
import { selectProvenanceEntries } from "@/contracts/provenance";
import { publicKeyFromPrivate } from "@/contracts/signing";
import { claimStateKey, claimStateLeaf, orgStateKey, orgStateLeaf, stateLeafValueHash } from "@/contracts/state-leaves";
import { StateMap } from "@/contracts/state-map";
import { addSignatureLines, formatCheckpointBody, signCheckpointNote, stateRootExtension, type TrustPolicy } from "@/contracts/tlog-checkpoint";
import { formatTrustPolicy, type AcceptedCheckpoint } from "@/contracts/trust-policy";
import { LogBuilder } from "../unit/log-builder";
import { buildTrustLog, operator } from "../unit/trust-fixtures";

const TSX = path.resolve("node_modules", ".bin", "tsx");
const ORIGIN = "double-chain.example/ledger";
const dir = mkdtempSync(path.join(tmpdir(), "dc-trust-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const witnesses = ["bank", "factor", "auditor"].map((name) => ({ name: `witness.example/${name}`, privateKey: sha256(utf8ToBytes(`trust cli witness ${name}`)) }));
const operatorPrivateKey = operator.privateKey;
function policyFor(operatorPublicKey: Uint8Array): TrustPolicy {
  return {
    origin: ORIGIN,
    logKeys: [noteVerifierKey(ORIGIN, NOTE_SIGNATURE_TYPE_ED25519, operatorPublicKey)],
    witnesses: witnesses.map((witness) => noteVerifierKey(witness.name, NOTE_SIGNATURE_TYPE_COSIGNATURE_V1, publicKeyFromPrivate(witness.privateKey))),
    quorum: 2,
  };
}
const foreignKey = sha256(utf8ToBytes("a fresh operator key"));

function file(name: string, content: unknown): string {
  const at = path.join(dir, name);
  writeFileSync(at, typeof content === "string" ? content : JSON.stringify(content));
  return at;
}

function run(script: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(TSX, [script, ...args], { encoding: "utf8", env: { ...process.env, TZ: "UTC" } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const { log, claimIds } = buildTrustLog();
const trustFile = file("trust.json", formatTrustPolicy(policyFor(hexToBytes(operator.publicKeyHex))));
const foreignTrustFile = file("foreign-trust.json", formatTrustPolicy(policyFor(publicKeyFromPrivate(foreignKey))));

/** The state map of the builder's current state, as the server keeps it (contracts/state-leaves.ts). */
function stateMapOf(source: LogBuilder): StateMap {
  const map = new StateMap();
  for (const claim of source.state.claims.values()) map.set(claimStateKey(claim.id), stateLeafValueHash(claimStateLeaf(claim, source.state.getActivePledge(claim.id))));
  for (const org of source.state.orgs.values()) map.set(orgStateKey(org.id), stateLeafValueHash(orgStateLeaf(org, [...source.state.keys.values()].filter((key) => key.orgId === org.id))));
  return map;
}

/** The claim's bundle at the log's last checkpoint, with its state section: a note signed by `signingKey` and cosigned by `cosigners`, and the map proofs. */
function bundleWithNote(source: LogBuilder, claimId: string, cosigners: number[], signingKey = operatorPrivateKey) {
  const entries = selectProvenanceEntries(source.entries, claimId);
  const leafHashes = source.entries.map(logEntryLeafHash);
  const inclusionProofs = entries.map((entry) => ({ leafIndex: entry.leafIndex, proofHex: hashesToHex(inclusionProof(leafHashes, entry.leafIndex)) }));
  const checkpoint = source.checkpoints.at(-1)!;
  const map = stateMapOf(source);
  const body = { origin: ORIGIN, size: checkpoint.checkpoint.size, rootHash: hexToBytes(checkpoint.checkpoint.rootHash), extensions: [stateRootExtension(map.root())] };
  const text = formatCheckpointBody(body);
  const lines = cosigners.map((index) => formatSignatureLine(cosignNoteText(text, witnesses[index]!.name, witnesses[index]!.privateKey, 1_767_225_600))).join("");
  const claim = source.state.getClaim(claimId)!;
  const leaf = claimStateLeaf(claim, source.state.getActivePledge(claimId));
  const signerIds = [...new Set(entries.map((entry) => (entry.signed as { transaction: { signer: { orgId: string } } }).transaction.signer.orgId))].sort();
  const signers = signerIds.map((orgId) => ({
    leaf: orgStateLeaf(source.state.getOrg(orgId)!, [...source.state.keys.values()].filter((key) => key.orgId === orgId)),
    proof: map.prove(orgStateKey(orgId)),
  }));
  const state = {
    checkpointNote: addSignatureLines(signCheckpointNote(body, signingKey, ORIGIN), lines),
    claim: { leaf: { ...leaf, amountMinor: String(leaf.amountMinor), outstandingMinor: String(leaf.outstandingMinor) }, proof: map.prove(claimStateKey(claimId)) },
    signers,
  };
  return { claimId, entries, inclusionProofs, checkpoint, state };
}

describe("npm run verify -- --export FILE --trust TRUST.json", () => {
  const exportFile = file("export.json", serializeLedgerExport(log.export()));

  it("verifies an export signed by the pinned operator key", () => {
    const result = run("scripts/verify.ts", ["--export", exportFile, "--trust", trustFile]);
    expect(result.stderr).not.toContain("FAILED");
    expect(result.stdout).toContain(`transactions=${log.entries.length} checkpoints=${log.checkpoints.length} `);
    expect(result.status).toBe(0);
  });

  it("refuses an export whose own operator key the policy does not pin, and needs a policy at all", () => {
    const foreign = run("scripts/verify.ts", ["--export", exportFile, "--trust", foreignTrustFile]);
    expect(foreign.status).toBe(1);
    expect(foreign.stderr).toContain(`FAILED operator_key_not_pinned: the export is signed by operator key ${operator.publicKeyHex}`);
    expect(run("scripts/verify.ts", ["--export", exportFile]).status).toBe(2);
  });
});

describe("npm run provenance:check -- --bundle FILE --trust TRUST.json", () => {
  const quorate = file("bundle.json", bundleWithNote(log, claimIds.toS2, [0, 2]));

  it("prints the verified state of the claim and who cosigned", () => {
    const result = run("scripts/provenance-check.ts", ["--bundle", quorate, "--trust", trustFile]);
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain(`OK claim ${claimIds.toS2} at checkpoint`);
    expect(result.stdout).toContain("cosigned by 2 of 3 pinned witnesses (quorum 2): witness.example/bank at 2026-01-01T00:00:00.000Z; witness.example/auditor at 2026-01-01T00:00:00.000Z");
    expect(result.stdout).toContain("state: holder=org_s2 state=held outstanding=300000 CNY maturity=2026-07-01 pledge=none");
    expect(result.status).toBe(0);
  });

  const accepted: AcceptedCheckpoint = JSON.parse(/^accepted: (.*)$/m.exec(run("scripts/provenance-check.ts", ["--bundle", quorate, "--trust", trustFile]).stdout)![1]!);
  const older = { ...accepted, size: accepted.size - 2, rootHashHex: bytesToHex(sha256(utf8ToBytes("an older root"))) };

  // The operator leaves the claim's financing request out of the bundle, so the replay shows it free.
  const full = bundleWithNote(log, claimIds.toS2, [0, 2]);
  const kept = full.entries.map((entry, index) => [entry, full.inclusionProofs[index]!] as const).filter(([entry]) => entry.signed.transaction.type !== "financing.request");
  const spendLeftOut = { ...full, entries: kept.map(([entry]) => entry), inclusionProofs: kept.map(([, proof]) => proof) };
  const rows: [string, string[], string][] = [
    ["a spend left out of the bundle", ["--bundle", file("left-out.json", spendLeftOut)], "FAILED provenance_failed: The claim's provenance does not verify. (state_leaf_mismatch"],
    ["a checkpoint short of quorum", ["--bundle", file("short.json", bundleWithNote(log, claimIds.toS2, [1]))], "FAILED quorum_not_met: Too few of your pinned witnesses"],
    ["a bundle signed by a foreign operator key", ["--bundle", file("foreign.json", bundleWithNote(log, claimIds.toS2, [0, 1], foreignKey))], "FAILED log_signature_missing"],
    ["a bundle with no checkpoint note", ["--bundle", file("bare.json", { ...bundleWithNote(log, claimIds.toS2, [0, 1]), state: undefined })], "FAILED checkpoint_note_missing"],
    ["a newer checkpoint without a consistency proof from the last accepted", ["--bundle", quorate, "--last", file("older.json", older)], "FAILED consistency_proof_missing"],
    ["a consistency proof that does not lead from the last accepted", ["--bundle", quorate, "--last", file("older2.json", older), "--consistency", file("proof.json", hashesToHex(consistencyProof(log.entries.map(logEntryLeafHash), older.size)))], "FAILED consistency_proof_invalid"],
    ["a policy file that is not one", ["--bundle", quorate, "--trust", file("bad-trust.json", { quorum: 2 })], "FAILED trust_policy_malformed"],
  ];
  it.each(rows)("refuses %s", (_, args, expected) => {
    const withTrust = args.includes("--trust") ? args : [...args, "--trust", trustFile];
    const result = run("scripts/provenance-check.ts", withTrust);
    expect(result.stderr).toContain(expected);
    expect(result.status).toBe(1);
  });
});
