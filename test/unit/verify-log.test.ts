import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LogBuilder, T0 } from "./log-builder";
import { sha256 } from "@noble/hashes/sha2.js";
import { identityFor, type SigningIdentity } from "@/contracts/client";
import { deriveId } from "@/contracts/canonical";
import { signCheckpoint, type SignedCheckpoint } from "@/contracts/checkpoint";
import { parseLedgerExport, parseLedgerExportText, serializeLedgerExport, type LedgerExport } from "@/contracts/export";
import { utf8ToBytes } from "@/contracts/hex";
import { type LogEntry } from "@/contracts/log";
import { nobleVerifier, runWithBatchVerifier } from "@/contracts/signing";
import { nodeVerifier } from "@/server/crypto/node-verifier";
import { openVerifyPool, type VerifyPool } from "@/server/crypto/verify-pool";
import { transactionId } from "@/contracts/transaction";
import { verifyLog } from "@/contracts/verify-log";
import type { TransactionBodies } from "@/contracts/ledger/types";

/*
 * A small log built the way the service builds one (apply, append, one signed checkpoint per
 * block), then corrupted one way at a time. Every corruption must be caught and named with
 * its code and the index of the entry or checkpoint at fault.
 */

const identity = (orgId: string) => identityFor(orgId, sha256(utf8ToBytes(`verify-log test key ${orgId}`)));
const operator = identity("org_operator");
const core = identity("org_core");
const s1 = identity("org_s1");
const s2 = identity("org_s2");
const bank = identity("org_bank");


/** 12 entries in 6 blocks: keys, a credit line, an issuance split between two suppliers. */
function buildLog(): LedgerExport {
  const log = new LogBuilder(operator);
  const register = (who: SigningIdentity & { publicKeyHex: string }, name: string, role: TransactionBodies["key.register"]["role"], cosigners: SigningIdentity[]) =>
    log.sign(who, "key.register", { orgId: who.orgId, orgName: name, role, publicKeyHex: who.publicKeyHex, keyId: who.keyId, keyRole: "admin", holderUserId: `usr_${who.orgId}` }, cosigners);
  log.block(register(operator, "Operator", "operator", [])); // leaf 0
  log.block(
    register(core, "Core Enterprise", "core_enterprise", [operator]),
    register(s1, "Supplier One", "supplier", [operator]),
    register(s2, "Supplier Two", "supplier", [operator]),
    register(bank, "Bank", "lender", [operator]),
  ); // leaves 1-4
  const [grant] = log.block(log.sign(bank, "creditLine.grant", { coreEnterpriseOrgId: core.orgId, currency: "CNY", limitMinor: 10_000_000n, expiresAtMs: T0 + 365 * 86_400_000 })); // leaf 5
  const documents = { invoiceSha256: "a".repeat(64), contractSha256: "b".repeat(64), deliveryNoteSha256: "c".repeat(64) };
  const issue = log.sign(core, "claim.issue", { creditLineId: deriveId("cl", grant!, 0), toOrgId: s1.orgId, amountMinor: 1_000_000n, currency: "CNY", maturityDate: "2026-07-01", documents });
  const rootId = deriveId("c", transactionId(issue.transaction), 0);
  log.block(issue, log.sign(s1, "claim.accept", { claimId: rootId })); // leaves 6-7
  const split = log.sign(s1, "claim.split", { claimId: rootId, parts: [{ toOrgId: s2.orgId, amountMinor: 300_000n }, { toOrgId: s1.orgId, amountMinor: 700_000n }] });
  const splitId = transactionId(split.transaction);
  log.block(split, log.sign(s2, "claim.accept", { claimId: deriveId("c", splitId, 0) })); // leaves 8-9
  log.block(
    log.sign(s1, "claim.pledge", { claimId: deriveId("c", splitId, 1), lenderOrgId: bank.orgId }),
    log.sign(s2, "financing.request", { claimId: deriveId("c", splitId, 0), lenderOrgId: bank.orgId }),
  ); // leaves 10-11
  return log.export();
}

