/**
 * Provenance: the bundle of a claim at the end of a depth-10 lineage in a big ledger, and
 * how long verifyProvenance takes on it: with @noble/curves (what the lender's browser runs
 * today), with node:crypto, and with WebCrypto Ed25519 checking the signatures first (what a
 * browser could run: Chrome, Firefox and Safari ship Ed25519 in WebCrypto).
 *
 * The bundle holds exactly what the server's buildProvenanceBundle returns: the same
 * candidate query, the same pure selector (selectProvenanceEntries), the same latest
 * checkpoint, and inclusion proofs (which are unique for a leaf and a tree size). Only the
 * proofs are computed differently: from every complete subtree's hash, built once, instead
 * of rehashing the whole tree for every entry as server/ledger/provenance.ts does, which
 * takes minutes on a million leaves. `crossCheck` compares the two on a smaller ledger.
 */
import { webcrypto } from "node:crypto";
import { and, arrayOverlaps, asc, desc, eq, inArray, lt, notInArray, or, sql } from "drizzle-orm";
import { sha256 } from "@noble/hashes/sha2.js";
import type { Db } from "@/db/client";
import { claims, creditLines, ledgerEntries } from "@/db/schema";
import { canonicalJson } from "@/contracts/canonical";
import { bytesToHex, hexToBytes } from "@/contracts/hex";
import type { LogEntry } from "@/contracts/log";
import { inclusionPathRanges } from "@/contracts/merkle";
import { selectProvenanceEntries, verifyProvenance, type ProvenanceBundle } from "@/contracts/provenance";
import { nobleVerifier, type SignatureVerifier } from "@/contracts/signing";
import { nodeVerifier } from "@/server/crypto/node-verifier";
import { loadPlatformKey } from "@/server/ledger/platform-key";
import { buildProvenanceBundle } from "@/server/ledger/provenance";
import { latestCheckpoint } from "@/server/ledger/service";
import { fmt, now, say, section, stats } from "./common";
import { Profiler } from "./cpu";

export interface ProvenanceResult {
  ledgerSize: number;
  claimId: string;
  depth: number;
  entries: number;
  signatures: number;
  proofHashes: number;
  bundleBytes: number;
  buildSeconds: number;
  nobleMs: number;
  nodeMs: number;
  webCryptoMs: number;
}

/** Every complete, aligned subtree's hash by level (level 0 = leaves): n - 1 node hashes in all. */
class SubtreeHashes {
  private readonly levels: Uint8Array[][];
  constructor(leaves: Uint8Array[]) {
    this.levels = [leaves];
    const buffer = new Uint8Array(65);
    buffer[0] = 0x01;
    for (let level = leaves; level.length > 1; ) {
      const next: Uint8Array[] = [];
      for (let i = 0; i + 1 < level.length; i += 2) {
        buffer.set(level[i] as Uint8Array, 1);
        buffer.set(level[i + 1] as Uint8Array, 33);
        next.push(sha256(buffer));
      }
      this.levels.push(next);
      level = next;
    }
  }
  /** RFC 9162 MTH of [start, end): complete aligned parts come from the levels. */
  root(start: number, end: number): Uint8Array {
    const size = end - start;
    if (size <= 0) throw new Error("empty range");
    const level = Math.log2(size);
    if (Number.isInteger(level) && start % size === 0) return (this.levels[level] as Uint8Array[])[start / size] as Uint8Array;
    let split = 1;
    while (split * 2 < size) split *= 2;
    const node = new Uint8Array(65);
    node[0] = 0x01;
    node.set(this.root(start, start + split), 1);
    node.set(this.root(start + split, end), 33);
    return sha256(node);
  }
}

/** The claim to follow: one at depth `depth` (or the deepest there is), still live. */
async function deepClaim(db: Db, depth: number): Promise<{ id: string; depth: number } | null> {
  const [exact] = await db.select({ id: claims.id, depth: claims.depth }).from(claims).where(and(eq(claims.depth, depth), inArray(claims.state, ["held", "financed", "pledged", "offered"]))).orderBy(asc(claims.id)).limit(1);
  if (exact) return exact;
  const [deepest] = await db.select({ id: claims.id, depth: claims.depth }).from(claims).orderBy(desc(claims.depth), asc(claims.id)).limit(1);
  return deepest ?? null;
}

