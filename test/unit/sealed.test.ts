import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { canonicalJson, canonicalJsonAround, CanonicalEncodingError, isSealed, seal, sha256Bytes, setSha256 } from "@/contracts/canonical";
import { decodeSignedTransaction, encodeSignedTransaction, isDecodedTransaction } from "@/contracts/ledger/schema";
import { logEntryJson } from "@/contracts/log";
import { transactionId } from "@/contracts/transaction";
import { nodeSha256 } from "@/server/crypto/node-hash";
import { ACTORS, standardWorld } from "./ledger-fixtures";

/** JSON-like values with bigints and undefined members, as the contracts hold them. */
const inMemoryValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.bigInt(),
    fc.string({ unit: "grapheme" }),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.string({ unit: "grapheme" }), fc.option(tie("value"), { nil: undefined }), { maxKeys: 5 }),
  ),
})).value;

describe("sealed values", () => {
  it("canonicalise exactly as the canonicaliser does, at every depth (property)", () => {
    fc.assert(
      fc.property(inMemoryValue, (value) => {
        const expected = canonicalJson(value);
        const sealed = seal(structuredClone(value));
        expect(canonicalJson(sealed)).toBe(expected);
        expect(canonicalJson(sealed)).toBe(expected); // the remembered text
      }),
      { numRuns: 500 },
    );
  });

  it("are deep-frozen: neither a member nor a nested member can change", () => {
    const value = seal({ body: { parts: [{ amountMinor: 5n }] }, nonce: "ab" });
    expect(isSealed(value)).toBe(true);
    expect(Object.isFrozen(value.body) && Object.isFrozen(value.body.parts) && Object.isFrozen(value.body.parts[0])).toBe(true);
    expect(() => {
      (value.body.parts[0] as { amountMinor: bigint }).amountMinor = 6n;
    }).toThrow(TypeError);
    expect(() => {
      (value as { nonce: string }).nonce = "cd";
    }).toThrow(TypeError);
    expect(canonicalJson(value)).toBe('{"body":{"parts":[{"amountMinor":"5"}]},"nonce":"ab"}');
  });

  it("build on remembered member texts: a sealed member inside a fresh object is reused", () => {
    const inner = seal({ b: 2n, a: [1, "x"] });
    expect(canonicalJson(inner)).toBe('{"a":[1,"x"],"b":"2"}');
    expect(canonicalJson(seal({ z: inner, y: null }))).toBe('{"y":null,"z":{"a":[1,"x"],"b":"2"}}');
    const around = { z: inner, y: [3n], x: undefined };
    expect(canonicalJsonAround(around)).toBe('{"y":["3"],"z":{"a":[1,"x"],"b":"2"}}');
    expect(Object.isFrozen(around)).toBe(false);
  });

  it("canonicalise around sealed members exactly as the canonicaliser does (property)", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), inMemoryValue, { maxKeys: 4 }), fc.dictionary(fc.string(), inMemoryValue, { maxKeys: 4 }), (plain, members) => {
        const value: Record<string, unknown> = { ...plain };
        for (const [key, member] of Object.entries(members)) {
          Object.defineProperty(value, key, { value: seal(structuredClone({ member })), enumerable: true, writable: true, configurable: true });
        }
        expect(canonicalJsonAround(value)).toBe(canonicalJson(structuredClone(value)));
      }),
      { numRuns: 300 },
    );
  });

  it("refuse what has no canonical form, as unsealed values do", () => {
    const holey = [1, , 3];
    expect(() => canonicalJson(seal(holey))).toThrow(CanonicalEncodingError);
    expect(() => canonicalJson(seal({ a: Number.NaN }))).toThrow(CanonicalEncodingError);
    expect(() => canonicalJson(seal({ "\uD800": 1 }))).toThrow(CanonicalEncodingError);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => canonicalJson(seal(circular))).toThrow(CanonicalEncodingError);
  });

  it("are only plain data: a getter, an array subclass or a cycle leaves the value unsealed and its text fresh", () => {
    let n = 0;
    const withGetter = seal({
      get x() {
        return (n += 1);
      },
    });
    expect(isSealed(withGetter)).toBe(false);
    expect(canonicalJson(withGetter)).not.toBe(canonicalJson(withGetter));
    class Items extends Array<number> {}
    const items = Items.from([1]) as Items;
    const holder = seal({ items });
    expect(isSealed(holder)).toBe(false);
    expect(canonicalJson(holder)).toBe('{"items":[1]}');
    items.push(2);
    expect(canonicalJson(holder)).toBe('{"items":[1,2]}');
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    expect(isSealed(seal(circular))).toBe(false);
    expect(Object.isFrozen(circular)).toBe(false);
  });

  it("leave class instances alone (not sealed, still refused by the canonicaliser)", () => {
    const date = new Date(0);
    const value = seal({ when: date });
    expect(isSealed(date) || isSealed(value)).toBe(false);
    expect(Object.isFrozen(date)).toBe(false);
    expect(() => canonicalJson(value)).toThrow(CanonicalEncodingError);
  });
});

