/**
 * Passkeys on the server, against a real database: a passkey registered as a ledger signing key
 * through the key requests and signing a transaction through the ledger service; and signing
 * in with a passkey (server/auth/passkeys.ts) with the real @simplewebauthn/server checks. The
 * authenticator is a software one (scripts/software-passkey.ts keys, CBOR written here) so
 * every answer can be made right or wrong on purpose. The contracts' side is
 * test/unit/passkeys.test.ts and the assertion vectors.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { p256 } from "@noble/curves/nist.js";
import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { passkeyCredentials, users, webauthnChallenges } from "@/db/schema";
import { sha256Bytes } from "@/contracts/canonical";
import { concatBytes, utf8ToBytes } from "@/contracts/hex";
import { loadActor } from "@/server/auth/accounts";
import { authenticatePasskey, passkeyRegistrationOptions, passkeySignInOptions, registerPasskey } from "@/server/auth/passkeys";
import type { Actor } from "@/server/actor";
import { seedDemo } from "@/server/seed/seed";
import { signWithPasskey, softwarePasskey } from "@/scripts/software-passkey";
import { claims, signingKeys } from "@/db/schema";
import { bytesToHex } from "@/contracts/hex";
import { decodeSignedTransaction, DEMO_NETWORK_ID, encodeSignedTransaction } from "@/contracts/ledger/schema";
import { signDigest } from "@/contracts/signing";
import { transactionDigest, type TransactionEnvelope } from "@/contracts/transaction";
import { demoIdentity } from "@/server/seed/ledger-seed";
import { keyRoleFor } from "@/server/authz";
import { createTestDatabase } from "../helpers/db";
import { callerFor, codeOf, contextFor, runtimeFor } from "../helpers/callers";
import { MemoryLimiter, PASSKEY_SIGN_IN_CHALLENGES } from "@/server/auth/rate-limit";
import { createCallerFactory } from "@/server/trpc/init";
import { appRouter } from "@/server/trpc/root";

// The deployment's passkey site, read once by server/env.ts.
process.env.WEBAUTHN_RP_ID = "bank.example";
process.env.WEBAUTHN_ORIGINS = "https://bank.example";
const ORIGIN = "https://bank.example";
const NOW_MS = Date.UTC(2026, 0, 5, 9, 0, 0);

let database: Database;
let actor: Actor;
/** The service's budget in the tests that are not about it. */
const generousLimiter = new MemoryLimiter(1000, 60_000);
beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
  const [user] = await database.db.select({ id: users.id }).from(users).where(eq(users.email, "tier1@demo.doublechain.cn"));
  actor = (await loadActor(database.db, user!.id))!;
});
afterAll(async () => database.close());

// ---- a minimal CBOR writer (RFC 8949): what an authenticator's attestation object needs ----
function head(major: number, value: number): Uint8Array {
  if (value < 24) return Uint8Array.of((major << 5) | value);
  if (value < 256) return Uint8Array.of((major << 5) | 24, value);
  return Uint8Array.of((major << 5) | 25, value >> 8, value & 0xff);
}
type Cbor = number | string | Uint8Array | Map<Cbor, Cbor>;
function cbor(value: Cbor): Uint8Array {
  if (typeof value === "number") return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === "string") return concatBytes(head(3, utf8ToBytes(value).length), utf8ToBytes(value));
  if (value instanceof Uint8Array) return concatBytes(head(2, value.length), value);
  return concatBytes(head(5, value.size), ...[...value].flatMap(([key, item]) => [cbor(key), cbor(item)]));
}

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
const passkey = softwarePasskey("sign-in", "bank.example", [ORIGIN]);
const credentialId = sha256Bytes(utf8ToBytes("credential sign-in")).subarray(0, 16);
const FLAGS_UP_UV = 0x05;

