import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canonicalBytes,
  canonicalJson,
  CanonicalEncodingError,
  deriveId,
  hashCanonicalHex,
  sha256Bytes,
  sha256Hex,
  toCanonicalValue,
} from "@/contracts/canonical";
import { bytesToHex, equalBytes, hexToBytes, isLowerHex, tryHexToBytes, utf8ToBytes } from "@/contracts/hex";

const TX_ID = "bb136fe0b8aaeae7da464e87739ba10efb5210090209be6a2a1e4bc19323823b";

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof CanonicalEncodingError) return `${error.code} at ${error.path}`;
    throw error;
  }
  return "no error";
}

class Money {
  constructor(readonly amountMinor: bigint) {}
}

describe("toCanonicalValue / canonicalJson", () => {
  it("turns bigints into decimal strings at any depth", () => {
    const value = { amountMinor: 10n ** 30n, nested: [{ fee: -5n }] };
    expect(canonicalJson(value)).toBe('{"amountMinor":"1000000000000000000000000000000","nested":[{"fee":"-5"}]}');
    expect(toCanonicalValue(value)).toEqual({ amountMinor: "1000000000000000000000000000000", nested: [{ fee: "-5" }] });
  });

  it("sorts members where JSON.stringify keeps insertion order", () => {
    const value = { b: 1, a: { d: 2, c: 3 } };
    expect(JSON.stringify(value)).toBe('{"b":1,"a":{"d":2,"c":3}}');
    expect(canonicalJson(value)).toBe('{"a":{"c":3,"d":2},"b":1}');
  });

  it("does not modify its input", () => {
    const value = { amountMinor: 1n, list: [2n] };
    canonicalJson(value);
    expect(value).toEqual({ amountMinor: 1n, list: [2n] });
  });

  it("omits undefined members but keeps null ones", () => {
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
  });

  it("keeps __proto__ as data without touching any prototype", () => {
    const value = JSON.parse('{"__proto__":{"polluted":true}}') as object;
    const converted = toCanonicalValue(value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(converted)).toBe(Object.prototype);
    expect(Object.keys(converted)).toEqual(["__proto__"]);
    expect(canonicalJson(value)).toBe('{"__proto__":{"polluted":true}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ["NaN", () => canonicalJson({ n: Number.NaN }), "number_not_finite at $.n"],
    ["Infinity in an array", () => canonicalJson([1, Number.POSITIVE_INFINITY]), "number_not_finite at $[1]"],
    ["undefined at the top", () => canonicalJson(undefined), "undefined_not_allowed at $"],
    ["undefined in an array", () => canonicalJson({ list: [1, undefined] }), "undefined_not_allowed at $.list[1]"],
    ["a hole in a sparse array", () => canonicalJson([1, , 3]), "undefined_not_allowed at $[1]"],
    ["a function", () => canonicalJson({ f: () => 1 }), "function_not_allowed at $.f"],
    ["a toJSON method", () => canonicalJson({ toJSON: () => "x" }), "function_not_allowed at $.toJSON"],
    ["a symbol", () => canonicalJson({ s: Symbol("s") }), "symbol_not_allowed at $.s"],
    ["a Date", () => canonicalJson({ at: new Date(0) }), "not_plain_object at $.at"],
    ["a Map", () => canonicalJson({ "a b": new Map() }), 'not_plain_object at $["a b"]'],
    ["a class instance", () => canonicalJson([new Money(1n)]), "not_plain_object at $[0]"],
    ["a Uint8Array", () => canonicalJson({ bytes: new Uint8Array(2) }), "not_plain_object at $.bytes"],
    ["a lone surrogate", () => canonicalJson({ s: "\ud800" }), "lone_surrogate at $.s"],
    ["a cycle", () => { const a: Record<string, unknown> = {}; a.b = [a]; return canonicalJson(a); }, "circular_reference at $.b[0]"],
  ])("rejects %s with a coded error naming the path", (_what, run, expected) => {
    expect(codeOf(run)).toBe(expected);
  });

  it("accepts a well-formed surrogate pair and the same object in two places", () => {
    const shared = { v: 1 };
    expect(canonicalJson({ s: "\ud83d\ude00", x: shared, y: shared })).toBe('{"s":"\ud83d\ude00","x":{"v":1},"y":{"v":1}}');
  });

  it("gives the same text for any member order (property)", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(record));
      }),
    );
  });

  it("is a fixed point: canonicalising parsed canonical text changes nothing (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
    );
  });

  it("encodes every bigint exactly like its decimal string (property)", () => {
    fc.assert(
      fc.property(fc.bigInt(), (amount) => {
        expect(canonicalJson({ amountMinor: amount })).toBe(canonicalJson({ amountMinor: amount.toString() }));
      }),
    );
  });
});

