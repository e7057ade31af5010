/**
 * Checker of the passkey assertion vectors (scripts/gen-webauthn-vectors.ts), registered in
 * vectors.test.ts like every other vector file. Not a test file itself.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { hexToBytes } from "@/contracts/hex";
import { ASSERTION_CHECK_CODES, assertionSignatureHex, checkWebAuthnAssertion, passkeyKeyIdFor, type AssertionCheckCode, type WebAuthnKeyParameters } from "@/contracts/webauthn";

interface AssertionCase {
  name: string;
  publicKeyHex: string;
  authenticatorDataHex: string;
  clientDataJSONHex: string;
  signatureHex: string;
  expectedCode: AssertionCheckCode | null;
}

interface WebAuthnVectors {
  digestHex: string;
  key: { publicKeyHex: string; keyId: string; parameters: WebAuthnKeyParameters };
  cases: AssertionCase[];
  normalisation: { signatureDerHex: string; compactLowSHex: string };
}

export function checkWebAuthnVectors(): void {
  const vectors = JSON.parse(readFileSync(path.resolve(__dirname, "..", "vectors", "webauthn-assertions.json"), "utf8")) as WebAuthnVectors;

  it("the key id is the first 16 bytes of SHA-256 of the compressed key", () => {
    expect(passkeyKeyIdFor(vectors.key.publicKeyHex)).toBe(vectors.key.keyId);
  });

  it("has a valid case first and a corruption for every refusal code", () => {
    expect(vectors.cases[0]?.expectedCode).toBeNull();
    const codes = new Set(vectors.cases.map((vector) => vector.expectedCode));
    for (const code of ASSERTION_CHECK_CODES) expect(codes, code).toContain(code);
  });

  for (const vector of vectors.cases) {
    it(`${vector.name}: ${vector.expectedCode ?? "valid"}`, () => {
      const { publicKeyHex, authenticatorDataHex, clientDataJSONHex, signatureHex } = vector;
      const check = checkWebAuthnAssertion({
        digest: hexToBytes(vectors.digestHex, 32),
        publicKeyHex,
        parameters: vectors.key.parameters,
        assertion: { authenticatorDataHex, clientDataJSONHex },
        signatureHex,
      });
      expect(check.ok ? null : check.code).toBe(vector.expectedCode);
    });
  }

  it("an authenticator's high-s DER signature becomes the compact low-s form", () => {
    expect(assertionSignatureHex(hexToBytes(vectors.normalisation.signatureDerHex))).toBe(vectors.normalisation.compactLowSHex);
  });
}
