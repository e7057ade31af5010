/**
 * The state map (contracts/state-map.ts): the incremental StateMap against the reference
 * implementation over random operation sequences, and the verifier's answer to each way a
 * proof can be wrong.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sha256Bytes } from "@/contracts/canonical";
import { bytesToHex, hexToBytes } from "@/contracts/hex";
import {
  EMPTY_HASHES,
  emptyStateMapRoot,
  MemoryStateMapStore,
  positionId,
  referenceProof,
  referenceRoot,
  StateMap,
  stateKey,
  stateLeafHash,
  verifyStateMapProof,
  type StateMapEntry,
  type StateMapProof,
} from "@/contracts/state-map";

function value(n: number): Uint8Array {
  return sha256Bytes(Uint8Array.of(n & 0xff, n >> 8));
}

/** Keys that share long prefixes, so splits and collapses happen deep in the tree. */
function keyFrom(seed: number, prefixBits: number): Uint8Array {
  const key = sha256Bytes(Uint8Array.of(seed));
  const base = new Uint8Array(32).fill(0xa5);
  // Copy the first prefixBits bits of `base`, then the rest from `key`.
  for (let bit = 0; bit < prefixBits; bit++) {
    const mask = 0x80 >> (bit & 7);
    key[bit >> 3] = ((key[bit >> 3] as number) & ~mask) | ((base[bit >> 3] as number) & mask);
  }
  return key;
}

const keyArbitrary = fc.tuple(fc.integer({ min: 0, max: 11 }), fc.constantFrom(0, 3, 9, 200, 255)).map(([seed, prefix]) => keyFrom(seed, prefix));
const operationArbitrary = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), key: keyArbitrary, value: fc.integer({ min: 0, max: 1000 }) }),
  fc.record({ kind: fc.constant("delete" as const), key: keyArbitrary }),
);

