import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { claims, keyRequests, ledgerEntries, ledgerOrganisations, signingKeys } from "@/db/schema";
import { buildSigned, identityFor, toWire, type SigningIdentity } from "@/contracts/client";
import { bytesToHex } from "@/contracts/hex";
import { signDigest } from "@/contracts/signing";
import { transactionDigest } from "@/contracts/transaction";
import { decodeSignedTransaction, type WireSignedTransaction } from "@/contracts/ledger/schema";
import { refusalText } from "@/contracts/ledger/refusals";
import type { OrganisationRole } from "@/contracts/ledger/types";
import { DomainError } from "@/server/errors";
import { seedDemo } from "@/server/seed/seed";
import { demoUserId } from "@/server/seed/demo-data";
import { demoIdentity } from "@/server/seed/ledger-seed";
import { confirmRequest, organisationKeys, requestRegistration, type KeyRequestDto } from "@/server/commands/keys";
import { loadActor } from "@/server/auth/accounts";
import { createTestDatabase } from "../helpers/db";
import { callerFor } from "../helpers/callers";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
});
afterAll(async () => database.close());

const HOUR_MS = 3_600_000;
const PEARL = { orgId: "org_pearl", orgName: "Pearl River Assembly Ltd.", role: "supplier" as OrganisationRole };
const nonce = () => randomBytes(16).toString("hex");
const newKey = (orgId: string) => identityFor(orgId, new Uint8Array(randomBytes(32)));

/** The key.register a browser signs for a new key (what app/_lib/keystore.ts signKeyRegistration builds). */
function registration(key: SigningIdentity & { publicKeyHex: string }, org = PEARL, createdAtMs = Date.now()): WireSignedTransaction {
  // Each organisation's first demo user (an admin) holds the key: the requests come from them.
  const body = { orgId: org.orgId, orgName: org.orgName, role: org.role, publicKeyHex: key.publicKeyHex, keyId: key.keyId, keyRole: "admin" as const, holderUserId: demoUserId(org.orgId) };
  return toWire(buildSigned(key, "key.register", body, { nonce: nonce(), createdAtMs }));
}

/** What an admin's browser sends to confirm a request: its key's signature over the registration's digest. */
function confirmation(request: KeyRequestDto, admin: SigningIdentity) {
  const decoded = decodeSignedTransaction(request.registration);
  if (!decoded.ok) throw new Error("the request holds a malformed registration");
  return { requestId: request.id, keyId: admin.keyId, signatureHex: bytesToHex(signDigest(admin.privateKey, transactionDigest(decoded.value.transaction))) };
}

/** "OK", or the tRPC code and the domain code of the refusal. */
async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "OK";
  } catch (error) {
    if (error instanceof TRPCError) return `${error.code} ${error.cause instanceof DomainError ? error.cause.code : "-"}`;
    if (error instanceof DomainError) return `${error.kind} ${error.code}`;
    throw error;
  }
}

async function actor(userId: string) {
  const loaded = await loadActor(database.db, userId);
  if (!loaded) throw new Error(`no actor ${userId}`);
  return loaded;
}

async function keyRow(keyId: string) {
  const [row] = await database.db.select().from(signingKeys).where(eq(signingKeys.keyId, keyId));
  return row;
}