describe("bytes and hashes", () => {
  it("encodes canonical text as UTF-8", () => {
    expect(bytesToHex(canonicalBytes("\u00e9"))).toBe("22c3a922");
  });

  it("hashes with SHA-256 (FIPS 180-2 'abc' vector)", () => {
    const expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    expect(sha256Hex(utf8ToBytes("abc"))).toBe(expected);
    expect(bytesToHex(sha256Bytes(utf8ToBytes("abc")))).toBe(expected);
  });

  it("hashCanonicalHex depends on content, not on member order", () => {
    expect(hashCanonicalHex({ a: 1n, b: "x" })).toBe(hashCanonicalHex({ b: "x", a: "1" }));
    expect(hashCanonicalHex({ a: 1n })).not.toBe(hashCanonicalHex({ a: 2n }));
    expect(hashCanonicalHex({ a: 1n })).toBe(sha256Hex(utf8ToBytes('{"a":"1"}')));
  });
});

describe("deriveId", () => {
  it("is prefix_ + 24 hex of SHA-256(txId:index)", () => {
    const expected = `fin_${sha256Hex(utf8ToBytes(`${TX_ID}:3`)).slice(0, 24)}`;
    expect(deriveId("fin", TX_ID, 3)).toBe(expected);
    expect(deriveId("c", TX_ID, 0)).toMatch(/^c_[0-9a-f]{24}$/);
  });

  it("differs by index and by transaction", () => {
    const otherTx = `${TX_ID.slice(0, 63)}0`;
    expect(deriveId("c", TX_ID, 0)).not.toBe(deriveId("c", TX_ID, 1));
    expect(deriveId("c", TX_ID, 0)).not.toBe(deriveId("c", otherTx, 0));
  });

  it.each([
    ["an unknown prefix", () => deriveId("x" as "c", TX_ID, 0)],
    ["an uppercase txId", () => deriveId("c", TX_ID.toUpperCase(), 0)],
    ["a short txId", () => deriveId("c", "abcd", 0)],
    ["a negative index", () => deriveId("c", TX_ID, -1)],
    ["a fractional index", () => deriveId("c", TX_ID, 0.5)],
  ])("throws for %s", (_what, run) => {
    expect(run).toThrow();
  });
});

describe("hex helpers", () => {
  it("round-trips lowercase hex", () => {
    expect(bytesToHex(hexToBytes("00ff10"))).toBe("00ff10");
    expect(hexToBytes("", 0)).toEqual(new Uint8Array(0));
  });

  it.each(["ABCD", "abc", "zz", "0x00"])("hexToBytes rejects %j and tryHexToBytes returns null", (bad) => {
    expect(() => hexToBytes(bad)).toThrow(/lowercase hex/);
    expect(tryHexToBytes(bad)).toBeNull();
  });

  it("checks byte lengths when asked", () => {
    expect(isLowerHex("00".repeat(32), 32)).toBe(true);
    expect(isLowerHex("00".repeat(31), 32)).toBe(false);
    expect(tryHexToBytes(42)).toBeNull();
    expect(() => hexToBytes("00", 2)).toThrow(/of 2 bytes/);
  });

  it("compares bytes", () => {
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(equalBytes(Uint8Array.of(1), Uint8Array.of(1, 0))).toBe(false);
  });
});
