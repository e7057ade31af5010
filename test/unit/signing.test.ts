/**
 * Keys, signatures and the two verifiers. The noble verifier (browser, CLI) and the
 * node:crypto verifier (server) must give the same answer on every golden vector, valid or
 * corrupted, and neither may throw on garbage.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { ED25519_TORSION_SUBGROUP, ed25519 } from "@noble/curves/ed25519.js";
import { bytesToNumberLE, numberToBytesLE } from "@noble/curves/utils.js";
import { sha512 } from "@noble/hashes/sha2.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "@/contracts/canonical";
import { verifyCheckpointChain, type SignedCheckpoint } from "@/contracts/checkpoint";
import { bytesToHex, concatBytes, hexToBytes } from "@/contracts/hex";
import {
  generatePrivateKey,
  isAcceptablePublicKey,
  keyIdFor,
  nobleVerifier,
  publicKeyFromPrivate,
  runWithBatchVerifier,
  signDigest,
  type BatchSignatureVerifier,
  type SignatureToCheck,
  type SignatureVerifier,
} from "@/contracts/signing";
import {
  checkCosignature,
  checkTransactionSignature,
  cosignTransaction,
  signTransaction,
  transactionDigest,
  verifyCosignature,
  verifyTransactionSignature,
  type SignedTransaction,
  type TransactionEnvelope,
} from "@/contracts/transaction";
import { nodeSign, nodeVerifier } from "@/server/crypto/node-verifier";
import { createWebCryptoVerifier } from "@/app/_lib/webcrypto-verifier";
import { openVerifyPool } from "@/server/crypto/verify-pool";

const VERIFIERS: Array<[string, SignatureVerifier]> = [
  ["noble", nobleVerifier],
  ["node", nodeVerifier],
];

function loadVectors<T>(fileName: string): T {
  return JSON.parse(readFileSync(path.resolve(__dirname, "..", "vectors", fileName), "utf8")) as T;
}

function bytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

const SUPPLIER_KEY = new Uint8Array(32).fill(0x01);
const OPERATOR_KEY = new Uint8Array(32).fill(0x03);
const SUPPLIER_PUBLIC = publicKeyFromPrivate(SUPPLIER_KEY);
const OPERATOR_PUBLIC = publicKeyFromPrivate(OPERATOR_KEY);

function envelope(overrides: Partial<TransactionEnvelope> = {}): TransactionEnvelope {
  return {
    type: "test.vector",
    networkId: "double-chain-demo",
    body: { amountMinor: 500n },
    signer: { orgId: "org_supplier", keyId: keyIdFor(SUPPLIER_PUBLIC) },
    nonce: "n-1",
    createdAtMs: 1_767_225_600_000,
    ...overrides,
  };
}

describe("keys", () => {
  it("derives RFC 8032 TEST 1's public key", () => {
    const privateKey = hexToBytes("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    expect(bytesToHex(publicKeyFromPrivate(privateKey))).toBe("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  });

  it("keyId is the first 32 hex of SHA-256(public key)", () => {
    expect(keyIdFor(SUPPLIER_PUBLIC)).toBe(sha256Hex(SUPPLIER_PUBLIC).slice(0, 32));
    expect(keyIdFor(SUPPLIER_PUBLIC)).toHaveLength(32);
    expect(keyIdFor(SUPPLIER_PUBLIC)).not.toBe(keyIdFor(OPERATOR_PUBLIC));
  });

  it("generatePrivateKey copies the randomness it is given and checks its length", () => {
    const randomness = new Uint8Array(32).fill(7);
    const privateKey = generatePrivateKey(randomness);
    randomness.fill(0);
    expect(privateKey).toEqual(new Uint8Array(32).fill(7));
    expect(() => generatePrivateKey(new Uint8Array(31))).toThrow(/32 bytes/);
  });

  it.each([
    ["keyIdFor with a 33-byte key", () => keyIdFor(new Uint8Array(33))],
    ["publicKeyFromPrivate with a 16-byte key", () => publicKeyFromPrivate(new Uint8Array(16))],
    ["signDigest with a 31-byte digest", () => signDigest(SUPPLIER_KEY, new Uint8Array(31))],
    ["nodeSign with a 64-byte key", () => nodeSign(new Uint8Array(64), new Uint8Array(32))],
  ])("%s throws", (_what, run) => {
    expect(run).toThrow();
  });

  it("accepts honest keys and rejects every small-order point and non-canonical encodings", () => {
    expect(isAcceptablePublicKey(SUPPLIER_PUBLIC)).toBe(true);
    for (const torsionHex of ED25519_TORSION_SUBGROUP) expect(isAcceptablePublicKey(hexToBytes(torsionHex)), torsionHex).toBe(false);
    // y = p + 1 is a non-canonical encoding of y = 1.
    expect(isAcceptablePublicKey(hexToBytes(`ee${"ff".repeat(30)}7f`))).toBe(false);
    expect(isAcceptablePublicKey(new Uint8Array(31))).toBe(false);
  });

  it("rejects a mixed-order key (honest key plus a torsion point)", () => {
    const mixed = ed25519.Point.fromBytes(SUPPLIER_PUBLIC).add(ed25519.Point.fromHex(ED25519_TORSION_SUBGROUP[1] as string));
    expect(isAcceptablePublicKey(mixed.toBytes())).toBe(false);
  });
});

describe.each(VERIFIERS)("%s verifier", (_name, verifier) => {
  const digest = transactionDigest(envelope());
  const signature = signDigest(SUPPLIER_KEY, digest);

  it("accepts a valid signature and rejects it for another message or key", () => {
    expect(verifier(SUPPLIER_PUBLIC, digest, signature)).toBe(true);
    expect(verifier(SUPPLIER_PUBLIC, transactionDigest(envelope({ nonce: "n-2" })), signature)).toBe(false);
    expect(verifier(OPERATOR_PUBLIC, digest, signature)).toBe(false);
  });

  it.each([
    ["empty signature", SUPPLIER_PUBLIC, digest, new Uint8Array(0)],
    ["63-byte signature", SUPPLIER_PUBLIC, digest, signature.slice(0, 63)],
    ["65-byte signature", SUPPLIER_PUBLIC, digest, concatBytes(signature, Uint8Array.of(0))],
    ["31-byte key", SUPPLIER_PUBLIC.slice(1), digest, signature],
    ["key not on the curve", hexToBytes(`02${"00".repeat(31)}`), digest, signature],
    ["S = L + s (non-canonical scalar)", SUPPLIER_PUBLIC, digest, withScalarPlusOrder(signature)],
    ["strings instead of bytes", "ab" as unknown as Uint8Array, digest, signature],
    ["null signature", SUPPLIER_PUBLIC, digest, null as unknown as Uint8Array],
  ])("answers false, without throwing, for %s", (_what, publicKey, message, badSignature) => {
    expect(verifier(publicKey, message, badSignature)).toBe(false);
  });

  it("rejects the identity-key forgery that the cofactorless equation would accept", () => {
    // A = identity, R = identity, S = 0 satisfies S*B = R + k*A for every message.
  const identity = hexToBytes(ED25519_TORSION_SUBGROUP[0] as string);
    const forged = concatBytes(identity, new Uint8Array(32));
    expect(verifier(identity, digest, forged)).toBe(false);
    expect(verifier(identity, digest, forged)).toBe(false); // Second call is served from the node cache.
  });

  it("accepts exactly the untouched signature among random single-byte flips (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.nat(32 + 32 + 64 - 1), fc.integer({ min: 1, max: 255 }), (seed, position, mask) => {
        const publicKey = publicKeyFromPrivate(seed);
        const message = sha256Bytes32(seed);
        const sig = signDigest(seed, message);
        expect(verifier(publicKey, message, sig)).toBe(true);
        const parts = [Uint8Array.from(publicKey), Uint8Array.from(message), Uint8Array.from(sig)];
        const [part, offset] = position < 32 ? [0, position] : position < 64 ? [1, position - 32] : [2, position - 64];
        const target = parts[part] as Uint8Array;
        target[offset] = (target[offset] as number) ^ mask;
        expect(verifier(parts[0] as Uint8Array, parts[1] as Uint8Array, parts[2] as Uint8Array)).toBe(false);
      }),
      { numRuns: 60 },
    );
  });
});

function sha256Bytes32(seed: Uint8Array): Uint8Array {
  return hexToBytes(sha256Hex(seed));
}

/** Adds the group order L to S: the same scalar mod L, but an encoding RFC 8032 forbids. */
function withScalarPlusOrder(signature: Uint8Array): Uint8Array {
  const s = bytesToNumberLE(signature.slice(32)) + ed25519.Point.Fn.ORDER;
  return concatBytes(signature.slice(0, 32), numberToBytesLE(s, 32));
}