const VALID = buildLog();
const tampered = (edit: (copy: LedgerExport) => void): LedgerExport => {
  const copy = structuredClone(VALID);
  edit(copy);
  return copy;
};
const failureOf = (exported: LedgerExport) => {
  const result = verifyLog(exported, nobleVerifier);
  if (result.ok) throw new Error("expected verification to fail");
  return result.failure;
};
const body = (entry: LogEntry | undefined) => entry!.signed.transaction.body as Record<string, unknown>;
const flipHex = (hex: string, at = 0) => hex.slice(0, at) + (hex[at] === "0" ? "1" : "0") + hex.slice(at + 1);
const resign = (signed: SignedCheckpoint) => signCheckpoint(signed.checkpoint, operator.keyId, operator.privateKey);

describe("verifyLog on an intact log", () => {
  it("replays every entry and reports the summary and the final state", () => {
    const progress: [number, number][] = [];
    const result = verifyLog(VALID, nobleVerifier, { onProgress: (done, total) => progress.push([done, total]) });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.summary).toEqual({ transactions: 12, checkpoints: 6, rootHashHex: VALID.checkpoints[5]!.checkpoint.rootHash, lastCheckpointSize: 12 });
    expect(result.state.claims.size).toBe(3);
    expect([...result.state.claims.values()].map((c) => c.state).sort()).toEqual(["held", "pledged", "split"]);
    expect(progress.at(-1)).toEqual([12, 12]);
  });

  it("survives a round trip through the file format", () => {
    const parsed = parseLedgerExportText(serializeLedgerExport(VALID));
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(verifyLog(parsed.value, nobleVerifier).ok).toBe(true);
  });
});

describe("verifyLog and the network id", () => {
  it("takes the log's network from its genesis, and refuses a log of another network than the one asked for", () => {
    expect(VALID.entries.every((entry) => entry.signed.transaction.networkId === "double-chain-demo")).toBe(true);
    expect(verifyLog(VALID, nobleVerifier, { networkId: "double-chain-demo" }).ok).toBe(true);
    const result = verifyLog(VALID, nobleVerifier, { networkId: "bank-pilot" });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.failure).toMatchObject({ where: "entry", index: 0, code: "contract_refused", detail: expect.stringMatching(/^network_id_mismatch: signed for network double-chain-demo, this ledger is bank-pilot/) });
  });
});