async function lineage(db: Db, claimId: string): Promise<{ chain: string[]; creditLineId: string }> {
  const chain: string[] = [];
  let creditLineId = "";
  for (let id: string | null = claimId; id !== null; ) {
    const [row] = await db.select({ id: claims.id, parentId: claims.parentId, creditLineId: claims.creditLineId }).from(claims).where(eq(claims.id, id));
    if (!row) throw new Error(`claim ${id} not found`);
    chain.unshift(row.id);
    creditLineId = row.creditLineId;
    id = row.parentId;
  }
  return { chain, creditLineId };
}

/** The same candidate query as server/ledger/provenance.ts. */
async function candidates(db: Db, chain: string[], creditLineId: string, size: number): Promise<LogEntry[]> {
  const [line] = await db.select({ createdTxId: creditLines.createdTxId }).from(creditLines).where(eq(creditLines.id, creditLineId));
  if (!line) throw new Error(`credit line ${creditLineId} not found`);
  const bodyCreditLineId = sql`(${ledgerEntries.entryCanonical}::jsonb #>> '{signed,transaction,body,creditLineId}')`;
  const rows = await db
    .select({ entryCanonical: ledgerEntries.entryCanonical })
    .from(ledgerEntries)
    .where(
      and(
        lt(ledgerEntries.leafIndex, size),
        or(
          eq(ledgerEntries.leafIndex, 0),
          and(arrayOverlaps(ledgerEntries.claimIds, chain), notInArray(ledgerEntries.type, ["repayment.record", "claim.markOverdue"])),
          eq(ledgerEntries.txId, line.createdTxId),
          and(inArray(ledgerEntries.type, ["creditLine.adjust", "creditLine.freeze", "creditLine.expire"]), eq(bodyCreditLineId, creditLineId)),
          inArray(ledgerEntries.type, ["key.register", "key.rotate"]),
        ),
      ),
    )
    .orderBy(asc(ledgerEntries.leafIndex));
  return rows.map((row) => JSON.parse(row.entryCanonical) as LogEntry);
}

