/**
 * Provenance: the bundle of a claim at the end of a depth-10 lineage in a big ledger, built by
 * the server's buildProvenanceBundle (the first call fills the process's subtree-hash store,
 * the second is what every later request costs), and how long verification takes on it: the
 * browser's verifier as shipped (signatures checked together with WebCrypto Ed25519, then the
 * replay), @noble/curves alone (a browser without Ed25519 in WebCrypto), and node:crypto.
 * `crossCheck` compares the server's bundle with one selected from the whole log and proved by
 * rehashing every leaf, on a smaller ledger.
 */
import { nodeVerifier } from "@/server/crypto/node-verifier";
import type { Db } from "@/db/client";
import { claims } from "@/db/schema";
import { and, asc, desc, eq, inArray } from "drizzle-orm";
import { canonicalJson } from "@/contracts/canonical";
import { logEntryLeafHash } from "@/contracts/log";
import { hashesToHex, inclusionProof } from "@/contracts/merkle";
import { selectProvenanceEntries, verifyProvenance, verifyProvenanceBatched, type ProvenanceBundle } from "@/contracts/provenance";
import { nobleVerifier, type SignatureVerifier } from "@/contracts/signing";
import { createWebCryptoVerifier } from "@/app/_lib/webcrypto-verifier";
import { exportLedger } from "@/server/ledger/export";
import { loadPlatformKey } from "@/server/platform/key";
import { buildProvenanceBundle, ProvenanceStore } from "@/server/ledger/provenance";
import { fmt, now, say, section, stats } from "./common";

/** This bench process's provenance store, as a server keeps one in its runtime (a cache of upper subtree hashes read from log_subtree_hashes). */
const subtrees = new ProvenanceStore();
import { Profiler } from "./cpu";

export interface ProvenanceResult {
  ledgerSize: number;
  claimId: string;
  depth: number;
  entries: number;
  signatures: number;
  proofHashes: number;
  bundleBytes: number;
  /** buildProvenanceBundle: first call in the process (nothing cached), then warm. */
  buildColdMs: number;
  buildWarmMs: number;
  /** The browser's verifier as shipped (WebCrypto Ed25519): first run, then the median. */
  browserFirstMs: number;
  browserMs: number;
  nobleMs: number;
  nodeMs: number;
}

/** The claim to follow: one at depth `depth` (or the deepest there is), still live. */
async function deepClaim(db: Db, depth: number): Promise<{ id: string; depth: number } | null> {
  const [exact] = await db.select({ id: claims.id, depth: claims.depth }).from(claims).where(and(eq(claims.depth, depth), inArray(claims.state, ["held", "financed", "pledged", "offered"]))).orderBy(asc(claims.id)).limit(1);
  if (exact) return exact;
  const [deepest] = await db.select({ id: claims.id, depth: claims.depth }).from(claims).orderBy(desc(claims.depth), asc(claims.id)).limit(1);
  return deepest ?? null;
}

function timeVerify(bundle: ProvenanceBundle, operatorPublicKey: Uint8Array, verifier: SignatureVerifier, iterations: number): number {
  const samples: number[] = [];
  for (let i = 0; i < iterations + 2; i++) {
    const t0 = now();
    const result = verifyProvenance(bundle, operatorPublicKey, verifier);
    const ms = now() - t0;
    if (!result.ok) throw new Error(`provenance does not verify: ${result.code} ${result.detail}`);
    if (i >= 2) samples.push(ms); // two warm-up runs
  }
  return stats(samples).p50;
}

/** The browser's verifier: the first run (nothing remembered yet) and the median of the rest. */
async function timeBrowser(bundle: ProvenanceBundle, operatorPublicKey: Uint8Array, iterations: number): Promise<{ firstMs: number; medianMs: number }> {
  const verifier = createWebCryptoVerifier();
  const samples: number[] = [];
  for (let i = 0; i < iterations + 1; i++) {
    const t0 = now();
    const result = await verifyProvenanceBatched(bundle, operatorPublicKey, verifier);
    samples.push(now() - t0);
    if (!result.ok) throw new Error(`provenance does not verify with WebCrypto: ${result.code} ${result.detail}`);
  }
  return { firstMs: samples[0] as number, medianMs: stats(samples.slice(1)).p50 };
}