describe("verifyLog names each corruption", () => {
  const cases: { name: string; edit: (copy: LedgerExport) => void; expected: Record<string, unknown>; detail?: RegExp }[] = [
    {
      name: "an edited amount",
      edit: (copy) => {
        const parts = body(copy.entries[8]).parts as { amountMinor: string }[];
        parts[0]!.amountMinor = "300001";
        parts[1]!.amountMinor = "699999";
      },
      expected: { where: "entry", index: 8, code: "contract_refused" },
      detail: /^signature_invalid/,
    },
    {
      name: "an edited issuance amount",
      edit: (copy) => void (body(copy.entries[6]).amountMinor = "2000000"),
      expected: { where: "entry", index: 6, code: "contract_refused" },
      detail: /^signature_invalid/,
    },
    {
      name: "a flipped signature byte",
      edit: (copy) => void (copy.entries[7]!.signed.signatureHex = flipHex(copy.entries[7]!.signed.signatureHex, 10)),
      expected: { where: "entry", index: 7, code: "contract_refused" },
      detail: /^signature_invalid/,
    },
    {
      name: "a flipped operator cosignature byte",
      edit: (copy) => {
        const cosignature = copy.entries[2]!.signed.cosignatures[0]!;
        cosignature.signatureHex = flipHex(cosignature.signatureHex, 4);
      },
      expected: { where: "entry", index: 2, code: "contract_refused" },
      detail: /^operator_cosignature_invalid/,
    },
    { name: "a removed entry", edit: (copy) => void copy.entries.splice(7, 1), expected: { where: "entry", index: 7, code: "leaf_missing" } },
    {
      name: "a removed entry with the rest renumbered",
      edit: (copy) => {
        copy.entries.splice(7, 1);
        copy.entries.forEach((entry, index) => (entry.leafIndex = index));
      },
      expected: { where: "entry", index: 7, code: "contract_refused" },
      detail: /^claim_not_held_by_signer/,
    },
    {
      name: "two swapped entries",
      edit: (copy) => void ([copy.entries[8], copy.entries[9]] = [copy.entries[9]!, copy.entries[8]!]),
      expected: { where: "entry", index: 8, code: "leaf_out_of_order" },
    },
    {
      name: "two independent transactions swapped inside their block, positions and times kept",
      edit: (copy) => void ([copy.entries[10]!.signed, copy.entries[11]!.signed] = [copy.entries[11]!.signed, copy.entries[10]!.signed]),
      expected: { where: "checkpoint", index: 5, code: "root_mismatch", leafRange: { fromLeafIndex: 10, toLeafIndex: 11 } },
    },
    {
      name: "a commit time moved back",
      edit: (copy) => void (copy.entries[9]!.acceptedAtMs = copy.entries[8]!.acceptedAtMs - 1),
      expected: { where: "entry", index: 9, code: "accepted_at_decreased" },
    },
    {
      name: "an edited checkpoint root",
      edit: (copy) => void (copy.checkpoints[3]!.checkpoint.rootHash = "ab".repeat(32)),
      expected: { where: "checkpoint", index: 3, code: "root_mismatch", leafRange: { fromLeafIndex: 6, toLeafIndex: 7 } },
    },
    {
      name: "a broken checkpoint link, re-signed by the operator",
      edit: (copy) => {
        copy.checkpoints[4]!.checkpoint.previousCheckpointHash = "cd".repeat(32);
        copy.checkpoints[4] = resign(copy.checkpoints[4]!);
      },
      expected: { where: "checkpoint", index: 4, code: "previous_hash_mismatch" },
    },
    {
      name: "a broken checkpoint link without a new signature",
      edit: (copy) => void (copy.checkpoints[4]!.checkpoint.previousCheckpointHash = "cd".repeat(32)),
      expected: { where: "checkpoint", index: 4, code: "signature_invalid" },
    },
    {
      name: "a flipped checkpoint signature byte",
      edit: (copy) => void (copy.checkpoints[2]!.signatureHex = flipHex(copy.checkpoints[2]!.signatureHex)),
      expected: { where: "checkpoint", index: 2, code: "signature_invalid" },
    },
    {
      name: "the wrong operator key",
      edit: (copy) => void (copy.operatorPublicKeyHex = core.publicKeyHex),
      expected: { where: "entry", index: 0, code: "genesis_key_mismatch" },
    },
    {
      name: "a transaction appended twice",
      edit: (copy) => {
        copy.entries.push({ ...structuredClone(copy.entries[11]!), leafIndex: 12, acceptedAtMs: copy.entries[11]!.acceptedAtMs });
      },
      expected: { where: "entry", index: 12, code: "duplicate_transaction" },
    },
    { name: "the last entry removed", edit: (copy) => void copy.entries.pop(), expected: { where: "checkpoint", index: 5, code: "checkpoint_beyond_entries" } },
    { name: "the last checkpoint removed", edit: (copy) => void copy.checkpoints.pop(), expected: { where: "entry", index: 10, code: "entries_not_checkpointed" } },
    {
      name: "an entry that does not decode",
      edit: (copy) => void (body(copy.entries[5]).limitMinor = "010"),
      expected: { where: "entry", index: 5, code: "entry_malformed" },
    },
    {
      name: "two corruptions: the earlier one in log order is reported",
      edit: (copy) => {
        copy.entries[9]!.signed.signatureHex = flipHex(copy.entries[9]!.signed.signatureHex);
        copy.checkpoints[1]!.checkpoint.rootHash = "ef".repeat(32);
      },
      expected: { where: "checkpoint", index: 1, code: "root_mismatch", leafRange: { fromLeafIndex: 1, toLeafIndex: 4 } },
    },
  ];

  it.each(cases)("$name", ({ edit, expected, detail }) => {
    const failure = failureOf(tampered(edit));
    expect(failure).toMatchObject(expected);
    if (detail) expect(failure.detail).toMatch(detail);
  });

  describe("with the signatures checked on worker threads while the log replays", () => {
    let pool: VerifyPool;
    beforeAll(() => void (pool = openVerifyPool(2)));
    afterAll(() => pool.close());
    const parallel = (exported: LedgerExport) => runWithBatchVerifier((verifier) => verifyLog(exported, verifier), pool.verifier, nodeVerifier);

    it("accepts the valid log with the same summary", async () => {
      const result = await parallel(VALID);
      expect(result.ok && result.summary).toEqual(verifyLog(VALID, nodeVerifier).ok && (verifyLog(VALID, nodeVerifier) as { summary: unknown }).summary);
    });

    it.each(cases)("$name: the same failure", async ({ edit }) => {
      const copy = tampered(edit);
      expect(await parallel(copy)).toEqual(verifyLog(copy, nodeVerifier));
    });
  });

  it("an empty log has no genesis", () => {
    expect(failureOf({ ...VALID, entries: [], checkpoints: [] })).toMatchObject({ where: "entry", index: 0, code: "leaf_missing" });
  });
});