describe("noble and node agree", () => {
  it("nodeSign produces the same deterministic signatures as signDigest", () => {
    const digest = transactionDigest(envelope());
    expect(bytesToHex(nodeSign(SUPPLIER_KEY, digest))).toBe(bytesToHex(signDigest(SUPPLIER_KEY, digest)));
    expect(bytesToHex(nodeSign(OPERATOR_KEY, digest))).toBe(bytesToHex(signDigest(OPERATOR_KEY, digest)));
  });

  it("on the RFC 8032 test vectors", () => {
    const vectors = loadVectors<{ rfc8032: Array<{ privateKeyHex: string; publicKeyHex: string; messageHex: string; signatureHex: string }> }>("transactions.json");
    expect(vectors.rfc8032.length).toBe(3);
    for (const vector of vectors.rfc8032) {
      expect(bytesToHex(nodeSign(bytes(vector.privateKeyHex), bytes(vector.messageHex)))).toBe(vector.signatureHex);
      for (const [name, verifier] of VERIFIERS) {
        expect(verifier(bytes(vector.publicKeyHex), bytes(vector.messageHex), bytes(vector.signatureHex)), name).toBe(true);
      }
    }
  });

  it("on every transaction vector, valid and corrupted", () => {
    const vectors = loadVectors<TransactionVectorFile>("transactions.json");
    const { valid } = vectors;
    for (const [, verifier] of VERIFIERS) {
      expect(checkTransactionSignature(valid.signed, bytes(valid.signerPublicKeyHex), verifier)).toEqual({ ok: true });
    }
    expect(vectors.corruptions.length).toBeGreaterThanOrEqual(10);
    for (const vector of vectors.corruptions) {
      const codes = VERIFIERS.map(([, verifier]) => {
        const publicKey = bytes(vector.publicKeyHex);
        const cosignature = vector.signed.cosignatures[vector.cosignatureIndex ?? 0];
        const result = vector.check === "signer"
          ? checkTransactionSignature(vector.signed, publicKey, verifier)
          : checkCosignature(vector.signed, cosignature as SignedTransaction["cosignatures"][number], publicKey, verifier);
        return result.ok ? "ok" : result.code;
      });
      expect(codes, vector.name).toEqual([vector.expectedCode, vector.expectedCode]);
    }
  });

  it("on every checkpoint vector, valid and corrupted", () => {
    const vectors = loadVectors<CheckpointVectorFile>("checkpoints.json");
    const operator = bytes(vectors.operator.publicKeyHex);
    for (const [, verifier] of VERIFIERS) expect(verifyCheckpointChain(vectors.chain, operator, verifier)).toEqual({ ok: true });
    for (const vector of vectors.corruptions) {
      const options = vector.consistencyProofsHex === undefined ? {} : { consistencyProofsHex: vector.consistencyProofsHex };
      const results = VERIFIERS.map(([, verifier]) => {
        const result = verifyCheckpointChain(vector.checkpoints, bytes(vector.publicKeyHex), verifier, options);
        return result.ok ? "ok" : `${result.code}@${result.index}`;
      });
      const expected = `${vector.expectedCode}@${vector.expectedIndex}`;
      expect(results, vector.name).toEqual([expected, expected]);
    }
  });

  it("differ only in the safe direction on a signature built with a low-order R", () => {
    // noble checks the cofactored equation, OpenSSL the cofactorless one. A signer can build a
    // signature that only the cofactored check accepts; the server (node) rejects it, so it
    // never enters the log, and anything node accepts noble accepts too.
    const message = transactionDigest(envelope());
    const crafted = craftLowOrderRSignature(SUPPLIER_KEY, message);
    expect(nobleVerifier(SUPPLIER_PUBLIC, message, crafted)).toBe(true);
    expect(nodeVerifier(SUPPLIER_PUBLIC, message, crafted)).toBe(false);
  });
});

