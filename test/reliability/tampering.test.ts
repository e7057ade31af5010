import { randomBytes } from "node:crypto";
import { DEMO_NETWORK_ID } from "@/contracts/ledger/schema";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import type { Database, Db } from "@/db/client";
import { ledgerEntries } from "@/db/schema";
import { buildSigned, identityFor, toWire, type SigningIdentity } from "@/contracts/client";
import { cosignTransaction, transactionDigest } from "@/contracts/transaction";
import { signDigest } from "@/contracts/signing";
import { bytesToHex } from "@/contracts/hex";
import type { WireSignedTransaction } from "@/contracts/ledger/schema";
import { loadPlatformKey } from "@/server/platform/key";
import { requireAccepted, submitWire, type SubmitResult } from "@/server/ledger/service";
import { seedDemo } from "@/server/seed/seed";
import { createTestDatabase } from "../helpers/db";
import { callerFor, runtimeFor } from "../helpers/callers";
import { addFigures } from "./figures";
import { codeOf, heldClaims, ids, nonce, signed, stateHash, verifyOk } from "./support";

/*
 * Transactions that must never take effect, submitted through the API by a user of the
 * organisation they claim to come from (so the API's own gate lets them through and the
 * ledger has to refuse them): forged signatures, unknown, revoked and other organisations'
 * keys, replays and bodies edited after signing. Each one leaves the database unchanged.
 */

let database: Database;
let db: Db;
let claimId: string;
let operator: SigningIdentity;
let revokedKey: SigningIdentity;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  await seedDemo(db);
  [claimId] = (await heldClaims(db, 1)) as [string];
  const platform = await loadPlatformKey(db);
  operator = { orgId: "org_operator", keyId: platform.keyId, privateKey: platform.privateKey };
  // A second key of Pearl River, registered (confirmed by its first key) and then revoked.
  revokedKey = identityFor("org_pearl", new Uint8Array(randomBytes(32)));
  const body = { orgId: "org_pearl", orgName: "Pearl River Assembly Ltd.", role: "supplier" as const, publicKeyHex: (revokedKey as { publicKeyHex?: string }).publicKeyHex!, keyId: revokedKey.keyId, keyRole: "admin" as const, holderUserId: "usr_pearl_1" };
  requireAccepted(await submitWire(db, signed(revokedKey, "key.register", body, [ids.tier1])));
  requireAccepted(await submitWire(db, signed(ids.tier1, "key.revoke", { orgId: "org_pearl", keyId: revokedKey.keyId, reason: "Laptop stolen" })));
});
afterAll(async () => database?.close());
beforeEach(() => runtimeFor(db).limits.submissions.clear());

const asTier1 = (wire: unknown) => callerFor(db, "usr_pearl_1").ledger.submit(wire as WireSignedTransaction);
const pledge = (who: SigningIdentity = ids.tier1, signerOrgId = who.orgId) =>
  buildSigned({ ...who, orgId: signerOrgId }, "claim.pledge", { claimId, lenderOrgId: "org_cmtb" }, { nonce: nonce(), createdAtMs: Date.now() });

/** Submits, expects a refusal with `code` (or an API error code) and no change at all. */
async function refusedWithoutChange(task: Parameters<typeof addFigures>[0], submit: () => Promise<unknown>, expected: string) {
  const before = await stateHash(db);
  let answer: string;
  try {
    const result = (await submit()) as SubmitResult;
    answer = result.status === "refused" ? result.code : `accepted${result.duplicate ? " (duplicate)" : ""}`;
  } catch (error) {
    answer = await codeOf(Promise.reject(error));
  }
  expect(answer).toBe(expected);
  expect(await stateHash(db), "the refused transaction changed the database").toBe(before);
  addFigures(task, { tamperedRefused: 1 });
}

