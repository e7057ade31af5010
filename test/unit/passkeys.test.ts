/**
 * Passkeys as ledger signing keys (contracts/webauthn.ts, checkKeySignature in transaction.ts):
 * registered with their rpId and origins, signing and cosigning transactions with WebAuthn
 * assertions over the transaction id, refused when the assertion or its scheme is wrong, and
 * committed with their parameters in the organisation's state leaf. The assertion checks one
 * by one are the golden vectors (webauthn-vectors.ts); these are the ledger around them.
 */
import { describe, expect, it } from "vitest";
import { canonicalJson } from "@/contracts/canonical";
import { applyTransaction } from "@/contracts/ledger/apply";
import { decodeSignedTransaction, encodeSignedTransaction } from "@/contracts/ledger/schema";
import type { SignedLedgerTransaction, TransactionBodies, TransactionType } from "@/contracts/ledger/types";
import { nobleVerifier } from "@/contracts/signing";
import { orgStateLeaf } from "@/contracts/state-leaves";
import { cosignTransaction, transactionId, type SignedTransaction } from "@/contracts/transaction";
import { DEMO_NETWORK_ID } from "@/contracts/ledger/schema";
import { FLAG_UP, signWithPasskey, softwarePasskey, type AssertionOptions, type SoftwarePasskey } from "@/scripts/software-passkey";
import { ACTORS, keyPair, standardWorld, type Actor, type LedgerDriver } from "./ledger-fixtures";

const RP_ID = "double-chain.example";
const ORIGIN = "https://app.double-chain.example";
const passkey = softwarePasskey("s1 passkey", RP_ID, [ORIGIN]);
const s1 = ACTORS.s1;

/** `who` signs `body` with `key`'s passkey: the envelope names the passkey as signer. */
function passkeySigned<K extends TransactionType>(driver: LedgerDriver, who: Actor, type: K, body: TransactionBodies[K], key: SoftwarePasskey = passkey, options: AssertionOptions = {}): SignedLedgerTransaction<K> {
  const envelope = driver.sign(who, type, body).transaction;
  const transaction = { ...envelope, signer: { orgId: who.orgId, keyId: key.keyId } };
  return signWithPasskey(transaction, key, options) as SignedLedgerTransaction<K>;
}

/** s1's passkey registration: self-signed by the passkey, approved by s1's Ed25519 key. */
function passkeyRegistration(driver: LedgerDriver, key: SoftwarePasskey = passkey, options: AssertionOptions = {}): SignedLedgerTransaction<"key.register"> {
  const body = { orgId: s1.orgId, orgName: `Org ${s1.name}`, role: s1.role, publicKeyHex: key.publicKeyHex, keyId: key.keyId, keyRole: "admin" as const, holderUserId: "usr_s1_passkey", webauthn: key.parameters };
  const signed = passkeySigned(driver, s1, "key.register", body, key, options);
  return cosignTransaction(signed, s1.orgId, s1.keyId, s1.privateKey);
}

function worldWithPasskey(): { driver: LedgerDriver; lineId: string } {
  const world = standardWorld();
  const result = world.driver.submit(passkeyRegistration(world.driver));
  if (!result.ok) throw new Error(`passkey registration refused: ${result.code} ${result.detail ?? ""}`);
  return world;
}

function codeOf(driver: LedgerDriver, signed: SignedTransaction): string {
  const result = driver.attempt(signed);
  return result.ok ? "ok" : result.code;
}

describe("registering a passkey", () => {
  it("puts the key on the ledger with its rpId and origins", () => {
    const { driver } = worldWithPasskey();
    expect(driver.state.getKey(passkey.keyId)).toMatchObject({ orgId: s1.orgId, publicKeyHex: passkey.publicKeyHex, status: "active", webauthn: passkey.parameters });
  });

  it("commits the parameters in the organisation's leaf, and leaves Ed25519 keys as they were", () => {
    const { driver } = worldWithPasskey();
    const leaf = orgStateLeaf(driver.state.getOrg(s1.orgId)!, [...driver.state.keys.values()]);
    expect(leaf.activeKeys).toContainEqual({ keyId: passkey.keyId, publicKeyHex: passkey.publicKeyHex, role: "admin", holderUserId: "usr_s1_passkey", webauthn: passkey.parameters });
    expect(leaf.activeKeys).toContainEqual({ keyId: s1.keyId, publicKeyHex: s1.publicKeyHex, role: driver.state.getKey(s1.keyId)!.role, holderUserId: driver.state.getKey(s1.keyId)!.holderUserId });
  });

  it.each([
    ["the user not verified", { flags: FLAG_UP }, "signature_invalid"],
    ["an origin the key does not allow", { origin: "https://evil.example" }, "signature_invalid"],
    ["an rpId the key was not made for", { rpId: "evil.example" }, "signature_invalid"],
  ] as const)("refuses a registration asserted with %s", (_, options, code) => {
    const { driver } = standardWorld();
    expect(codeOf(driver, passkeyRegistration(driver, passkey, options))).toBe(code);
  });

  it("refuses an Ed25519 key that claims WebAuthn parameters", () => {
    const { driver } = standardWorld();
    const key = keyPair("s1 second");
    const body = { orgId: s1.orgId, orgName: `Org ${s1.name}`, role: s1.role, publicKeyHex: key.publicKeyHex, keyId: key.keyId, keyRole: "admin" as const, holderUserId: "usr_s1_second", webauthn: passkey.parameters };
    const signed = driver.sign(s1, "key.register", body, { key, cosigners: [{ orgId: s1.orgId, key: s1 }] });
    expect(codeOf(driver, signed)).toBe("public_key_invalid");
  });

  it("refuses origins off the rpId's host as malformed", () => {
    const { driver } = standardWorld();
    const stray = softwarePasskey("s1 stray", RP_ID, ["https://evil.example"]);
    expect(codeOf(driver, passkeyRegistration(driver, stray))).toBe("malformed_transaction");
  });
});