describe("parsing an export file", () => {
  it("refuses text that is not JSON", () => {
    expect(parseLedgerExportText("{not json")).toMatchObject({ ok: false, failure: { where: "file", code: "file_not_json" } });
  });

  it("refuses a file of another format or without an operator key", () => {
    const result = parseLedgerExport({ ...VALID, format: "something-else/1" });
    expect(result).toMatchObject({ ok: false, failure: { where: "file", code: "file_malformed" } });
    expect(parseLedgerExport({ ...VALID, operatorPublicKeyHex: "XY" })).toMatchObject({ ok: false, failure: { where: "file" } });
  });

  it("names the entry or checkpoint whose shape is wrong", () => {
    const extraMember = tampered((copy) => void ((copy.entries[3] as unknown as Record<string, unknown>).note = "hi"));
    expect(parseLedgerExport(extraMember)).toMatchObject({ ok: false, failure: { where: "entry", index: 3, code: "entry_malformed" } });
    const badCheckpoint = tampered((copy) => void ((copy.checkpoints[2]!.checkpoint as { size: unknown }).size = "3"));
    expect(parseLedgerExport(badCheckpoint)).toMatchObject({ ok: false, failure: { where: "checkpoint", index: 2, code: "checkpoint_malformed" } });
  });

  it("keeps every value as it was, amounts included", () => {
    const parsed = parseLedgerExport(JSON.parse(serializeLedgerExport(VALID)));
    expect(parsed.ok && parsed.value).toEqual(VALID);
  });
});

/**
 * Opens `log` with the operator, the core enterprise, one supplier and the bank registered and
 * the bank's credit line granted, in three blocks; returns a signer of issuances on that line
 * to the supplier, all backed by the same trade documents.
 */
function openLog(log: LogBuilder) {
  const register = (who: SigningIdentity & { publicKeyHex: string }, name: string, role: TransactionBodies["key.register"]["role"], cosigners: SigningIdentity[]) =>
    log.sign(who, "key.register", { orgId: who.orgId, orgName: name, role, publicKeyHex: who.publicKeyHex, keyId: who.keyId, keyRole: "admin", holderUserId: `usr_${who.orgId}` }, cosigners);
  log.block(register(operator, "Operator", "operator", []));
  log.block(register(core, "Core Enterprise", "core_enterprise", [operator]), register(s1, "Supplier One", "supplier", [operator]), register(bank, "Bank", "lender", [operator]));
  const [grant] = log.block(log.sign(bank, "creditLine.grant", { coreEnterpriseOrgId: core.orgId, currency: "CNY", limitMinor: 10_000_000n, expiresAtMs: T0 + 365 * 86_400_000 }));
  const documents = { invoiceSha256: "a".repeat(64), contractSha256: "b".repeat(64), deliveryNoteSha256: "c".repeat(64) };
  return (amountMinor: bigint) => log.sign(core, "claim.issue", { creditLineId: deriveId("cl", grant!, 0), toOrgId: s1.orgId, amountMinor, currency: "CNY", maturityDate: "2026-07-01", documents });
}