describe("forged and tampered transactions are refused and change nothing", () => {
  it("a random signature", async ({ task }) => {
    const wire = { ...toWire(pledge()), signatureHex: randomBytes(64).toString("hex") };
    await refusedWithoutChange(task, () => asTier1(wire), "signature_invalid");
  });

  it("signed by a key nobody registered, naming Pearl River's key id", async ({ task }) => {
    const stranger = identityFor("org_pearl", new Uint8Array(randomBytes(32)));
    const transaction = { type: "claim.pledge" as const, networkId: DEMO_NETWORK_ID, body: { claimId, lenderOrgId: "org_cmtb" }, signer: { orgId: "org_pearl", keyId: ids.tier1.keyId }, nonce: nonce(), createdAtMs: Date.now() };
    const forged = { transaction, signatureHex: bytesToHex(signDigest(stranger.privateKey, transactionDigest(transaction))), cosignatures: [] };
    await refusedWithoutChange(task, () => asTier1(forged), "signature_invalid");
  });

  it("signed by a key nobody registered, under its own key id", async ({ task }) => {
    const stranger = identityFor("org_pearl", new Uint8Array(randomBytes(32)));
    await refusedWithoutChange(task, () => asTier1(toWire(pledge(stranger))), "signer_key_unknown");
  });

  it("signed by a revoked key of the right organisation", async ({ task }) => {
    await refusedWithoutChange(task, () => asTier1(toWire(pledge(revokedKey))), "signer_key_revoked");
  });

  it("signed by another organisation's key, claiming to be Pearl River", async ({ task }) => {
    await refusedWithoutChange(task, () => asTier1(toWire(pledge(ids.tier2, "org_pearl"))), "signer_key_wrong_organisation");
  });

  it("signed by another organisation for itself, submitted by Pearl River's user", async ({ task }) => {
    await refusedWithoutChange(task, () => asTier1(toWire(pledge(ids.tier2))), "FORBIDDEN");
  });

  it("signed by another organisation for itself, spending Pearl River's claim", async ({ task }) => {
    await refusedWithoutChange(task, () => callerFor(db, "usr_lingnan_1").ledger.submit(toWire(pledge(ids.tier2))), "claim_not_held_by_signer");
  });

  it("signed by the operator's platform key for Pearl River's claim", async ({ task }) => {
    await refusedWithoutChange(task, () => callerFor(db, "usr_operator_1").ledger.submit(toWire(pledge(operator))), "claim_not_held_by_signer");
  });

  it.for([
    ["the amount", (w: WireSignedTransaction): void => {
      (w.transaction.body as { parts: { amountMinor: string }[] }).parts[0]!.amountMinor = "2";
    }],
    ["the recipient", (w: WireSignedTransaction): void => {
      (w.transaction.body as { parts: { toOrgId: string }[] }).parts[0]!.toOrgId = "org_xinyuan";
    }],
    ["the claim", (w: WireSignedTransaction): void => {
      (w.transaction.body as { claimId: string }).claimId = `c_${"1".repeat(24)}`;
    }],
    ["the nonce", (w: WireSignedTransaction): void => {
      w.transaction.nonce = nonce();
    }],
    ["the signing time", (w: WireSignedTransaction): void => {
      w.transaction.createdAtMs -= 1;
    }],
  ] as const)("body changed after signing: %s", async ([, edit], { task }) => {
    const wire = toWire(buildSigned(ids.tier1, "claim.split", { claimId, parts: [{ toOrgId: "org_lingnan", amountMinor: 1n }, { toOrgId: "org_pearl", amountMinor: 999_999n }] }, { nonce: nonce(), createdAtMs: Date.now() }));
    const tampered = structuredClone(wire);
    edit(tampered);
    if (tampered.transaction.type === "claim.split" && (tampered.transaction.body as { parts: { amountMinor: string }[] }).parts[0]!.amountMinor === "2") {
      (tampered.transaction.body as { parts: { amountMinor: string }[] }).parts[1]!.amountMinor = "999998";
    }
    await refusedWithoutChange(task, () => asTier1(tampered), "signature_invalid");
  });

  it("a cosignature slipped into a plain transaction", async ({ task }) => {
    const wire = toWire(cosignTransaction(pledge(), "org_cmtb", ids.bank.keyId, ids.bank.privateKey));
    await refusedWithoutChange(task, () => asTier1(wire), "unexpected_cosignature");
  });

  it("a transaction signed more than a day ago (an old one held back and replayed)", async ({ task }) => {
    const old = toWire(buildSigned(ids.tier1, "claim.pledge", { claimId, lenderOrgId: "org_cmtb" }, { nonce: nonce(), createdAtMs: Date.now() - 25 * 3600_000 }));
    await refusedWithoutChange(task, () => asTier1(old), "created_at_out_of_range");
  });

  it("replayed: the same signed transaction again gets its original answer, appended once", async ({ task }) => {
    const wire = toWire(pledge());
    const first = await asTier1(wire);
    expect(first).toMatchObject({ status: "accepted", duplicate: false });
    await refusedWithoutChange(task, () => asTier1(wire), "accepted (duplicate)");
    const again = await asTier1(wire);
    expect(again).toMatchObject({ status: "accepted", duplicate: true, leafIndex: (first as { leafIndex: number }).leafIndex, txId: first.txId });
    expect(await db.select().from(ledgerEntries).where(eq(ledgerEntries.txId, first.txId!))).toHaveLength(1);
    // Release again so later tests find the claim held.
    requireAccepted(await submitWire(db, signed(ids.bank, "claim.release", { claimId })));
  });

  it("replayed with the same nonce but new content: nonce_reused", async ({ task }) => {
    const used = nonce();
    const first = await asTier1(toWire(buildSigned(ids.tier1, "claim.pledge", { claimId, lenderOrgId: "org_cmtb" }, { nonce: used, createdAtMs: Date.now() })));
    expect(first).toMatchObject({ status: "accepted" });
    requireAccepted(await submitWire(db, signed(ids.bank, "claim.release", { claimId })));
    const second = toWire(buildSigned(ids.tier1, "claim.pledge", { claimId, lenderOrgId: "org_gbfactor" }, { nonce: used, createdAtMs: Date.now() + 1 }));
    await refusedWithoutChange(task, () => asTier1(second), "nonce_reused");
  });

  it("replayed with the operator's cosignature stripped or swapped: transaction_id_conflict", async ({ task }) => {
    const [entry] = await db.select().from(ledgerEntries).where(eq(ledgerEntries.signerKeyId, revokedKey.keyId));
    const stored = JSON.parse(entry!.entryCanonical) as { signed: WireSignedTransaction };
    await refusedWithoutChange(task, () => submitWire(db, { ...stored.signed, cosignatures: [] }), "transaction_id_conflict");
  });

  it("the log replays cleanly after all of it", async ({ task }) => {
    addFigures(task, { transactionsChecked: await verifyOk(db) });
  });
});