export async function measureProvenance(db: Db, options: { label: string; depth: number; iterations: number; profile?: string | undefined }): Promise<ProvenanceResult> {
  section(`Provenance of a depth-${options.depth} lineage (${options.label})`);
  const target = await deepClaim(db, options.depth);
  if (!target) throw new Error("the ledger has no claims");
  const t0 = now();
  await buildProvenanceBundle(db, target.id, subtrees);
  const buildColdMs = now() - t0;
  const t1 = now();
  const bundle = await buildProvenanceBundle(db, target.id, subtrees);
  const buildWarmMs = now() - t1;
  const operatorPublicKey = (await loadPlatformKey(db)).publicKey;
  const ledgerSize = bundle.checkpoint.checkpoint.size;
  const bundleBytes = Buffer.byteLength(canonicalJson(bundle));
  const signatures = 1 + bundle.entries.reduce((sum, e) => sum + 1 + e.signed.cosignatures.length, 0);
  const proofHashes = bundle.inclusionProofs.reduce((sum, p) => sum + p.proofHex.length, 0);
  // The browser's figure first, so that its first run finds nothing remembered by the others.
  const browser = await timeBrowser(bundle, operatorPublicKey, options.iterations);
  const profiler = options.profile !== undefined ? new Profiler() : null;
  await profiler?.start();
  const nobleMs = timeVerify(bundle, operatorPublicKey, nobleVerifier, options.iterations);
  const profile = profiler ? await profiler.stop(options.profile ?? null) : [];
  const nodeMs = timeVerify(bundle, operatorPublicKey, nodeVerifier, options.iterations);
  say(`ledger of ${fmt(ledgerSize)} transactions; claim ${target.id} at depth ${target.depth}`);
  say(`bundle: ${bundle.entries.length} entries, ${signatures} signatures, ${proofHashes} proof hashes, ${fmt(bundleBytes)} bytes (canonical JSON)`);
  say(`buildProvenanceBundle: ${fmt(buildColdMs)} ms the first time in a process (proofs from log_subtree_hashes, nothing cached yet), then ${fmt(buildWarmMs, 1)} ms`);
  say(`browser verifier (WebCrypto Ed25519, then the replay): ${browser.firstMs.toFixed(1)} ms the first time, median of ${options.iterations} after ${browser.medianMs.toFixed(1)} ms`);
  say(`verifyProvenance, median of ${options.iterations}: @noble/curves only ${nobleMs.toFixed(1)} ms; node:crypto ${nodeMs.toFixed(1)} ms`);
  if (profile.length > 0) {
    say("  CPU of the @noble/curves runs by file (self time):");
    for (const line of profile) say(`    ${line}`);
  }
  return {
    ledgerSize,
    claimId: target.id,
    depth: target.depth,
    entries: bundle.entries.length,
    signatures,
    proofHashes,
    bundleBytes,
    buildColdMs,
    buildWarmMs,
    browserFirstMs: browser.firstMs,
    browserMs: browser.medianMs,
    nobleMs,
    nodeMs,
  };
}

/** The server's bundle against one from the whole log with proofs from every leaf: they must be equal. */
export async function crossCheck(db: Db, depth: number): Promise<{ serverMs: number; entries: number; ledgerSize: number }> {
  const target = await deepClaim(db, depth);
  if (!target) throw new Error("the ledger has no claims");
  const t0 = now();
  const server = await buildProvenanceBundle(db, target.id, subtrees);
  const serverMs = now() - t0;
  const size = server.checkpoint.checkpoint.size;
  const log = (await exportLedger(db)).entries.slice(0, size);
  const leaves = log.map(logEntryLeafHash);
  const entries = selectProvenanceEntries(log, target.id);
  const reference = { claimId: target.id, entries, inclusionProofs: entries.map((e) => ({ leafIndex: e.leafIndex, proofHex: hashesToHex(inclusionProof(leaves, e.leafIndex)) })), checkpoint: server.checkpoint };
  if (canonicalJson(server) !== canonicalJson(reference)) throw new Error("buildProvenanceBundle differs from the whole-log selection with rehashed proofs");
  say(`cross-check: buildProvenanceBundle on ${fmt(size)} tx, depth-${target.depth} claim (${server.entries.length} entries) equals the whole-log selection with proofs from every leaf (${fmt(serverMs, 1)} ms)`);
  return { serverMs, entries: server.entries.length, ledgerSize: size };
}