export async function fastBundle(db: Db, claimId: string): Promise<{ bundle: ProvenanceBundle; seconds: { select: number; leaves: number; tree: number } }> {
  const t0 = now();
  const { chain, creditLineId } = await lineage(db, claimId);
  const checkpoint = await latestCheckpoint(db);
  if (!checkpoint) throw new Error("no checkpoint");
  const size = checkpoint.checkpoint.size;
  const entries = selectProvenanceEntries(await candidates(db, chain, creditLineId, size), claimId);
  const t1 = now();
  const rows = await db.select({ leafHash: ledgerEntries.leafHash }).from(ledgerEntries).where(lt(ledgerEntries.leafIndex, size)).orderBy(asc(ledgerEntries.leafIndex));
  const t2 = now();
  const tree = new SubtreeHashes(rows.map((row) => hexToBytes(row.leafHash, 32)));
  const inclusionProofs = entries.map((entry) => ({
    leafIndex: entry.leafIndex,
    proofHex: inclusionPathRanges(size, entry.leafIndex).map((range) => bytesToHex(tree.root(range.start, range.end))),
  }));
  const t3 = now();
  return { bundle: { claimId, entries, inclusionProofs, checkpoint }, seconds: { select: (t1 - t0) / 1000, leaves: (t2 - t1) / 1000, tree: (t3 - t2) / 1000 } };
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

/**
 * WebCrypto variant: check every signature the bundle carries with crypto.subtle (async,
 * all at once), then replay with those answers. The triples are collected beforehand by a
 * recording pass that is not timed (a real implementation collects them while parsing).
 */
async function timeWebCrypto(bundle: ProvenanceBundle, operatorPublicKey: Uint8Array, iterations: number): Promise<number> {
  const triples: { publicKey: Uint8Array; message: Uint8Array; signature: Uint8Array }[] = [];
  verifyProvenance(bundle, operatorPublicKey, (publicKey, message, signature) => {
    triples.push({ publicKey, message, signature });
    return nodeVerifier(publicKey, message, signature);
  });
  const key = (t: { publicKey: Uint8Array; message: Uint8Array; signature: Uint8Array }) => `${bytesToHex(t.publicKey)}${bytesToHex(t.message)}${bytesToHex(t.signature)}`;
  const samples: number[] = [];
  for (let i = 0; i < iterations + 2; i++) {
    const t0 = now();
    const keys = new Map<string, CryptoKey>();
    const ok = new Set<string>();
    await Promise.all(
      triples.map(async (t) => {
        const hex = bytesToHex(t.publicKey);
        let cryptoKey = keys.get(hex);
        if (!cryptoKey) {
          cryptoKey = await webcrypto.subtle.importKey("raw", t.publicKey, { name: "Ed25519" }, false, ["verify"]);
          keys.set(hex, cryptoKey);
        }
        if (await webcrypto.subtle.verify({ name: "Ed25519" }, cryptoKey, t.signature, t.message)) ok.add(key(t));
      }),
    );
    const result = verifyProvenance(bundle, operatorPublicKey, (publicKey, message, signature) => ok.has(key({ publicKey, message, signature })));
    const ms = now() - t0;
    if (!result.ok) throw new Error(`provenance does not verify with WebCrypto answers: ${result.code}`);
    if (i >= 2) samples.push(ms);
  }
  return stats(samples).p50;
}

export async function measureProvenance(db: Db, options: { label: string; depth: number; iterations: number; profile?: string | undefined }): Promise<ProvenanceResult> {
  section(`Provenance of a depth-${options.depth} lineage (${options.label})`);
  const target = await deepClaim(db, options.depth);
  if (!target) throw new Error("the ledger has no claims");
  const { bundle, seconds } = await fastBundle(db, target.id);
  const operatorPublicKey = (await loadPlatformKey(db)).publicKey;
  const ledgerSize = bundle.checkpoint.checkpoint.size;
  const bundleBytes = Buffer.byteLength(canonicalJson(bundle));
  const signatures = 1 + bundle.entries.reduce((sum, e) => sum + 1 + e.signed.cosignatures.length, 0);
  const proofHashes = bundle.inclusionProofs.reduce((sum, p) => sum + p.proofHex.length, 0);
  const profiler = options.profile !== undefined ? new Profiler() : null;
  await profiler?.start();
  const nobleMs = timeVerify(bundle, operatorPublicKey, nobleVerifier, options.iterations);
  const profile = profiler ? await profiler.stop(options.profile ?? null) : [];
  const nodeMs = timeVerify(bundle, operatorPublicKey, nodeVerifier, options.iterations);
  const webCryptoMs = await timeWebCrypto(bundle, operatorPublicKey, options.iterations);
  const buildSeconds = seconds.select + seconds.leaves + seconds.tree;
  say(`ledger of ${fmt(ledgerSize)} transactions; claim ${target.id} at depth ${target.depth}`);
  say(`bundle: ${bundle.entries.length} entries, ${signatures} signatures, ${proofHashes} proof hashes, ${fmt(bundleBytes)} bytes (canonical JSON)`);
  say(`built in ${buildSeconds.toFixed(1)} s: select ${seconds.select.toFixed(1)} s, read ${fmt(ledgerSize)} leaf hashes ${seconds.leaves.toFixed(1)} s, hash the tree once ${seconds.tree.toFixed(1)} s`);
  say(`verifyProvenance, median of ${options.iterations}: @noble/curves (browser today) ${nobleMs.toFixed(1)} ms; node:crypto ${nodeMs.toFixed(1)} ms; WebCrypto Ed25519 pre-check + replay ${webCryptoMs.toFixed(1)} ms`);
  if (profile.length > 0) {
    say("  CPU of the @noble/curves runs by file (self time):");
    for (const line of profile) say(`    ${line}`);
  }
  return { ledgerSize, claimId: target.id, depth: target.depth, entries: bundle.entries.length, signatures, proofHashes, bundleBytes, buildSeconds, nobleMs, nodeMs, webCryptoMs };
}

/** The server's own buildProvenanceBundle against the fast one: same bundle, and its time. */
export async function crossCheck(db: Db, depth: number): Promise<{ serverSeconds: number; entries: number; ledgerSize: number }> {
  const target = await deepClaim(db, depth);
  if (!target) throw new Error("the ledger has no claims");
  const fast = await fastBundle(db, target.id);
  const t0 = now();
  const server = await buildProvenanceBundle(db, target.id);
  const serverSeconds = (now() - t0) / 1000;
  if (canonicalJson(server) !== canonicalJson(fast.bundle)) throw new Error("the bench's bundle differs from buildProvenanceBundle's");
  const ledgerSize = server.checkpoint.checkpoint.size;
  say(`server buildProvenanceBundle on a ledger of ${fmt(ledgerSize)} tx, depth-${target.depth} claim (${server.entries.length} entries): ${fmt(serverSeconds * 1000)} ms (same bundle as the bench's)`);
  return { serverSeconds, entries: server.entries.length, ledgerSize };
}
