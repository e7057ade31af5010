import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { signingKeys, users } from "@/db/schema";
import { buildSigned, identityFor, toWire, type SigningIdentity } from "@/contracts/client";
import type { TransactionBodies, TransactionType } from "@/contracts/ledger/types";
import { requireAccepted, submitWire } from "@/server/ledger/service";
import { demoIdentity } from "@/server/seed/ledger-seed";
import { seedDemo } from "@/server/seed/seed";
import { createTestDatabase } from "../helpers/db";
import { TRPCError } from "@trpc/server";
import { DomainError } from "@/server/errors";
import { callerFor } from "../helpers/callers";

/*
 * Disabling a person revokes the keys he holds on the ledger in the same step (issue 14,
 * deliverable 2): the admin's browser signs the revocations, the server commits the disable
 * and the revocations together or not at all.
 */

let database: Database;
const core = demoIdentity("org_huaxin");
const heldKey = identityFor("org_huaxin", new Uint8Array(randomBytes(32)));
const nonce = () => randomBytes(16).toString("hex");
const signed = <K extends TransactionType>(who: SigningIdentity, type: K, body: TransactionBodies[K], cosigners: SigningIdentity[] = []) =>
  toWire(buildSigned(who, type, body, { nonce: nonce(), createdAtMs: Date.now(), cosigners }));
const revocation = (by: SigningIdentity) => signed(by, "key.revoke", { orgId: "org_huaxin", keyId: heldKey.keyId, reason: "Zhou Min left the company" });

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
  // Zhou Min (usr_huaxin_2) holds a maker key of Huaxin, confirmed by Huaxin's admin key.
  const body = { orgId: "org_huaxin", orgName: "Huaxin Electronics Co., Ltd.", role: "core_enterprise" as const, publicKeyHex: heldKey.publicKeyHex, keyId: heldKey.keyId, keyRole: "maker" as const, holderUserId: "usr_huaxin_2" };
  requireAccepted(await submitWire(database.db, signed(heldKey, "key.register", body, [core])));
});
afterAll(async () => database?.close());

/** "CODE domain_code" of a failed call, "OK" otherwise. */
async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "OK";
  } catch (error) {
    if (error instanceof TRPCError) return `${error.code} ${error.cause instanceof DomainError ? error.cause.code : "-"}`;
    throw error;
  }
}

async function statusOf(userId: string) {
  const [user] = await database.db.select({ status: users.status }).from(users).where(eq(users.id, userId));
  const [key] = await database.db.select({ status: signingKeys.status }).from(signingKeys).where(eq(signingKeys.keyId, heldKey.keyId));
  return { user: user?.status, key: key?.status };
}

describe("the history names the person whose key signed", () => {
  it("names the holder and role of the key behind the organisation's own entries, and nobody of another organisation", async () => {
    const history = await callerFor(database.db, "usr_pearl_1").ledger.history();
    const own = history.filter((row) => row.outgoing);
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((row) => row.signedBy?.person === "Li Na" && row.signedBy.role === "admin")).toBe(true);
    // Issuances offered to Pearl River were signed by Huaxin's key: Huaxin's people are not named to Pearl River.
    const incoming = history.filter((row) => !row.outgoing);
    expect(incoming.length).toBeGreaterThan(0);
    expect(incoming.every((row) => row.signedBy === null)).toBe(true);
  });
});

