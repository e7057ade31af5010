import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database, Db } from "@/db/client";
import { identityFor, type SigningIdentity } from "@/contracts/client";
import type { WireSignedTransaction } from "@/contracts/ledger/schema";
import type { KeyRole } from "@/contracts/ledger/types";
import { requireAccepted, submitWire } from "@/server/ledger/service";
import { seedDemo } from "@/server/seed/seed";
import { createTestDatabase } from "../helpers/db";
import { callerFor, runtimeFor } from "../helpers/callers";
import { addFigures } from "./figures";
import { bankLineId, codeOf, freshDocuments, ids, signed, stateHash, verifyOk } from "./support";

/*
 * Maker-checker and key roles (issue 14, deliverables 2, 3 and 8), as a person with a signing
 * key of the core enterprise would try them. The core enterprise (Huaxin) has a maker, an
 * approver, the maker's own approver key and an approver who left (his key revoked), and a
 * policy: issuances above ¥10,000.00 need an approver. Each attack is submitted through the
 * API by an admin of Huaxin, so the API lets it through and the contracts alone refuse it;
 * each leaves the database as it was. Runs on PostgreSQL when DATABASE_URL is set.
 */

let database: Database;
let db: Db;
let lineId = "";
const THRESHOLD_MINOR = 1_000_000n;
const ABOVE_MINOR = THRESHOLD_MINOR + 1n;

const newKey = (orgId: string) => identityFor(orgId, new Uint8Array(randomBytes(32)));
const maker = newKey("org_huaxin");
const approver = newKey("org_huaxin");
const makersOwnApprover = newKey("org_huaxin");
const leaverApprover = newKey("org_huaxin");

/** Registers `key` for Huaxin with `role`, held by `holderUserId`, confirmed by Huaxin's admin key. */
async function register(key: ReturnType<typeof newKey>, keyRole: KeyRole, holderUserId: string): Promise<void> {
  const body = { orgId: "org_huaxin", orgName: "Huaxin Electronics Co., Ltd.", role: "core_enterprise" as const, publicKeyHex: key.publicKeyHex, keyId: key.keyId, keyRole, holderUserId };
  requireAccepted(await submitWire(db, signed(key, "key.register", body, [ids.core])));
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  await seedDemo(db);
  lineId = await bankLineId(db);
  await register(maker, "maker", "usr_huaxin_maker");
  await register(approver, "approver", "usr_huaxin_approver");
  await register(makersOwnApprover, "approver", "usr_huaxin_maker");
  await register(leaverApprover, "approver", "usr_huaxin_leaver");
  requireAccepted(await submitWire(db, signed(ids.core, "key.revoke", { orgId: "org_huaxin", keyId: leaverApprover.keyId, reason: "Left the company" })));
  requireAccepted(await submitWire(db, signed(ids.core, "approvalPolicy.set", { approvalAboveMinor: THRESHOLD_MINOR, keyChangeAdmins: 1 })));
});
afterAll(async () => database?.close());

/** An issuance of `amountMinor` to Pearl River on the bank's line, signed by `signer`, cosigned by `cosigners`. */
function issuance(signer: SigningIdentity, amountMinor: bigint, cosigners: SigningIdentity[] = []): WireSignedTransaction {
  const body = { creditLineId: lineId, toOrgId: "org_pearl", amountMinor, currency: "CNY" as const, maturityDate: "2099-12-31", documents: freshDocuments() };
  return signed(signer, "claim.issue", body, cosigners);
}

async function submitAsHuaxinAdmin(wire: WireSignedTransaction): Promise<string> {
  runtimeFor(db).limits.submissions.clear();
  try {
    const result = await callerFor(db, "usr_huaxin_1").ledger.submit(wire);
    return result.status === "refused" ? result.code : "accepted";
  } catch (error) {
    return codeOf(Promise.reject(error));
  }
}

const ATTACKS: readonly { name: string; expected: string; build: () => WireSignedTransaction }[] = [
  { name: "a maker issues above the threshold without an approver", expected: "approval_missing", build: () => issuance(maker, ABOVE_MINOR) },
  { name: "a maker approves his own issuance with his own approver key", expected: "approval_by_signer", build: () => issuance(maker, ABOVE_MINOR, [makersOwnApprover]) },
  { name: "an approver who left (his key revoked) approves", expected: "approver_key_not_active", build: () => issuance(maker, ABOVE_MINOR, [leaverApprover]) },
  { name: "the revoked key of the approver who left signs an issuance itself", expected: "signer_key_revoked", build: () => issuance(leaverApprover, 100n) },
  { name: "the bank's key approves the core enterprise's issuance", expected: "approval_wrong_organisation", build: () => issuance(maker, ABOVE_MINOR, [ids.bank]) },
  { name: "a maker's key approves another maker's issuance", expected: "cosigner_role_not_allowed", build: () => issuance(ids.core, ABOVE_MINOR, [maker]) },
  { name: "an approver prepares an issuance himself", expected: "signer_role_not_allowed", build: () => issuance(approver, 100n) },
  { name: "a maker lowers the approval policy", expected: "signer_role_not_allowed", build: () => signed(maker, "approvalPolicy.set", { approvalAboveMinor: null, keyChangeAdmins: 1 }) },
  { name: "a maker revokes the approver's key", expected: "signer_role_not_allowed", build: () => signed(maker, "key.revoke", { orgId: "org_huaxin", keyId: approver.keyId, reason: "in the way" }) },
];

describe("maker-checker and key roles: attacks are refused and change nothing", () => {
  it.for(ATTACKS.map((attack) => [attack.name, attack] as const))("%s", async ([, attack], { task }) => {
    const before = await stateHash(db);
    expect(await submitAsHuaxinAdmin(attack.build())).toBe(attack.expected);
    expect(await stateHash(db), "the refused transaction changed the database").toBe(before);
    addFigures(task, { makerCheckerAttacksRefused: 1 });
  });

  it("accepts the same issuance once another person's approver key cosigns it, and one at the threshold with none", async () => {
    expect(await submitAsHuaxinAdmin(issuance(maker, ABOVE_MINOR, [approver]))).toBe("accepted");
    expect(await submitAsHuaxinAdmin(issuance(maker, THRESHOLD_MINOR))).toBe("accepted");
  });

  it("the log replays cleanly after all of it", async () => {
    await verifyOk(db);
  });
});