async function answersOf(batchVerifier: BatchSignatureVerifier, checks: readonly SignatureToCheck[]): Promise<boolean[]> {
  const batch = batchVerifier();
  for (const check of checks) batch.add(check);
  return batch.answers();
}

/** Valid, corrupted and malformed signatures on which every verifier must answer as nodeVerifier does. */
function edgeCases(): Array<[string, Uint8Array, Uint8Array, Uint8Array]> {
  const digest = transactionDigest(envelope());
  const signature = signDigest(SUPPLIER_KEY, digest);
  const identity = hexToBytes(ED25519_TORSION_SUBGROUP[0] as string);
  return [
    ["valid", SUPPLIER_PUBLIC, digest, signature],
    ["another message", SUPPLIER_PUBLIC, transactionDigest(envelope({ nonce: "n-2" })), signature],
    ["another key", OPERATOR_PUBLIC, digest, signature],
    ["63-byte signature", SUPPLIER_PUBLIC, digest, signature.slice(0, 63)],
    ["31-byte key", SUPPLIER_PUBLIC.slice(1), digest, signature],
    ["key not on the curve", hexToBytes(`02${"00".repeat(31)}`), digest, signature],
    ["S = L + s", SUPPLIER_PUBLIC, digest, withScalarPlusOrder(signature)],
    ["identity-key forgery", identity, digest, concatBytes(identity, new Uint8Array(32))],
    ["low-order R", SUPPLIER_PUBLIC, digest, craftLowOrderRSignature(SUPPLIER_KEY, digest)],
    ["strings instead of bytes", "ab" as unknown as Uint8Array, digest, signature],
  ];
}