describe("SHA-256 implementations", () => {
  it("node:crypto's agrees with @noble/hashes on every length and content (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => {
        const digest = nodeSha256(bytes);
        expect(digest).toBeInstanceOf(Uint8Array);
        expect(Buffer.isBuffer(digest)).toBe(false);
        expect(Array.from(digest)).toEqual(Array.from(nobleSha256(bytes)));
      }),
      { numRuns: 300 },
    );
  });

  it("is the one the contracts use once the server module is loaded, and can be switched back", () => {
    const abc = new TextEncoder().encode("abc");
    const calls: number[] = [];
    setSha256((bytes) => {
      calls.push(bytes.length);
      return nobleSha256(bytes);
    });
    try {
      expect(Buffer.from(sha256Bytes(abc)).toString("hex")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
      expect(calls).toEqual([3]);
    } finally {
      setSha256(nodeSha256);
    }
  });
});

describe("decoded transactions", () => {
  function decodedAdjustment() {
    const { driver, lineId } = standardWorld();
    const signed = driver.sign(ACTORS.bank, "creditLine.adjust", { creditLineId: lineId, limitMinor: 20_000_000n });
    const wire = encodeSignedTransaction(signed);
    const decoded = decodeSignedTransaction(wire);
    if (!decoded.ok) throw new Error("the fixture does not decode");
    return { driver, signed, wire, decoded: decoded.value };
  }

  it("are sealed, and only the decoder's own values are vouched for", () => {
    const { signed, decoded } = decodedAdjustment();
    expect(Object.isFrozen(decoded.transaction.body)).toBe(true);
    expect(isDecodedTransaction(decoded)).toBe(true);
    expect(isDecodedTransaction(signed)).toBe(false);
    expect(isDecodedTransaction({ ...decoded })).toBe(false);
  });

  it("have the id, log entry text and contract outcome of their wire form", () => {
    const { driver, signed, wire, decoded } = decodedAdjustment();
    expect(transactionId(decoded.transaction)).toBe(transactionId(signed.transaction));
    const entry = { leafIndex: 7, acceptedAtMs: 1_700_000_000_000, signed: decoded };
    expect(logEntryJson(entry)).toBe(canonicalJson({ ...entry, signed: wire }));
    expect(logEntryJson(entry)).toBe(canonicalJson(entry));
    const outcome = driver.attempt(decoded);
    expect(outcome.ok).toBe(true);
    expect(outcome).toEqual(driver.attempt(signed));
  });

  it("copied and changed are checked again from scratch", () => {
    const { driver, decoded } = decodedAdjustment();
    const tampered = { ...decoded, signatureHex: "zz" } as typeof decoded;
    const outcome = driver.attempt(tampered);
    expect(outcome.ok ? "accepted" : outcome.code).toBe("malformed_transaction");
  });
});