describe("StateMap against the reference implementation", () => {
  it("gives the reference root and the reference proof after every operation of a random sequence", () => {
    fc.assert(
      fc.property(fc.array(operationArbitrary, { maxLength: 40 }), fc.array(keyArbitrary, { minLength: 1, maxLength: 4 }), (operations, queries) => {
        const map = new StateMap();
        const model = new Map<string, StateMapEntry>();
        for (const operation of operations) {
          const id = bytesToHex(operation.key);
          if (operation.kind === "set") {
            map.set(operation.key, value(operation.value));
            model.set(id, { keyHash: operation.key, valueHash: value(operation.value) });
          } else {
            expect(map.delete(operation.key)).toBe(model.delete(id));
          }
          const entries = [...model.values()];
          expect(bytesToHex(map.root())).toBe(bytesToHex(referenceRoot(entries)));
          for (const query of queries) {
            const proof = map.prove(query);
            expect(proof).toEqual(referenceProof(entries, query));
            const expected = model.get(bytesToHex(query))?.valueHash ?? null;
            expect(verifyStateMapProof(map.root(), query, expected, proof)).toEqual({ ok: true });
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("setMany stores exactly the nodes of the same sets one at a time, in batches between deletes", () => {
    const batchArbitrary = fc.array(fc.record({ key: keyArbitrary, value: fc.integer({ min: 0, max: 1000 }) }), { maxLength: 12 });
    fc.assert(
      fc.property(fc.array(fc.tuple(batchArbitrary, fc.array(keyArbitrary, { maxLength: 3 })), { maxLength: 6 }), (rounds) => {
        const batchStore = new MemoryStateMapStore();
        const singleStore = new MemoryStateMapStore();
        const batched = new StateMap(batchStore);
        const single = new StateMap(singleStore);
        const model = new Map<string, StateMapEntry>();
        for (const [batch, deletes] of rounds) {
          const entries = batch.map((entry) => ({ keyHash: entry.key, valueHash: value(entry.value) }));
          batched.setMany(entries);
          for (const entry of entries) {
            single.set(entry.keyHash, entry.valueHash);
            model.set(bytesToHex(entry.keyHash), entry);
          }
          expect(bytesToHex(batched.root())).toBe(bytesToHex(referenceRoot([...model.values()])));
          expect(new Map(batchStore.takeChanges())).toEqual(new Map(singleStore.takeChanges()));
          for (const key of deletes) {
            expect(batched.delete(key)).toBe(single.delete(key));
            model.delete(bytesToHex(key));
          }
        }
        const nodes = (store: MemoryStateMapStore) => [...store.takeChanges()].sort();
        expect(nodes(batchStore)).toEqual(nodes(singleStore));
        expect(bytesToHex(batched.root())).toBe(bytesToHex(referenceRoot([...model.values()])));
      }),
      { numRuns: 300 },
    );
  });

  it("leaves no stale node behind: a map emptied by deletes holds no nodes and has the empty root", () => {
    fc.assert(
      fc.property(fc.uniqueArray(keyArbitrary, { selector: bytesToHex, maxLength: 20 }), (keys) => {
        const store = new MemoryStateMapStore();
        const map = new StateMap(store);
        keys.forEach((key, index) => map.set(key, value(index)));
        for (const key of keys) expect(map.delete(key)).toBe(true);
        expect(store.size).toBe(0);
        expect(map.root()).toEqual(emptyStateMapRoot());
      }),
    );
  });
});

describe("StateMap", () => {
  it("has the precomputed empty root when empty and the leaf hash as root with one entry", () => {
    const map = new StateMap();
    expect(map.root()).toEqual(EMPTY_HASHES[256]);
    const key = stateKey("claim", "cl_1");
    map.set(key, value(1));
    expect(map.root()).toEqual(stateLeafHash(key, value(1)));
    expect(map.get(key)).toEqual(value(1));
    expect(map.get(stateKey("claim", "cl_2"))).toBeUndefined();
  });

  it("separates domains: the same id as a claim and as an organisation are different keys", () => {
    expect(bytesToHex(stateKey("claim", "x"))).not.toBe(bytesToHex(stateKey("org", "x")));
    expect(() => stateKey("claim:org", "x")).toThrow();
  });

  it("names positions by depth and the key's prefix bits, the bits beyond the depth cleared", () => {
    const key = hexToBytes("ff".repeat(32));
    expect(positionId(key, 0)).toBe("\u0000");
    expect(positionId(key, 1)).toBe("\u0001\u0080");
    expect(positionId(key, 6)).toBe("\u0006\u00fc");
    expect(positionId(key, 9)).toBe("\u0009\u00ff\u0080");
    expect(positionId(key, 256)).toBe(`\u0100${"\u00ff".repeat(32)}`);
  });

  it("reports the nodes it changed, so a server can persist them after a block", () => {
    const store = new MemoryStateMapStore();
    const map = new StateMap(store);
    map.set(stateKey("org", "a"), value(1));
    map.set(stateKey("org", "b"), value(2));
    const changes = store.takeChanges();
    expect([...changes.values()].filter((node) => node !== undefined)).toHaveLength(store.size);
    expect(store.takeChanges().size).toBe(0);
  });
});

describe("verifyStateMapProof", () => {
  const entries = Array.from({ length: 50 }, (_, index) => ({ keyHash: stateKey("claim", `cl_${index}`), valueHash: value(index) }));
  const map = new StateMap();
  for (const entry of entries) map.set(entry.keyHash, entry.valueHash);
  const root = map.root();
  const member = entries[7] as StateMapEntry;
  const absent = stateKey("claim", "cl_absent");

  function check(proof: StateMapProof, key = member.keyHash, expected: Uint8Array | null = member.valueHash) {
    const result = verifyStateMapProof(root, key, expected, proof);
    return result.ok ? "ok" : result.code;
  }
  const mutate = (change: (proof: StateMapProof) => void): StateMapProof => {
    const proof = structuredClone(map.prove(member.keyHash));
    change(proof);
    return proof;
  };

  it("accepts membership and non-membership", () => {
    expect(check(map.prove(member.keyHash))).toBe("ok");
    expect(check(map.prove(absent), absent, null)).toBe("ok");
  });

  it("names each way a proof fails, in the order it checks", () => {
    expect(check(mutate((proof) => void (proof.depth = 257)))).toBe("proof_malformed");
    expect(check(mutate((proof) => void proof.siblingsHex.pop()))).toBe("proof_malformed");
    expect(check(mutate((proof) => void (proof.bitmapHex = "zz")))).toBe("proof_malformed");
    const offPath = mutate((proof) => {
      proof.terminal = { kind: "leaf", keyHashHex: bytesToHex(absent.map((byte) => byte ^ 0xff)), valueHashHex: bytesToHex(member.valueHash) };
    });
    expect(check(offPath)).toBe("terminal_off_path");
    // A proof one level longer than the tree, with an empty last sibling.
    const longer = mutate((proof) => {
      proof.depth += 1;
      proof.bitmapHex = bytesToHex(Uint8Array.from({ length: Math.ceil(proof.depth / 8) }, (_, i) => (hexToBytes(proof.bitmapHex)[i] ?? 0)));
    });
    expect(check(longer)).toBe("proof_not_canonical");
    expect(check(map.prove(member.keyHash), member.keyHash, value(999))).toBe("value_mismatch");
    expect(check(map.prove(member.keyHash), member.keyHash, null)).toBe("key_present");
    expect(check(map.prove(absent), absent, member.valueHash)).toBe("key_absent");
    const flipped = mutate((proof) => {
      const sibling = hexToBytes(proof.siblingsHex[0] as string);
      sibling[0] = (sibling[0] as number) ^ 1;
      proof.siblingsHex[0] = bytesToHex(sibling);
    });
    expect(check(flipped)).toBe("root_mismatch");
  });

  it("refuses a proof that hides an entry by presenting its subtree as empty", () => {
    // The attacker's proof for the member key: stop one level early and claim emptiness there.
    const honest = map.prove(member.keyHash);
    const forged: StateMapProof = { ...honest, terminal: { kind: "empty" } };
    expect(check(forged, member.keyHash, null)).toBe("root_mismatch");
  });
});