describe("verify pool (worker threads)", () => {
  it("answers like the node verifier, in order, across several chunks", async () => {
    const cases = edgeCases();
    const checks = Array.from({ length: 1500 }, (_, i) => cases[i % cases.length] as (typeof cases)[number]);
    const pool = openVerifyPool(2);
    try {
      const answers = await answersOf(pool.verifier, checks.map(([, publicKey, message, signature]) => ({ publicKey, message, signature })));
      expect(answers).toEqual(checks.map(([, publicKey, message, signature]) => nodeVerifier(publicKey, message, signature)));
      expect(answers.filter(Boolean).length).toBeGreaterThan(0);
    } finally {
      await pool.close();
    }
  });
});

describe("WebCrypto verifier, through runWithBatchVerifier", () => {
  const webCrypto = createWebCryptoVerifier();
  /** The answer the batch verifier gives to a check written for a synchronous verifier. */
  const viaBatch = <R>(run: (verifier: SignatureVerifier) => R, batch: BatchSignatureVerifier = webCrypto) => runWithBatchVerifier(run, batch);
  const digest = transactionDigest(envelope());
  const signature = signDigest(SUPPLIER_KEY, digest);

  it("answers like the node verifier on valid, corrupted and malformed signatures", async () => {
    const cases = edgeCases();
    for (const [name, publicKey, message, sig] of cases) {
      expect(await viaBatch((verifier) => verifier(publicKey, message, sig)), name).toBe(nodeVerifier(publicKey, message, sig));
    }
    expect(await answersOf(webCrypto, [{ publicKey: SUPPLIER_PUBLIC, message: digest, signature }])).toEqual([true]);
  });

  it("on the RFC 8032 vectors, every transaction vector and every checkpoint vector", async () => {
    const rfc = loadVectors<{ rfc8032: Array<{ publicKeyHex: string; messageHex: string; signatureHex: string }> }>("transactions.json").rfc8032;
    const answers = await answersOf(webCrypto, rfc.map((v) => ({ publicKey: bytes(v.publicKeyHex), message: bytes(v.messageHex), signature: bytes(v.signatureHex) })));
    expect(answers).toEqual([true, true, true]);
    const transactions = loadVectors<TransactionVectorFile>("transactions.json");
    expect(await viaBatch((v) => checkTransactionSignature(transactions.valid.signed, bytes(transactions.valid.signerPublicKeyHex), v))).toEqual({ ok: true });
    for (const vector of transactions.corruptions) {
      const publicKey = bytes(vector.publicKeyHex);
      const cosignature = vector.signed.cosignatures[vector.cosignatureIndex ?? 0] as SignedTransaction["cosignatures"][number];
      const result = await viaBatch((v) =>
        vector.check === "signer" ? checkTransactionSignature(vector.signed, publicKey, v) : checkCosignature(vector.signed, cosignature, publicKey, v),
      );
      expect(result.ok ? "ok" : result.code, vector.name).toBe(vector.expectedCode);
    }
    const checkpoints = loadVectors<CheckpointVectorFile>("checkpoints.json");
    expect(await viaBatch((v) => verifyCheckpointChain(checkpoints.chain, bytes(checkpoints.operator.publicKeyHex), v))).toEqual({ ok: true });
    for (const vector of checkpoints.corruptions) {
      const options = vector.consistencyProofsHex === undefined ? {} : { consistencyProofsHex: vector.consistencyProofsHex };
      const result = await viaBatch((v) => verifyCheckpointChain(vector.checkpoints, bytes(vector.publicKeyHex), v, options));
      expect(result.ok ? "ok" : `${result.code}@${result.index}`, vector.name).toBe(`${vector.expectedCode}@${vector.expectedIndex}`);
    }
  });

  it("falls back to @noble/curves where WebCrypto has no Ed25519", async () => {
    const noEd25519 = { importKey: () => Promise.reject(new Error("NotSupportedError")) } as unknown as SubtleCrypto;
    for (const batch of [createWebCryptoVerifier(noEd25519), createWebCryptoVerifier(undefined)]) {
      const checks = [{ publicKey: SUPPLIER_PUBLIC, message: digest, signature }, { publicKey: OPERATOR_PUBLIC, message: digest, signature }];
      expect(await answersOf(batch, checks)).toEqual([true, false]);
    }
  });

  it("never trusts the optimistic run when a signature fails, and answers as a synchronous verifier would", async () => {
    // A check that stops at the first invalid signature, as every ledger check does.
    const bad = Uint8Array.from(signature);
    bad[0] = (bad[0] as number) ^ 1;
    const run = (verifier: SignatureVerifier) => [signature, bad, signature].findIndex((sig) => !verifier(SUPPLIER_PUBLIC, digest, sig));
    expect(await viaBatch(run)).toBe(1);
    const yesToAll: BatchSignatureVerifier = () => {
      const answers: boolean[] = [];
      return { add: () => void answers.push(true), answers: async () => answers };
    };
    expect(await viaBatch(run, yesToAll)).toBe(-1);
    const thrown = await viaBatch(() => {
      throw new Error("broken");
    }).catch((error: unknown) => error);
    expect(thrown).toMatchObject({ message: "broken" });
  });
});