function clientData(type: string, challenge: string, origin = ORIGIN): Uint8Array {
  return utf8ToBytes(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
}

/** A "none" attestation of `passkey` for `challenge`, as a browser returns it. */
function registrationAnswer(challenge: string) {
  const point = p256.Point.fromBytes(p256.getPublicKey(passkey.privateKey, false));
  const coseKey = cbor(new Map<Cbor, Cbor>([[1, 2], [3, -7], [-1, 1], [-2, p256.Point.Fn.toBytes(point.x)], [-3, p256.Point.Fn.toBytes(point.y)]]));
  const authData = concatBytes(sha256Bytes(utf8ToBytes("bank.example")), Uint8Array.of(0x45), new Uint8Array(4), new Uint8Array(16), Uint8Array.of(0, credentialId.length), credentialId, coseKey);
  const attestationObject = cbor(new Map<Cbor, Cbor>([["fmt", "none"], ["attStmt", new Map()], ["authData", authData]]));
  return {
    id: b64url(credentialId),
    rawId: b64url(credentialId),
    type: "public-key" as const,
    response: { clientDataJSON: b64url(clientData("webauthn.create", challenge)), attestationObject: b64url(attestationObject), transports: ["internal" as const] },
    clientExtensionResults: {},
  };
}

/** An assertion by `passkey` for `challenge`; `counter` and `origin` can be set wrong. */
function signInAnswer(challenge: string, { counter = 1, origin = ORIGIN, flags = FLAGS_UP_UV } = {}) {
  const counterBytes = new Uint8Array(4);
  new DataView(counterBytes.buffer).setUint32(0, counter);
  const authenticatorData = concatBytes(sha256Bytes(utf8ToBytes("bank.example")), Uint8Array.of(flags), counterBytes);
  const data = clientData("webauthn.get", challenge, origin);
  const signature = p256.Signature.fromBytes(p256.sign(concatBytes(authenticatorData, sha256Bytes(data)), passkey.privateKey, { prehash: true }), "compact");
  return {
    id: b64url(credentialId),
    rawId: b64url(credentialId),
    type: "public-key" as const,
    response: { clientDataJSON: b64url(data), authenticatorData: b64url(authenticatorData), signature: b64url(signature.toBytes("der")), userHandle: b64url(utf8ToBytes(actor.userId)) },
    clientExtensionResults: {},
  };
}

describe("signing in with a passkey", () => {
  beforeAll(async () => {
    const options = await passkeyRegistrationOptions(database.db, actor, NOW_MS);
    expect(options.pubKeyCredParams).toEqual([{ type: "public-key", alg: -7 }]);
    expect(options.authenticatorSelection?.userVerification).toBe("required");
    await registerPasskey(database.db, actor, registrationAnswer(options.challenge), NOW_MS);
  });

  it("keeps the registered passkey for its user", async () => {
    const rows = await database.db.select().from(passkeyCredentials).where(eq(passkeyCredentials.userId, actor.userId));
    expect(rows.map((row) => row.credentialId)).toEqual([b64url(credentialId)]);
  });

  it("signs the user in once per challenge: the same answer again is refused", async () => {
    const { challenge } = await passkeySignInOptions(database.db, generousLimiter, "198.51.100.1", NOW_MS);
    const answer = signInAnswer(challenge, { counter: 5 });
    expect(await authenticatePasskey(database.db, answer, NOW_MS + 1000)).toEqual({ userId: actor.userId, email: actor.email });
    expect(await authenticatePasskey(database.db, answer, NOW_MS + 2000)).toBeNull();
  });

  it("refuses a challenge the server never handed out, and one past its five minutes", async () => {
    expect(await authenticatePasskey(database.db, signInAnswer(b64url(new Uint8Array(32).fill(7)), { counter: 6 }), NOW_MS)).toBeNull();
    const { challenge } = await passkeySignInOptions(database.db, generousLimiter, "198.51.100.1", NOW_MS);
    expect(await authenticatePasskey(database.db, signInAnswer(challenge, { counter: 6 }), NOW_MS + 5 * 60_000 + 1)).toBeNull();
  });

  it("refuses an answer from another origin, and one without user verification, and leaves their challenges used", async () => {
    const first = await passkeySignInOptions(database.db, generousLimiter, "198.51.100.1", NOW_MS);
    expect(await authenticatePasskey(database.db, signInAnswer(first.challenge, { counter: 7, origin: "https://evil.example" }), NOW_MS)).toBeNull();
    const second = await passkeySignInOptions(database.db, generousLimiter, "198.51.100.1", NOW_MS);
    expect(await authenticatePasskey(database.db, signInAnswer(second.challenge, { counter: 8, flags: 0x01 }), NOW_MS)).toBeNull();
    const left = await database.db.select().from(webauthnChallenges).where(eq(webauthnChallenges.challenge, second.challenge));
    expect(left).toHaveLength(0);
  });

  it("refuses a registration answer whose challenge was already used", async () => {
    const options = await passkeyRegistrationOptions(database.db, actor, NOW_MS);
    const answer = registrationAnswer(options.challenge);
    await database.db.delete(passkeyCredentials).where(eq(passkeyCredentials.userId, actor.userId));
    await registerPasskey(database.db, actor, answer, NOW_MS);
    await expect(registerPasskey(database.db, actor, answer, NOW_MS)).rejects.toMatchObject({ code: "passkey_challenge_unknown" });
  });
});

describe("a passkey as a ledger signing key, through the server", () => {
  const signingPasskey = softwarePasskey("tier1 signing", "bank.example", [ORIGIN]);
  const envelope = <T extends string, B>(type: T, body: B): TransactionEnvelope<T, B> => ({
    type,
    networkId: DEMO_NETWORK_ID,
    body,
    signer: { orgId: "org_pearl", keyId: signingPasskey.keyId },
    nonce: bytesToHex(sha256Bytes(utf8ToBytes(`${type} ${Math.random()}`)).subarray(0, 16)),
    createdAtMs: Date.now(),
  });
  const registrationBody = (parameters = signingPasskey.parameters) => ({ orgId: "org_pearl", orgName: "Pearl River Assembly Ltd.", role: "supplier" as const, publicKeyHex: signingPasskey.publicKeyHex, keyId: signingPasskey.keyId, keyRole: keyRoleFor(actor.permission)!, holderUserId: actor.userId, webauthn: parameters });

  it("refuses a passkey made for another site", async () => {
    const tier1 = callerFor(database.db, actor.userId);
    const foreign = encodeSignedTransaction(signWithPasskey(envelope("key.register", registrationBody({ algorithm: "ES256", rpId: "evil.example", origins: ["https://evil.example"] })), { ...signingPasskey, parameters: { algorithm: "ES256", rpId: "evil.example", origins: ["https://evil.example"] } }));
    await expect(tier1.keys.requestRegistration({ signed: foreign })).rejects.toMatchObject({ cause: { code: "passkey_wrong_site" } });
  });

  it("registers it once an admin confirms it, keeps its parameters, and accepts its signature on a claim acceptance", async () => {
    const tier1 = callerFor(database.db, actor.userId);
    const request = await tier1.keys.requestRegistration({ signed: encodeSignedTransaction(signWithPasskey(envelope("key.register", registrationBody()), signingPasskey)) });
    expect(request).toMatchObject({ status: "pending", approver: "organisation", publicKeyHex: signingPasskey.publicKeyHex });
    const decoded = decodeSignedTransaction(request.registration);
    if (!decoded.ok) throw new Error("stored registration does not decode");
    expect(decoded.value.assertion).toBeDefined();
    const admin = demoIdentity("org_pearl");
    const decision = await tier1.keys.confirm({ requestId: request.id, keyId: admin.keyId, signatureHex: bytesToHex(signDigest(admin.privateKey, transactionDigest(decoded.value.transaction))) });
    expect(decision.ledger).toMatchObject({ status: "accepted" });
    const [row] = await database.db.select().from(signingKeys).where(eq(signingKeys.keyId, signingPasskey.keyId));
    expect(row).toMatchObject({ status: "active", publicKeyHex: signingPasskey.publicKeyHex, webauthn: signingPasskey.parameters });

    const [offer] = await database.db.select().from(claims).where(eq(claims.offeredToOrgId, "org_pearl"));
    const accept = signWithPasskey(envelope("claim.accept", { claimId: offer!.id }), signingPasskey);
    const tampered = { ...accept, assertion: { ...accept.assertion!, authenticatorDataHex: `${accept.assertion!.authenticatorDataHex.slice(0, -2)}09` } };
    expect(await tier1.ledger.submit(encodeSignedTransaction(tampered))).toMatchObject({ status: "refused", code: "signature_invalid" });
    expect(await tier1.ledger.submit(encodeSignedTransaction(accept))).toMatchObject({ status: "accepted" });
    expect((await database.db.select().from(claims).where(eq(claims.id, offer!.id)))[0]?.state).toBe("held");
  });
});

describe("the public sign-in challenge has a budget per client address", () => {
  const callerFrom = (clientAddress: string) => createCallerFactory(appRouter)({ ...contextFor(database.db, null), clientAddress });

  it(`hands out ${PASSKEY_SIGN_IN_CHALLENGES.limit} challenges a minute to one address, then TOO_MANY_REQUESTS, writing no challenge; another address still gets one`, async () => {
    await runtimeFor(database.db).limits.passkeySignIn.clear();
    const caller = callerFrom("203.0.113.7");
    for (let i = 0; i < PASSKEY_SIGN_IN_CHALLENGES.limit; i++) await caller.auth.passkeySignInOptions();
    const before = await database.db.select().from(webauthnChallenges);
    expect(await codeOf(caller.auth.passkeySignInOptions())).toBe("TOO_MANY_REQUESTS");
    expect(await database.db.select().from(webauthnChallenges)).toHaveLength(before.length);
    expect(await codeOf(callerFrom("203.0.113.8").auth.passkeySignInOptions())).toBe("OK");
  });
});

describe("the person's own sign-in passkeys (settings page)", () => {
  const own = () => callerFor(database.db, actor.userId);
  const id = b64url(credentialId);
  // Huaxin's admin: another person, of another organisation (the actor is Pearl River's admin).
  const OTHER_PERSON = "usr_huaxin_1";

  it("lists the person's passkey with when it was made and last used, unnamed until named, and nobody else's", async () => {
    const [listed, ...rest] = await own().auth.myPasskeys();
    expect(rest).toEqual([]);
    expect(listed).toMatchObject({ credentialId: id, name: null, createdAtMs: NOW_MS });
    expect(await callerFor(database.db, OTHER_PERSON).auth.myPasskeys()).toEqual([]);
  });

  it("renames it (trimmed); another person's rename of it is NOT_FOUND and changes nothing; an empty name is BAD_REQUEST", async () => {
    expect(await own().auth.renamePasskey({ credentialId: id, name: "  Work laptop " })).toMatchObject({ name: "Work laptop" });
    expect(await codeOf(callerFor(database.db, OTHER_PERSON).auth.renamePasskey({ credentialId: id, name: "Mine now" }))).toBe("NOT_FOUND");
    expect(await codeOf(own().auth.renamePasskey({ credentialId: id, name: "   " }))).toBe("BAD_REQUEST");
    expect((await own().auth.myPasskeys()).map((row) => row.name)).toEqual(["Work laptop"]);
  });

  it("removes it: another person cannot, its owner can, and it no longer signs him in", async () => {
    expect(await codeOf(callerFor(database.db, OTHER_PERSON).auth.removePasskey({ credentialId: id }))).toBe("NOT_FOUND");
    expect(await own().auth.myPasskeys()).toHaveLength(1);
    expect(await own().auth.removePasskey({ credentialId: id })).toEqual({ removed: true });
    expect(await own().auth.myPasskeys()).toEqual([]);
    const { challenge } = await passkeySignInOptions(database.db, generousLimiter, "198.51.100.1", NOW_MS);
    expect(await authenticatePasskey(database.db, signInAnswer(challenge, { counter: 50 }), NOW_MS)).toBeNull();
    expect(await codeOf(own().auth.removePasskey({ credentialId: id }))).toBe("NOT_FOUND");
  });
});

