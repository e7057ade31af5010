import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { signingKeys } from "@/db/schema";
import { buildSigned, identityFor, toWire, type SigningIdentity } from "@/contracts/client";
import { checkOrgKeySet, type KeySetCheck } from "@/contracts/key-set-check";
import { parseVerifierKey, type NoteVerifierKey } from "@/contracts/note";
import { nobleVerifier } from "@/contracts/signing";
import type { TransactionBodies, TransactionType } from "@/contracts/ledger/types";
import { requireAccepted, submitWire } from "@/server/ledger/service";
import { demoApproverIdentity, demoIdentity } from "@/server/seed/ledger-seed";
import { seedDemo } from "@/server/seed/seed";
import { createTestDatabase } from "../helpers/db";
import { callerFor, codeOf } from "../helpers/callers";

/*
 * The Keys page's check of the organisation's key set (issue 14, deliverable 1), through the
 * keys.keySetProof procedure on a real database: the answer verifies under the operator's
 * checkpoint, a key registered on the ledger that this browser was never told about is named,
 * and a key row the operator writes into the table behind the ledger's back makes the answer
 * fail against the committed state root.
 */

let database: Database;
const HUAXIN_ADMIN = "usr_huaxin_1";
const core = demoIdentity("org_huaxin");
/** The demo's approver (Wu Fang) holds the organisation's second key. */
const approver = demoApproverIdentity("org_huaxin");
const nonce = () => randomBytes(16).toString("hex");
const signed = <K extends TransactionType>(who: SigningIdentity, type: K, body: TransactionBodies[K], cosigners: SigningIdentity[] = []) =>
  toWire(buildSigned(who, type, body, { nonce: nonce(), createdAtMs: Date.now(), cosigners }));

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
});
afterAll(async () => database?.close());

/** What the page does: fetch the proof and the listed keys, then run the pure check. */
async function pageCheck(known: readonly string[]): Promise<KeySetCheck> {
  const caller = callerFor(database.db, HUAXIN_ADMIN);
  const answer = await caller.keys.keySetProof();
  if (answer.status !== "proved") throw new Error(`no proof: ${answer.status}`);
  const listed = (await caller.keys.myKeys()).keys
    .filter((key) => key.status === "active")
    .map((key) => ({ keyId: key.keyId, publicKeyHex: key.publicKeyHex, role: key.role, holderUserId: key.holder.userId }));
  const operatorKeys = answer.operatorKeys.map(parseVerifierKey).flatMap((parsed): NoteVerifierKey[] => (parsed.ok ? [parsed.key] : []));
  return checkOrgKeySet({ orgId: "org_huaxin", answer, policy: null, operatorKeys, listed, known: new Set(known) }, nobleVerifier);
}

describe("keys.keySetProof", () => {
  it("proves the organisation's leaf under the operator's checkpoint, and the page finds nothing amiss when the browser knows its keys", async () => {
    const check = await pageCheck([core.keyId, approver.keyId]);
    expect(check.ok ? check.verified : check).toMatchObject({ witnessed: false, unknown: [], listedNotCommitted: [], committedNotListed: [] });
    expect(check.ok && check.verified.committed.map((key) => key.keyId).sort()).toEqual([core.keyId, approver.keyId].sort());
  });

  it("refuses a caller who is not signed in", async () => {
    expect(await codeOf(callerFor(database.db, null).keys.keySetProof())).toBe("UNAUTHORIZED");
  });

  it("names a key on the ledger this browser does not know", async () => {
    const added = identityFor("org_huaxin", new Uint8Array(randomBytes(32)));
    const body = { orgId: "org_huaxin", orgName: "Huaxin Electronics Co., Ltd.", role: "core_enterprise" as const, publicKeyHex: added.publicKeyHex, keyId: added.keyId, keyRole: "maker" as const, holderUserId: "usr_huaxin_2" };
    requireAccepted(await submitWire(database.db, signed(added, "key.register", body, [core])));
    const check = await pageCheck([core.keyId, approver.keyId]);
    expect(check.ok && check.verified.unknown.map((key) => key.keyId)).toEqual([added.keyId]);
    expect(check.ok && check.verified.listedNotCommitted).toEqual([]);
  });

  it("fails against the committed state when the operator writes a key row behind the ledger's back", async () => {
    const rogue = identityFor("org_huaxin", new Uint8Array(randomBytes(32)));
    await database.db.insert(signingKeys).values({
      keyId: rogue.keyId,
      orgId: "org_huaxin",
      publicKeyHex: rogue.publicKeyHex,
      status: "active",
      registeredAtMs: Date.now(),
      role: "admin",
      holderUserId: HUAXIN_ADMIN,
    });
    const check = await pageCheck([core.keyId]);
    expect(check.ok ? "ok" : check.code).toBe("state_proof_invalid");
    expect(check.ok ? "" : check.detail).toContain("value_mismatch");
  });
});