/** An Ed25519 signature whose R carries an order-8 component (valid only when cofactored). */
function craftLowOrderRSignature(privateKey: Uint8Array, message: Uint8Array): Uint8Array {
  const { scalar, pointBytes } = ed25519.utils.getExtendedPublicKey(privateKey);
  const order = ed25519.Point.Fn.ORDER;
  const nonce = 1234567n;
  const torsion = ed25519.Point.fromHex(ED25519_TORSION_SUBGROUP[1] as string);
  const encodedR = ed25519.Point.BASE.multiply(nonce).add(torsion).toBytes();
  const challenge = bytesToNumberLE(sha512(concatBytes(encodedR, pointBytes, message))) % order;
  const s = (nonce + challenge * scalar) % order;
  return concatBytes(encodedR, numberToBytesLE(s, 32));
}

interface TransactionVectorFile {
  valid: { signed: SignedTransaction; signerPublicKeyHex: string };
  corruptions: Array<{ name: string; check: "signer" | "cosignature"; cosignatureIndex?: number; signed: SignedTransaction; publicKeyHex: string; expectedCode: string }>;
}

interface CheckpointVectorFile {
  operator: { publicKeyHex: string };
  chain: SignedCheckpoint[];
  corruptions: Array<{ name: string; checkpoints: SignedCheckpoint[]; publicKeyHex: string; consistencyProofsHex?: string[][]; expectedCode: string; expectedIndex: number }>;
}