describe("key registration: request, approval, use", () => {
  it("registers a further key once an admin of the organisation confirms it with an active key; the operator cannot approve it", async () => {
    const key = newKey("org_pearl");
    const tier1 = callerFor(database.db, "usr_pearl_1");
    const request = await tier1.keys.requestRegistration({ signed: registration(key) });
    expect(request).toMatchObject({ orgId: "org_pearl", keyId: key.keyId, status: "pending", txId: null, approver: "organisation", requestedBy: { email: "tier1@demo.doublechain.cn" } });
    expect(await keyRow(key.keyId)).toBeUndefined();

    const [stored] = await database.db.select().from(keyRequests).where(eq(keyRequests.keyId, key.keyId));
    expect((stored?.signedTransaction as WireSignedTransaction).cosignatures).toEqual([]);

    // Pearl River is on the ledger, so its key set is its own: not in the operator's queue, not the operator's to approve.
    const operator = callerFor(database.db, "usr_operator_1");
    expect((await operator.keys.pendingRequests()).map((r) => r.keyId)).not.toContain(key.keyId);
    expect(await outcome(operator.keys.decide({ requestId: request.id, decision: "approved" }))).toBe("CONFLICT organisation_confirms_its_keys");
    // Another organisation's admin cannot confirm it; a confirmation by a key of another organisation is refused by the ledger.
    expect(await outcome(callerFor(database.db, "usr_lingnan_1").keys.confirm(confirmation(request, demoIdentity("org_lingnan"))))).toBe("FORBIDDEN not_allowed");
    const foreign = await tier1.keys.confirm(confirmation(request, demoIdentity("org_lingnan")));
    expect(foreign).toMatchObject({ request: { status: "pending" }, ledger: { status: "refused", code: "organisation_approval_missing" } });

    const decision = await tier1.keys.confirm(confirmation(request, demoIdentity("org_pearl")));
    if (decision.ledger?.status !== "accepted") throw new Error(`confirmation not accepted: ${JSON.stringify(decision.ledger)}`);
    expect(decision.request).toMatchObject({ status: "approved", txId: decision.ledger.txId });
    expect(decision.ledger.events).toEqual([{ type: "key.registered", orgId: "org_pearl", keyId: key.keyId }]);
    expect(await keyRow(key.keyId)).toMatchObject({ orgId: "org_pearl", publicKeyHex: key.publicKeyHex, status: "active" });
    const [entry] = await database.db.select().from(ledgerEntries).where(eq(ledgerEntries.txId, decision.ledger.txId));
    const logged = JSON.parse(entry!.entryCanonical) as { signed: WireSignedTransaction };
    expect(logged.signed.cosignatures).toEqual([expect.objectContaining({ orgId: "org_pearl", keyId: demoIdentity("org_pearl").keyId })]);
    expect(await outcome(tier1.keys.confirm(confirmation(request, demoIdentity("org_pearl"))))).toBe("CONFLICT key_request_already_decided");

    const mine = await tier1.keys.myKeys();
    expect(mine.keys.map((k) => k.keyId)).toEqual(expect.arrayContaining([demoIdentity("org_pearl").keyId, key.keyId]));
    // Each key shows the person who holds it and its role, as the ledger says.
    expect(mine.keys.find((k) => k.keyId === key.keyId)).toMatchObject({ role: "admin", holder: { userId: "usr_pearl_1", name: "Li Na" } });
    expect(mine.requests.find((r) => r.keyId === key.keyId)?.status).toBe("approved");
    expect(await operator.keys.pendingRequests()).not.toContainEqual(expect.objectContaining({ keyId: key.keyId }));

    // The new key signs for Pearl River: accept the issuance waiting in its inbox.
    const [offer] = await database.db.select().from(claims).where(sql`${claims.offeredToOrgId} = 'org_pearl' and ${claims.state} = 'offered'`);
    const accept = toWire(buildSigned(key, "claim.accept", { claimId: offer!.id }, { nonce: nonce(), createdAtMs: Date.now() }));
    expect(await tier1.ledger.submit(accept)).toMatchObject({ status: "accepted" });
    expect((await database.db.select().from(claims).where(eq(claims.id, offer!.id)))[0]?.state).toBe("held");
  });

  it("registers the first key of a newly approved organisation, creating it on the ledger", async () => {
    const key = newKey("org_metalworks");
    const metalworks = { orgId: "org_metalworks", orgName: "Guangzhou Precision Metalworks", role: "supplier" as OrganisationRole };
    const pending = callerFor(database.db, "usr_metalworks_1");
    expect(await outcome(pending.keys.requestRegistration({ signed: registration(key, metalworks) }))).toBe("FORBIDDEN organisation_not_approved");
    await callerFor(database.db, "usr_operator_1").organisations.review({ orgId: "org_metalworks", decision: "approved" });
    const request = await pending.keys.requestRegistration({ signed: registration(key, metalworks) });
    expect(await outcome(pending.keys.confirm(confirmation(request, key)))).toBe("CONFLICT first_key_needs_operator");
    const decision = await callerFor(database.db, "usr_operator_1").keys.decide({ requestId: request.id, decision: "approved" });
    expect(decision.ledger).toMatchObject({ status: "accepted" });
    expect(decision.ledger?.status === "accepted" && decision.ledger.events).toEqual([
      { type: "organisation.registered", orgId: "org_metalworks", role: "supplier" },
      { type: "key.registered", orgId: "org_metalworks", keyId: key.keyId },
    ]);
    expect((await database.db.select().from(ledgerOrganisations).where(eq(ledgerOrganisations.id, "org_metalworks")))[0]?.name).toBe("Guangzhou Precision Metalworks");
    expect((await keyRow(key.keyId))?.status).toBe("active");
  });

  it("rejects: the request is closed and the key never reaches the ledger", async () => {
    const key = newKey("org_pearl");
    const request = await callerFor(database.db, "usr_pearl_1").keys.requestRegistration({ signed: registration(key) });
    const operator = callerFor(database.db, "usr_operator_1");
    const decision = await operator.keys.decide({ requestId: request.id, decision: "rejected" });
    expect(decision).toMatchObject({ request: { status: "rejected", txId: null }, ledger: null });
    expect(await keyRow(key.keyId)).toBeUndefined();
    expect(await outcome(operator.keys.decide({ requestId: request.id, decision: "approved" }))).toBe("CONFLICT key_request_already_decided");
    expect(await outcome(operator.keys.decide({ requestId: "kreq_missing", decision: "approved" }))).toBe("NOT_FOUND key_request_not_found");
  });
});

