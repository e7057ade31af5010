/**
 * Writes test/vectors/webauthn-assertions.json: `npx tsx scripts/gen-webauthn-vectors.ts`.
 *
 * One valid passkey assertion over a transaction id and deliberate corruptions of it. Output
 * is deterministic (a fixed P-256 key; ECDSA signs deterministically, RFC 6979), so rerunning
 * it must leave `git diff` empty. As in scripts/gen-vectors.ts, the expected code of each
 * corruption is decided here from how it was built, never by running the verifier: the
 * semantic corruptions (another challenge, origin, rpId, cleared flags) are properly signed
 * by the passkey, so only the check they target can refuse them; the tampered bytes are not
 * re-signed, so only the signature check can.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { p256 } from "@noble/curves/nist.js";
import { sha256Bytes } from "../contracts/canonical";
import { bytesToHex, utf8ToBytes } from "../contracts/hex";
import { webauthnChallengeFor, type AssertionCheckCode } from "../contracts/webauthn";
import { FLAG_UP, FLAG_UV, softwareAssertion, softwarePasskey, type AssertionOptions } from "./software-passkey";

const OUTPUT = path.resolve(import.meta.dirname, "..", "test", "vectors", "webauthn-assertions.json");

const RP_ID = "bank.example";
const ORIGIN = "https://bank.example";
const PASSKEY = softwarePasskey("vector", RP_ID, [ORIGIN]);
const OTHER_PASSKEY = softwarePasskey("vector other", RP_ID, [ORIGIN]);
/** The id of a transaction the passkey signs (its 32 bytes are the challenge). */
const DIGEST = sha256Bytes(utf8ToBytes("double-chain webauthn vector transaction"));
const OTHER_DIGEST = sha256Bytes(utf8ToBytes("double-chain webauthn vector: another transaction"));

interface Case {
  name: string;
  publicKeyHex: string;
  authenticatorDataHex: string;
  clientDataJSONHex: string;
  signatureHex: string;
  expectedCode: AssertionCheckCode | null;
}

function signed(name: string, options: AssertionOptions, expectedCode: AssertionCheckCode | null, passkey = PASSKEY): Case {
  const { assertion, signatureHex } = softwareAssertion(passkey, DIGEST, options);
  return { name, publicKeyHex: PASSKEY.publicKeyHex, ...assertion, signatureHex, expectedCode };
}

function flipHexByte(hex: string, byteIndex: number, mask = 0x01): string {
  const byte = parseInt(hex.slice(byteIndex * 2, byteIndex * 2 + 2), 16) ^ mask;
  return `${hex.slice(0, byteIndex * 2)}${byte.toString(16).padStart(2, "0")}${hex.slice(byteIndex * 2 + 2)}`;
}

function cases(): Case[] {
  const valid = signed("valid assertion (UP and UV set) over the transaction id", {}, null);
  const clientDataText = Buffer.from(valid.clientDataJSONHex, "hex").toString("utf8");
  const notOnCurve = `02${"ff".repeat(32)}`; // x = 2^256 - 1 is not a field element
  return [
    valid,
    { ...valid, name: "public key not on the curve", publicKeyHex: notOnCurve, expectedCode: "assertion_public_key_invalid" },
    { ...valid, name: "authenticatorData shorter than 37 bytes", authenticatorDataHex: valid.authenticatorDataHex.slice(0, 72), expectedCode: "assertion_malformed" },
    { ...valid, name: "clientDataJSON is not JSON", clientDataJSONHex: bytesToHex(utf8ToBytes(clientDataText.slice(1))), expectedCode: "assertion_malformed" },
    signed("type webauthn.create (a registration, not an assertion), signed", { type: "webauthn.create" }, "assertion_type_invalid"),
    signed("wrong challenge: another transaction's id, signed", { challenge: webauthnChallengeFor(OTHER_DIGEST) }, "assertion_challenge_mismatch"),
    signed("challenge in padded base64, signed", { challenge: `${webauthnChallengeFor(DIGEST)}=` }, "assertion_challenge_mismatch"),
    signed("wrong origin: https://evil.example, signed", { origin: "https://evil.example" }, "assertion_origin_not_allowed"),
    signed("origin over http, signed", { origin: "http://bank.example" }, "assertion_origin_not_allowed"),
    signed("made in a cross-origin frame, signed", { crossOrigin: true }, "assertion_cross_origin"),
    signed("wrong rpId: rpIdHash of evil.example, signed", { rpId: "evil.example" }, "assertion_rp_id_mismatch"),
    signed("UP flag cleared (no user presence), signed", { flags: FLAG_UV }, "assertion_user_not_present"),
    signed("UV flag cleared (user not verified), signed", { flags: FLAG_UP }, "assertion_user_not_verified"),
    { ...valid, name: "UV flag cleared after signing", authenticatorDataHex: flipHexByte(valid.authenticatorDataHex, 32, FLAG_UV), expectedCode: "assertion_user_not_verified" },
    { ...valid, name: "signature of 63 bytes", signatureHex: valid.signatureHex.slice(2), expectedCode: "assertion_signature_malformed" },
    { ...valid, name: "signature with r = 0", signatureHex: `${"00".repeat(32)}${valid.signatureHex.slice(64)}`, expectedCode: "assertion_signature_malformed" },
    signed("the same signature with the high s", { highS: true }, "assertion_signature_not_low_s"),
    { ...valid, name: "tampered authenticatorData (signCount changed)", authenticatorDataHex: flipHexByte(valid.authenticatorDataHex, 36), expectedCode: "assertion_signature_invalid" },
    { ...valid, name: "tampered clientDataJSON (a field the checks do not read)", clientDataJSONHex: bytesToHex(utf8ToBytes(`${clientDataText.slice(0, -1)},"other":1}`)), expectedCode: "assertion_signature_invalid" },
    { ...valid, name: "tampered signature (one bit of r)", signatureHex: flipHexByte(valid.signatureHex, 31), expectedCode: "assertion_signature_invalid" },
    signed("signed by another passkey on the same site", {}, "assertion_signature_invalid", OTHER_PASSKEY),
  ];
}

/** An authenticator's DER signature with the high s, and the ledger's compact low-s form of it. */
function normalisation(): object {
  const { signatureDerHex } = softwareAssertion(PASSKEY, DIGEST, { highS: true });
  const high = p256.Signature.fromBytes(Buffer.from(signatureDerHex, "hex"), "der");
  const low = new p256.Signature(high.r, p256.Point.CURVE().n - high.s);
  return { signatureDerHex, compactLowSHex: bytesToHex(low.toBytes("compact")) };
}

const body = {
  description:
    "WebAuthn (ES256) assertions over a transaction id: the first case is valid, every other must be refused by checkWebAuthnAssertion with exactly its expectedCode (contracts/webauthn.ts ASSERTION_CHECK_CODES). normalisation: an authenticator's high-s DER signature and the compact low-s form the ledger stores.",
  generatedBy: "scripts/gen-webauthn-vectors.ts",
  digestHex: bytesToHex(DIGEST),
  key: { publicKeyHex: PASSKEY.publicKeyHex, keyId: PASSKEY.keyId, parameters: PASSKEY.parameters },
  cases: cases(),
  normalisation: normalisation(),
};
mkdirSync(path.dirname(OUTPUT), { recursive: true });
writeFileSync(OUTPUT, `${JSON.stringify(body, null, 2)}\n`);
console.log("wrote test/vectors/webauthn-assertions.json");