describe("disabling a person revokes his keys on the ledger, in the same step", () => {
  it("refuses a disable without the revocations of the keys he holds, and one whose revocation the ledger refuses; changes nothing", async () => {
    const admin = callerFor(database.db, "usr_huaxin_1");
    // The people page lists the keys each person holds: those a disable must revoke.
    const listed = await admin.users.list({ orgId: "org_huaxin" });
    expect(listed.find((user) => user.id === "usr_huaxin_2")?.activeKeyIds).toEqual([heldKey.keyId]);
    expect(listed.find((user) => user.id === "usr_huaxin_1")?.activeKeyIds).toEqual([core.keyId]);
    expect(await codeOf(admin.users.update({ userId: "usr_huaxin_2", status: "disabled" }))).toBe("CONFLICT key_revocations_required");
    // Signed by his own maker key: only an admin's key revokes (roles.ts), so the ledger refuses and the disable is undone.
    expect(await codeOf(admin.users.update({ userId: "usr_huaxin_2", status: "disabled", revocations: [revocation(heldKey)] }))).toBe("CONFLICT signer_role_not_allowed");
    // Another transaction than a revocation of his key.
    const other = signed(core, "key.revoke", { orgId: "org_pearl", keyId: demoIdentity("org_pearl").keyId, reason: "not his" });
    expect(await codeOf(admin.users.update({ userId: "usr_huaxin_2", status: "disabled", revocations: [other] }))).toBe("BAD_REQUEST not_a_key_revocation");
    expect(await statusOf("usr_huaxin_2")).toEqual({ user: "active", key: "active" });
  });

  it("disables him and revokes his key together when the admin's key signs the revocation; his key then signs nothing", async () => {
    const admin = callerFor(database.db, "usr_huaxin_1");
    expect((await admin.users.update({ userId: "usr_huaxin_2", status: "disabled", revocations: [revocation(core)] })).status).toBe("disabled");
    expect(await statusOf("usr_huaxin_2")).toEqual({ user: "disabled", key: "revoked" });
    expect((await admin.users.list({ orgId: "org_huaxin" })).find((user) => user.id === "usr_huaxin_2")?.activeKeyIds).toEqual([]);
    const afterLeaving = signed(heldKey, "claim.withdraw", { claimId: "c_000000000000000000000000" });
    expect(await submitWire(database.db, afterLeaving)).toMatchObject({ status: "refused", code: "signer_key_revoked" });
    // Enabling him again gives him no key back: he asks for a new one.
    expect((await admin.users.update({ userId: "usr_huaxin_2", status: "active" })).status).toBe("active");
    expect(await statusOf("usr_huaxin_2")).toEqual({ user: "active", key: "revoked" });
  });

  it("disables a person who holds no key without any revocation", async () => {
    const admin = callerFor(database.db, "usr_pearl_1");
    const { user } = await admin.users.invite({ orgId: "org_pearl", email: "keyless@pearl.cn", name: "Keyless", permission: "viewer" });
    expect((await admin.users.update({ userId: user.id, status: "disabled" })).status).toBe("disabled");
    // Revocations sent with anything but a disable are refused.
    expect(await codeOf(admin.users.update({ userId: user.id, permission: "maker", revocations: [revocation(core)] }))).toBe("BAD_REQUEST unexpected_revocations");
  });

  it("refuses disabling the person who holds the organisation's last active admin key, before and on the ledger; changes nothing", async () => {
    // Zhou Min is made an admin (of the people page), but every admin key on the ledger is still Chen Wei's.
    const chen = callerFor(database.db, "usr_huaxin_1");
    expect((await chen.users.update({ userId: "usr_huaxin_2", permission: "admin" })).permission).toBe("admin");
    const zhou = callerFor(database.db, "usr_huaxin_2");
    const lastKey = signed(core, "key.revoke", { orgId: "org_huaxin", keyId: core.keyId, reason: "Chen Wei left" });
    let message = "";
    try {
      await zhou.users.update({ userId: "usr_huaxin_1", status: "disabled", revocations: [lastKey] });
    } catch (error) {
      if (!(error instanceof TRPCError) || !(error.cause instanceof DomainError)) throw error;
      expect(error.cause.code).toBe("last_admin_key");
      message = error.message;
    }
    expect(message).toMatch(/last active admin key.*register an admin key first/);
    // The ledger itself refuses the same revocation, whoever sends it.
    expect(await submitWire(database.db, lastKey)).toMatchObject({ status: "refused", code: "last_admin_key" });
    const [chenNow] = await database.db.select({ status: users.status }).from(users).where(eq(users.id, "usr_huaxin_1"));
    const [keyNow] = await database.db.select({ status: signingKeys.status }).from(signingKeys).where(eq(signingKeys.keyId, core.keyId));
    expect({ user: chenNow?.status, key: keyNow?.status }).toEqual({ user: "active", key: "active" });
  });
});