describe("key requests that are refused", () => {
  it("a forged request (signature by another key) is refused", async () => {
    const victim = newKey("org_pearl");
    const forger = newKey("org_pearl");
    const honest = registration(victim);
    const digest = transactionDigest(buildSigned(victim, "key.register", honest.transaction.body as never, { nonce: honest.transaction.nonce, createdAtMs: honest.transaction.createdAtMs }).transaction);
    const forged = { ...honest, signatureHex: bytesToHex(signDigest(forger.privateKey, digest)) };
    const tier1 = callerFor(database.db, "usr_pearl_1");
    expect(await outcome(tier1.keys.requestRegistration({ signed: forged }))).toBe("BAD_REQUEST signature_invalid");

    // Signed honestly, but by another key than the one it registers.
    const body = { ...PEARL, publicKeyHex: victim.publicKeyHex, keyId: victim.keyId, keyRole: "admin" as const, holderUserId: "usr_pearl_1" };
    const otherSigner = toWire(buildSigned(forger, "key.register", body, { nonce: nonce(), createdAtMs: Date.now() }));
    expect(await outcome(tier1.keys.requestRegistration({ signed: otherSigner }))).toBe("BAD_REQUEST registration_not_self_signed");
    expect(await database.db.select().from(keyRequests).where(eq(keyRequests.keyId, victim.keyId))).toEqual([]);
  });

  it("a supplier cannot request a key for another organisation, nor can a viewer for its own", async () => {
    const key = newKey("org_lingnan");
    const lingnan = { orgId: "org_lingnan", orgName: "Lingnan PCB Manufacturing Co.", role: "supplier" as OrganisationRole };
    expect(await outcome(callerFor(database.db, "usr_pearl_1").keys.requestRegistration({ signed: registration(key, lingnan) }))).toBe("FORBIDDEN not_allowed");
    const core = newKey("org_huaxin");
    const huaxin = { orgId: "org_huaxin", orgName: "Huaxin Electronics Co., Ltd.", role: "core_enterprise" as OrganisationRole };
    expect(await outcome(callerFor(database.db, "usr_huaxin_2").keys.requestRegistration({ signed: registration(core, huaxin) }))).toBe("FORBIDDEN not_allowed");
    expect(await outcome(callerFor(database.db, null).keys.requestRegistration({ signed: registration(key, lingnan) }))).toBe("UNAUTHORIZED not_signed_in");
  });

  it("a person requests a key only for himself, with the role his permission gives", async () => {
    const key = newKey("org_pearl");
    const sign = (keyRole: "maker" | "approver" | "admin", holderUserId: string) =>
      toWire(buildSigned(key, "key.register", { ...PEARL, publicKeyHex: key.publicKeyHex, keyId: key.keyId, keyRole, holderUserId }, { nonce: nonce(), createdAtMs: Date.now() }));
    const tier1 = callerFor(database.db, "usr_pearl_1");
    // A key for someone else: the ledger would name another person as its holder.
    expect(await outcome(tier1.keys.requestRegistration({ signed: sign("admin", "usr_pearl_2") }))).toBe("FORBIDDEN not_allowed");
    // An admin's key request names the admin role, not a lesser or another one.
    expect(await outcome(tier1.keys.requestRegistration({ signed: sign("maker", "usr_pearl_1") }))).toBe("FORBIDDEN not_allowed");
    expect(await outcome(tier1.keys.requestRegistration({ signed: sign("admin", "usr_pearl_1") }))).toBe("OK");
  });

  it("another organisation cannot see the queue or approve", async () => {
    const key = newKey("org_pearl");
    const request = await callerFor(database.db, "usr_pearl_1").keys.requestRegistration({ signed: registration(key) });
    for (const userId of ["usr_pearl_1", "usr_huaxin_1", "usr_cmtb_1", "usr_zhengxin_1"]) {
      const caller = callerFor(database.db, userId);
      expect(await outcome(caller.keys.decide({ requestId: request.id, decision: "approved" }))).toBe("FORBIDDEN not_allowed");
      expect(await outcome(caller.keys.pendingRequests())).toBe("FORBIDDEN not_allowed");
    }
    expect(await keyRow(key.keyId)).toBeUndefined();
    await callerFor(database.db, "usr_operator_1").keys.decide({ requestId: request.id, decision: "rejected" });
  });

  it("a key id is requested once; a key already on the ledger is not requested at all", async () => {
    const key = newKey("org_pearl");
    const tier1 = callerFor(database.db, "usr_pearl_1");
    const first = await tier1.keys.requestRegistration({ signed: registration(key) });
    expect(await outcome(tier1.keys.requestRegistration({ signed: registration(key) }))).toBe("CONFLICT key_already_requested");
    expect(await outcome(tier1.keys.requestRegistration({ signed: registration(demoIdentity("org_pearl")) }))).toBe("CONFLICT key_already_registered");
    await callerFor(database.db, "usr_operator_1").keys.decide({ requestId: first.id, decision: "rejected" });
    expect(await outcome(tier1.keys.requestRegistration({ signed: registration(key) }))).toBe("CONFLICT key_already_requested");
  });

  it("the registration must name the organisation as registered and this network, without cosignatures, with a sane clock", async () => {
    const key = newKey("org_pearl");
    const tier1 = callerFor(database.db, "usr_pearl_1");
    expect(await outcome(tier1.keys.requestRegistration({ signed: registration(key, { ...PEARL, orgName: "Pearl River Holdings" }) }))).toBe("BAD_REQUEST registration_organisation_mismatch");
    expect(await outcome(tier1.keys.requestRegistration({ signed: registration(key, { ...PEARL, role: "lender" }) }))).toBe("BAD_REQUEST registration_organisation_mismatch");
    expect(await outcome(tier1.keys.requestRegistration({ signed: registration(key, PEARL, Date.now() - 25 * HOUR_MS) }))).toBe("BAD_REQUEST created_at_out_of_range");
    const otherNetwork = toWire(buildSigned(key, "key.register", { ...PEARL, publicKeyHex: key.publicKeyHex, keyId: key.keyId, keyRole: "admin" as const, holderUserId: "usr_pearl_1" }, { networkId: "another-network", nonce: nonce(), createdAtMs: Date.now() }));
    expect(await outcome(tier1.keys.requestRegistration({ signed: otherNetwork }))).toBe("BAD_REQUEST network_id_mismatch");
    const cosigned = toWire(buildSigned(key, "key.register", { ...PEARL, publicKeyHex: key.publicKeyHex, keyId: key.keyId, keyRole: "admin" as const, holderUserId: "usr_pearl_1" }, { nonce: nonce(), createdAtMs: Date.now(), cosigners: [demoIdentity("org_pearl")] }));
    expect(await outcome(tier1.keys.requestRegistration({ signed: cosigned }))).toBe("BAD_REQUEST unexpected_cosignature");
    const notRegistration = toWire(buildSigned(key, "claim.accept", { claimId: `c_${"0".repeat(24)}` }, { nonce: nonce(), createdAtMs: Date.now() }));
    expect(await outcome(tier1.keys.requestRegistration({ signed: notRegistration }))).toBe("BAD_REQUEST not_a_key_registration");
    expect(await outcome(tier1.keys.requestRegistration({ signed: { transaction: { type: "key.register" } } as never }))).toBe("BAD_REQUEST -");
  });

  it("confirming a request signed more than 24 hours ago surfaces the contract's code; the owner renews it", async () => {
    const signedAtMs = Date.now();
    let nowMs = signedAtMs;
    const clock = () => nowMs;
    const key = newKey("org_pearl");
    const tier1 = await actor("usr_pearl_1");
    const request = await requestRegistration(database.db, tier1, registration(key, PEARL, signedAtMs), { clock });
    nowMs = signedAtMs + 25 * HOUR_MS;
    expect((await organisationKeys(database.db, tier1, { clock })).requests.find((r) => r.id === request.id)?.expired).toBe(true);
    const refused = await confirmRequest(database.db, tier1, confirmation(request, demoIdentity("org_pearl")), { clock });
    expect(refused).toMatchObject({ request: { id: request.id, status: "pending" }, ledger: { status: "refused", code: "created_at_out_of_range", text: refusalText("created_at_out_of_range") } });
    const [stillPending] = await database.db.select().from(keyRequests).where(eq(keyRequests.id, request.id));
    expect(stillPending).toMatchObject({ status: "pending", txId: null, decidedAt: null });
    expect(await keyRow(key.keyId)).toBeUndefined();

    const renewed = await requestRegistration(database.db, tier1, registration(key, PEARL, nowMs), { clock });
    expect(renewed).toMatchObject({ id: request.id, signedAtMs: nowMs, status: "pending" });
    const decision = await confirmRequest(database.db, tier1, confirmation(renewed, demoIdentity("org_pearl")), { clock });
    expect(decision.request.status).toBe("approved");
    expect((await keyRow(key.keyId))?.registeredAtMs).toBeGreaterThanOrEqual(nowMs);
  });

  it("limits the pending requests of one organisation", async () => {
    const tier2 = callerFor(database.db, "usr_lingnan_1");
    const lingnan = { orgId: "org_lingnan", orgName: "Lingnan PCB Manufacturing Co.", role: "supplier" as OrganisationRole };
    for (let i = 0; i < 5; i++) await tier2.keys.requestRegistration({ signed: registration(newKey("org_lingnan"), lingnan) });
    expect(await outcome(tier2.keys.requestRegistration({ signed: registration(newKey("org_lingnan"), lingnan) }))).toBe("CONFLICT too_many_pending_requests");
  });
});