describe("verifyLog and an invoice backing two live issuances", () => {
  it("refuses, at its leaf, a second issuance on the same invoice that the operator wrote into the log and signed checkpoints over", () => {
    const log = new LogBuilder(operator);
    const issue = openLog(log);
    log.block(issue(1_000_000n));
    // The core enterprise signed a second issuance on the same invoice; the service refused it,
    // and the operator appends it anyway, covering it with its own valid checkpoint.
    const duplicate = issue(2_000_000n);
    expect(() => log.block(duplicate)).toThrow(/invoice_backs_live_issuance/);
    log.appendUnchecked(duplicate);
    log.close();
    const exported = log.export();
    expect(failureOf(exported)).toMatchObject({ where: "entry", index: exported.entries.length - 1, code: "contract_refused", detail: expect.stringContaining("invoice_backs_live_issuance") });
  });
});

/*
 * Issue 13: a financing offer names the checkpoint the lender decided on. A full replay knows
 * every checkpoint that closed before each entry (from the export's notes), so an offer naming
 * one the log never published, or one that had not closed yet, is a contract refusal in the
 * replay even if the operator wrote it into the log.
 */
describe("verifyLog and decisions that name their checkpoint", () => {
  /** The log above, with notes, then an offer on the financing naming `named(log)`; `track: false` lets the builder write what the contracts refuse. */
  function decisionLog(named: (log: LogBuilder) => string, track = true): { exported: LedgerExport; offerLeaf: number } {
    const log = new LogBuilder(operator, { notes: true, trackCheckpoints: track });
    const issue = openLog(log)(1_000_000n);
    const rootId = deriveId("c", transactionId(issue.transaction), 0);
    const [, , request] = log.block(issue, log.sign(s1, "claim.accept", { claimId: rootId }), log.sign(s1, "financing.request", { claimId: rootId, lenderOrgId: bank.orgId }));
    const offer = log.sign(bank, "financing.offer", { financingId: deriveId("fin", request!, 0), rateBps: 450, feeMinor: 0n, disbursementDate: "2026-01-05", recourse: false, checkpointHash: named(log) });
    log.block(offer);
    return { exported: log.export(), offerLeaf: log.entries.length - 1 };
  }

  it("accepts an offer naming the checkpoint that closed the block before it, and one naming an older checkpoint", () => {
    expect(verifyLog(decisionLog((log) => log.noteTextHashes.at(-1)!).exported, nobleVerifier).ok).toBe(true);
    expect(verifyLog(decisionLog((log) => log.noteTextHashes[0]!).exported, nobleVerifier).ok).toBe(true);
  });

  it("refuses, at the offer's leaf, an offer naming a checkpoint the log never published", () => {
    const { exported, offerLeaf } = decisionLog(() => "e".repeat(64), false);
    expect(failureOf(exported)).toMatchObject({ where: "entry", index: offerLeaf, code: "contract_refused", detail: expect.stringContaining("checkpoint_unknown") });
  });

  it("refuses an offer naming a checkpoint of another log (its note hash is well formed but never closed here)", () => {
    const other = decisionLog((log) => log.noteTextHashes.at(-1)!);
    const foreign = createHashOfOtherLog();
    const { exported, offerLeaf } = decisionLog(() => foreign, false);
    expect(verifyLog(other.exported, nobleVerifier).ok).toBe(true);
    expect(failureOf(exported)).toMatchObject({ index: offerLeaf, code: "contract_refused", detail: expect.stringContaining("checkpoint_unknown") });
  });

  it("the builder's own tracking state refuses what the replay refuses (the rule is the contract's, not the verifier's)", () => {
    expect(() => decisionLog(() => "e".repeat(64))).toThrow(/checkpoint_unknown/);
  });
});

/** The note-text hash of a checkpoint of a log under another operator key. */
function createHashOfOtherLog(): string {
  const otherOperator = identity("org_other_operator");
  const log = new LogBuilder(otherOperator, { notes: true });
  log.block(log.sign(otherOperator, "key.register", { orgId: otherOperator.orgId, orgName: "Other operator", role: "operator", publicKeyHex: otherOperator.publicKeyHex, keyId: otherOperator.keyId, keyRole: "admin", holderUserId: "usr_other_operator" }));
  return log.noteTextHashes[0]!;
}
