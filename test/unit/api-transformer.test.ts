import { describe, expect, it } from "vitest";
import fc from "fast-check";
import superjson, { type SuperJSONResult } from "superjson";
import { apiTransformer, isPlainJson } from "@/server/trpc/transformer";

/** What a serialiser does with a value: its answer, or the error it throws. */
function outcome(serialize: (value: unknown) => unknown, value: unknown): { answer: unknown } | { refused: string } {
  try {
    return { answer: serialize(value) };
  } catch (error) {
    return { refused: (error as Error).message };
  }
}

describe("the API's output serialiser", () => {
  it("answers exactly what superjson answers for any plain JSON value (or refuses what it refuses)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(outcome(apiTransformer.output.serialize, value)).toEqual(outcome((v) => superjson.serialize(v), value));
      }),
      { numRuns: 1000 },
    );
  });

  it("hands superjson the keys it refuses as a prototype pollution risk, so they are refused as before", () => {
    for (const key of ["__proto__", "constructor", "prototype"]) {
      const value = [JSON.parse(`{"${key}": ""}`)];
      expect(isPlainJson(value)).toBe(false);
      expect(() => apiTransformer.output.serialize(value)).toThrow(/prototype pollution/);
    }
  });

  it("hands superjson every value that needs its meta, and the client reads it back", () => {
    const cases: unknown[] = [
      { amountMinor: 12n },
      { at: new Date(0) },
      { missing: undefined },
      [1, Number.NaN],
      { x: Number.POSITIVE_INFINITY },
      { zero: -0 },
      new Map([["a", 1]]),
      { nested: [{ set: new Set([1]) }] },
      undefined,
      { regexp: /x/ },
    ];
    for (const value of cases) {
      expect(isPlainJson(value)).toBe(false);
      const wire = apiTransformer.output.serialize(value);
      expect(wire).toEqual(superjson.serialize(value));
      expect(superjson.deserialize(JSON.parse(JSON.stringify(wire)))).toEqual(value);
    }
    // An array with a hole: superjson's own answer (which reads back as undefined there, not a hole).
    const holed = [, 1];
    expect(isPlainJson(holed)).toBe(false);
    expect(apiTransformer.output.serialize(holed)).toEqual(superjson.serialize(holed));
  });

  it("sends an object that appears twice as two equal copies, without superjson's referentialEqualities meta", () => {
    const shared = { orgId: "org_pearl" };
    const value = { holder: shared, signer: shared };
    const wire = apiTransformer.output.serialize(value);
    expect(wire).toEqual({ json: value });
    expect(superjson.deserialize(JSON.parse(JSON.stringify(wire)))).toEqual({ holder: { orgId: "org_pearl" }, signer: { orgId: "org_pearl" } });
  });

  it("is read back by the client's superjson as the value superjson's own answer gives", () => {
    const overTheWire = (wire: unknown) => superjson.deserialize(JSON.parse(JSON.stringify(wire)));
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        if (!isPlainJson(value)) return; // the same superjson call both ways
        expect(overTheWire(apiTransformer.output.serialize(value))).toEqual(overTheWire(superjson.serialize(value)));
      }),
      { numRuns: 300 },
    );
  });

  it("annotates bigints, Dates and undefined properties in one walk exactly as superjson does, less referentialEqualities", () => {
    const overTheWire = (wire: unknown) => superjson.deserialize(JSON.parse(JSON.stringify(wire)));
    const withoutReferences = (wire: SuperJSONResult) => ({ json: wire.json, meta: wire.meta === undefined ? undefined : { values: wire.meta.values, v: wire.meta.v } });
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withDate: true, withNullPrototype: true, maxDepth: 4 }), (value) => {
        const ours = outcome(apiTransformer.output.serialize, value);
        const theirs = outcome((v) => superjson.serialize(v), value);
        if ("refused" in theirs) return void expect(ours).toEqual(theirs);
        expect("answer" in ours).toBe(true);
        const wire = (ours as { answer: SuperJSONResult }).answer;
        expect(withoutReferences(wire)).toEqual(withoutReferences(theirs.answer as SuperJSONResult));
        expect(overTheWire(wire)).toEqual(overTheWire(theirs.answer));
      }),
      { numRuns: 2000 },
    );
  });

  it("escapes keys holding a dot or a backslash in annotation paths, as superjson does", () => {
    const value = { "a.b": { "c\\d": 1n, list: [2n, new Date(0), undefined] } };
    expect(apiTransformer.output.serialize(value)).toEqual(superjson.serialize(value));
    expect(superjson.deserialize(JSON.parse(JSON.stringify(apiTransformer.output.serialize(value))))).toEqual(value);
  });

  it("gives up on a value nested deeper than 64 levels (superjson serialises it)", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 70; i++) deep = { child: deep };
    expect(isPlainJson(deep)).toBe(false);
    expect(apiTransformer.output.serialize(deep)).toEqual(superjson.serialize(deep));
  });
});
