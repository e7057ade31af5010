/**
 * Prints how long the state map takes to build with a million entries, to update one entry
 * at that size and to prove one, with node:crypto's SHA-256 as the server uses it:
 * `npx tsx scripts/bench/state-map.ts [entries]`.
 */
import "@/server/crypto/node-hash";
import { sha256Bytes } from "@/contracts/canonical";
import { MemoryStateMapStore, StateMap, stateKey, verifyStateMapProof } from "@/contracts/state-map";

const count = Number(process.argv[2] ?? 1_000_000);
const store = new MemoryStateMapStore();
const map = new StateMap(store);
const valueOf = (index: number) => sha256Bytes(new TextEncoder().encode(`value ${index}`));

let started = performance.now();
for (let index = 0; index < count; index++) {
  map.set(stateKey("claim", `cl_${index}`), valueOf(index));
  if ((index + 1) % 100_000 === 0) console.log(`  ${index + 1} entries after ${((performance.now() - started) / 1000).toFixed(1)} s, ${(process.cpuUsage().user / 1e6).toFixed(1)} s CPU`);
}
const buildMs = performance.now() - started;
store.takeChanges();

const updates = 10_000;
started = performance.now();
for (let index = 0; index < updates; index++) map.set(stateKey("claim", `cl_${(index * 7919) % count}`), valueOf(index + count));
const updateUs = ((performance.now() - started) * 1000) / updates;

const probes = Array.from({ length: 1000 }, (_, index) => stateKey("claim", `cl_${(index * 104_729) % count}`));
started = performance.now();
const proofs = probes.map((key) => map.prove(key));
const proveUs = ((performance.now() - started) * 1000) / probes.length;
const root = map.root();
const values = probes.map((key) => map.get(key) ?? null);
started = performance.now();
const checks = probes.map((key, index) => verifyStateMapProof(root, key, values[index] as Uint8Array | null, proofs[index] as (typeof proofs)[number]));
const verifyUs = ((performance.now() - started) * 1000) / probes.length;
const failed = checks.filter((check) => !check.ok).length;
const proof = proofs[0] as (typeof proofs)[number];

console.log(`entries ${count}: build ${(buildMs / 1000).toFixed(1)} s (${(process.cpuUsage().user / 1e6).toFixed(1)} s CPU in all), ${store.size} stored nodes, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MB`);
console.log(`update one entry: ${updateUs.toFixed(1)} us (mean of ${updates}); prove: ${proveUs.toFixed(1)} us, verify: ${verifyUs.toFixed(1)} us (means of ${probes.length}, ${failed} failed)`);
console.log(`proof: depth ${proof.depth}, ${proof.siblingsHex.length} sibling hashes`);