describe("transaction signatures", () => {
  it("signs as the declared signer and verifies with both verifiers", () => {
    const signed = signTransaction(envelope(), SUPPLIER_KEY);
    expect(signed.cosignatures).toEqual([]);
    for (const [, verifier] of VERIFIERS) {
      expect(verifyTransactionSignature(signed, SUPPLIER_PUBLIC, verifier)).toBe(true);
      expect(verifyTransactionSignature(signed, OPERATOR_PUBLIC, verifier)).toBe(false);
    }
  });

  it("refuses to sign with a key that is not the declared signer's", () => {
    expect(() => signTransaction(envelope(), OPERATOR_KEY)).toThrow(/does not match the private key/);
  });

  it("adds cosignatures over the same digest without changing the original", () => {
    const signed = signTransaction(envelope(), SUPPLIER_KEY);
    const operatorKeyId = keyIdFor(OPERATOR_PUBLIC);
    const cosigned = cosignTransaction(signed, "org_operator", operatorKeyId, OPERATOR_KEY);
    expect(signed.cosignatures).toHaveLength(0);
    expect(cosigned.cosignatures).toHaveLength(1);
    expect(cosigned.signatureHex).toBe(signed.signatureHex);
    const [cosignature] = cosigned.cosignatures;
    expect(cosignature?.signatureHex).toBe(bytesToHex(signDigest(OPERATOR_KEY, transactionDigest(signed.transaction))));
    for (const [, verifier] of VERIFIERS) {
      expect(verifyCosignature(cosigned, cosignature as SignedTransaction["cosignatures"][number], OPERATOR_PUBLIC, verifier)).toBe(true);
    }
  });

  it("refuses a cosignature by a mismatched key or a repeated one", () => {
    const signed = signTransaction(envelope(), SUPPLIER_KEY);
    const operatorKeyId = keyIdFor(OPERATOR_PUBLIC);
    expect(() => cosignTransaction(signed, "org_operator", operatorKeyId, SUPPLIER_KEY)).toThrow(/does not match/);
    const once = cosignTransaction(signed, "org_operator", operatorKeyId, OPERATOR_KEY);
    expect(() => cosignTransaction(once, "org_operator", operatorKeyId, OPERATOR_KEY)).toThrow(/already cosigned/);
  });

  it("reports checks in order: malformed signature before key mismatch before bad signature", () => {
    const signed = signTransaction(envelope(), SUPPLIER_KEY);
    const malformed = { ...signed, signatureHex: "zz" };
    expect(checkTransactionSignature(malformed, OPERATOR_PUBLIC, nobleVerifier)).toMatchObject({ ok: false, code: "signature_malformed" });
    expect(checkTransactionSignature(signed, OPERATOR_PUBLIC, nobleVerifier)).toMatchObject({ ok: false, code: "key_id_mismatch" });
    expect(checkTransactionSignature(signed, new Uint8Array(3), nobleVerifier)).toMatchObject({ ok: false, code: "key_id_mismatch" });
    const edited = { ...signed, transaction: envelope({ createdAtMs: 1 }) };
    expect(checkTransactionSignature(edited, SUPPLIER_PUBLIC, nobleVerifier)).toMatchObject({ ok: false, code: "signature_invalid" });
  });
});