describe("signing with a passkey", () => {
  it("accepts a claim acceptance asserted over its transaction id", () => {
    const { driver, lineId } = worldWithPasskey();
    const claimId = driver.issue(ACTORS.core, lineId, s1, 1_000_00n);
    const result = driver.submit(passkeySigned(driver, s1, "claim.accept", { claimId }));
    expect(result.ok).toBe(true);
    expect(driver.state.getClaim(claimId)?.state).toBe("held");
  });

  it.each([
    ["another transaction's challenge", { challenge: "AAAA" }],
    ["a webauthn.create ceremony", { type: "webauthn.create" }],
    ["the user not verified", { flags: FLAG_UP }],
    ["the high s", { highS: true }],
  ] as const)("refuses an assertion with %s as signature_invalid, naming the assertion check", (_, options) => {
    const { driver, lineId } = worldWithPasskey();
    const claimId = driver.issue(ACTORS.core, lineId, s1, 1_000_00n);
    const result = driver.attempt(passkeySigned(driver, s1, "claim.accept", { claimId }, passkey, options));
    expect(result.ok ? "ok" : result.code).toBe("signature_invalid");
    expect(result.ok ? "" : result.detail).toMatch(/^assertion_/);
  });

  it("refuses a passkey's transaction carrying a bare signature, and an Ed25519 key's carrying an assertion", () => {
    const { driver, lineId } = worldWithPasskey();
    const claimId = driver.issue(ACTORS.core, lineId, s1, 1_000_00n);
    const byPasskey = passkeySigned(driver, s1, "claim.accept", { claimId });
    const bare = { ...byPasskey, assertion: undefined };
    expect(codeOf(driver, bare)).toBe("signature_invalid");
    const byEd25519 = driver.sign(s1, "claim.accept", { claimId });
    expect(codeOf(driver, { ...byEd25519, assertion: byPasskey.assertion })).toBe("signature_invalid");
  });

  it("cosigns with a passkey: s1's passkey approves a further key of s1", () => {
    const { driver } = worldWithPasskey();
    const key = keyPair("s1 third");
    const body = { orgId: s1.orgId, orgName: `Org ${s1.name}`, role: s1.role, publicKeyHex: key.publicKeyHex, keyId: key.keyId, keyRole: "maker" as const, holderUserId: "usr_s1_third" };
    const signed = driver.sign(s1, "key.register", body, { key });
    const byPasskey = signWithPasskey(signed.transaction, passkey);
    const cosigned = { ...signed, cosignatures: [{ orgId: s1.orgId, keyId: passkey.keyId, signatureHex: byPasskey.signatureHex, assertion: byPasskey.assertion! }] };
    expect(codeOf(driver, cosigned)).toBe("ok");
    const tampered = { ...cosigned, cosignatures: [{ ...cosigned.cosignatures[0]!, assertion: { ...byPasskey.assertion!, authenticatorDataHex: `${byPasskey.assertion!.authenticatorDataHex.slice(0, -2)}02` } }] };
    expect(codeOf(driver, tampered)).toBe("organisation_approval_invalid");
  });
});

describe("the wire form", () => {
  it("carries the assertion through encode and decode, and keeps Ed25519 entries without the field", () => {
    const { driver, lineId } = worldWithPasskey();
    const claimId = driver.issue(ACTORS.core, lineId, s1, 1_000_00n);
    const byPasskey = passkeySigned(driver, s1, "claim.accept", { claimId });
    const decoded = decodeSignedTransaction(JSON.parse(JSON.stringify(encodeSignedTransaction(byPasskey))));
    expect(decoded.ok && decoded.value.assertion).toEqual(byPasskey.assertion);
    const byEd25519 = driver.sign(s1, "claim.accept", { claimId });
    expect(Object.keys(encodeSignedTransaction(byEd25519)).sort()).toEqual(["cosignatures", "signatureHex", "transaction"]);
    expect(canonicalJson(encodeSignedTransaction(byEd25519))).not.toContain("assertion");
  });

  it("verifies on a replay from the decoded wire form, as the browser and the CLI replay", () => {
    const { driver, lineId } = worldWithPasskey();
    const claimId = driver.issue(ACTORS.core, lineId, s1, 1_000_00n);
    const byPasskey = passkeySigned(driver, s1, "claim.accept", { claimId });
    const decoded = decodeSignedTransaction(JSON.parse(JSON.stringify(encodeSignedTransaction(byPasskey))));
    if (!decoded.ok) throw new Error("did not decode");
    const result = applyTransaction(driver.state, decoded.value, { nowMs: driver.nowMs, txId: transactionId(decoded.value.transaction), verifier: nobleVerifier, networkId: DEMO_NETWORK_ID });
    expect(result.ok).toBe(true);
  });
});
