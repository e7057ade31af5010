/**
 * Ledger throughput: signed split-and-transfer transactions (claim.split handing a part of
 * a held claim to another supplier, the holder keeping the rest) committed through the
 * ledger service (submitBatch: one database transaction and one checkpoint per block,
 * under the ledger_head row lock), with several submitters at once so that signature
 * checks (done before the lock) overlap with the locked work of the block in flight; and
 * single submissions (submitWire, as the API sends them), which group commit joins
 * into blocks.
 *
 * Transactions are built and signed before the clock starts: signing is the client's job.
 * Each chain of splits (a claim, then the part its holder kept, ...) stays in one lane, so
 * no block ever depends on a block of another lane.
 */
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { and, eq, like, sql } from "drizzle-orm";
import * as schema from "@/db/schema";
import { claims } from "@/db/schema";
import type { Db } from "@/db/client";
import { deriveId } from "@/contracts/canonical";
import { encodeSignedTransaction, type WireSignedTransaction } from "@/contracts/ledger/schema";
import { openVerifyPool } from "@/server/crypto/verify-pool";
import type { BatchSignatureVerifier } from "@/contracts/signing";
import { createLedgerSubmitter, sealWire, submitBatch, type LedgerOptions } from "@/server/ledger/service";
import { fmt, now, say, section, stats, type Stats } from "./common";
import { CpuMeter, describeCpu, Profiler, type CpuReport } from "./cpu";
import { benchIdentity, signTx, type Identity } from "./seed-core";
import { randomBytes } from "node:crypto";

export interface ThroughputRun {
  label: string;
  blockSize: number;
  lanes: number;
  mode: "batch" | "single" | "pipelined";
  transactions: number;
  seconds: number;
  txPerSecond: number;
  latency: Stats;
  queriesPerTx: number | null;
  cpu: CpuReport;
  profile: string[];
}

export interface ThroughputConfig {
  label: string;
  blockSize: number;
  lanes: number;
  transactions: number;
  /** Stop starting new blocks after this many seconds. */
  maxSeconds: number;
  /**
   * "single": each submitter sends one transaction at a time through submitWire, as
   * the API does, and the service's group commit makes the blocks (blockSize is ignored).
   * "pipelined": each submitter hands its block's transactions to the group-committing
   * submitter at once (as many clients would), so the blocks are pipelined: one is applied
   * on the state the one before leaves while that one is written (service.ts commitInPipeline).
   */
  mode?: "batch" | "single" | "pipelined";
  profile?: string | null;
  /**
   * Hands the service's signature checks to a pool of this many worker threads
   * (LedgerOptions.batchVerifier), so they run on another core; without it they run on the
   * submitting thread, before the lock.
   */
  verifyThreads?: number;
  /** Called after each committed block, as the app's runtime kicks its witness cosigner (scripts/bench/witness-lag.ts). */
  afterBlock?: () => void;
}

/** A database handle that counts the queries it sends (postgres.js debug hook), or the given one (PGlite). */
export function countingDb(url: string | null, fallback: Db, max = 10): { db: Db; queries: () => number; close: () => Promise<void> } {
  if (!url) return { db: fallback, queries: () => Number.NaN, close: async () => {} };
  let count = 0;
  const client = postgres(url, { max, onnotice: () => {}, debug: () => void count++ });
  return { db: drizzle(client, { schema }) as unknown as Db, queries: () => count, close: () => client.end({ timeout: 5 }) };
}

interface Chain {
  claimId: string;
  holder: Identity;
  outstanding: bigint;
}

/** Held bench claims, one per issuance, with the suppliers that can receive parts. */
async function heldChains(db: Db, wanted: number): Promise<{ chains: Chain[]; receivers: string[] }> {
  const rows = await db
    .selectDistinctOn([claims.rootId], { id: claims.id, holder: claims.holderOrgId, amount: claims.amountMinor, settled: claims.settledMinor })
    .from(claims)
    .where(and(eq(claims.state, "held"), like(claims.holderOrgId, "bsup_%"), sql`${claims.activeFinancingId} is null`, sql`${claims.maturityDate} > to_char(now() + interval '2 days', 'YYYY-MM-DD')`))
    .orderBy(claims.rootId)
    .limit(wanted);
  const identities = new Map<string, Identity>();
  const identity = (orgId: string) => {
    let found = identities.get(orgId);
    if (!found) identities.set(orgId, (found = benchIdentity(orgId)));
    return found;
  };
  const receivers = (await db.select({ id: schema.ledgerOrganisations.id }).from(schema.ledgerOrganisations).where(like(schema.ledgerOrganisations.id, "bsup_%"))).map((r) => r.id);
  return { chains: rows.map((r) => ({ claimId: r.id, holder: identity(r.holder), outstanding: r.amount - r.settled })), receivers };
}

/**
 * Signed splits for `lanes` lanes: each lane gets its chains and, for each step of the
 * chains, one split per chain, so every step follows the one it depends on.
 */
export async function prepareSplits(db: Db, count: number, lanes: number, chainLength: number): Promise<WireSignedTransaction[][]> {
  const { chains, receivers } = await heldChains(db, Math.ceil(count / chainLength));
  if (chains.length === 0 || receivers.length < 2) throw new Error("the bench database has no held claims to split: seed it first (bench:seed)");
  const perLane: WireSignedTransaction[][] = Array.from({ length: lanes }, () => []);
  let made = 0;
  let nonceCounter = 0;
  const nonceBase = randomBytes(8).toString("hex");
  for (let step = 0; step < chainLength && made < count; step++) {
    for (const [index, chain] of chains.entries()) {
      if (made >= count) break;
      if (chain.outstanding < 100n) continue;
      let to = receivers[(index * 7 + step * 13) % receivers.length] as string;
      if (to === chain.holder.orgId) to = receivers[(index * 7 + step * 13 + 1) % receivers.length] as string;
      const part = chain.outstanding / 50n;
      const kept = chain.outstanding - part;
      const nonce = `${nonceBase}${(nonceCounter++).toString(16).padStart(16, "0")}`;
      const { signed, txId } = signTx(chain.holder, "claim.split", { claimId: chain.claimId, parts: [{ toOrgId: to, amountMinor: part }, { toOrgId: chain.holder.orgId, amountMinor: kept }] }, nonce, Date.now());
      (perLane[index % lanes] as WireSignedTransaction[]).push(encodeSignedTransaction(signed));
      chain.claimId = deriveId("c", txId, 1);
      chain.outstanding = kept;
      made += 1;
    }
  }
  return perLane;
}

/** Runs the lanes concurrently, block after block, and measures commits. */
export async function runThroughput(db: Db, queries: () => number, config: ThroughputConfig, batchVerifier: BatchSignatureVerifier | null = null): Promise<ThroughputRun> {
  const options: LedgerOptions = batchVerifier ? { batchVerifier } : {};
  // "single" goes through a group-committing submitter, as the API's runtime does.
  const ledger = createLedgerSubmitter(db, options);
  const lanes = await prepareSplits(db, config.transactions, config.lanes, 4);
  // Before the clock: one transaction, so the process's first block (which builds the state
  // map's mirror from the tables: seconds on a ledger of 30,000) is not counted. A server
  // builds it once, at its first block.
  const warmUp = sealWire((lanes[0] as WireSignedTransaction[]).shift());
  if ("status" in warmUp) throw new Error(`bench transaction malformed: ${warmUp.detail}`);
  if ((await submitBatch(db, [warmUp], options))[0]?.status !== "accepted") throw new Error("the warm-up transaction was refused");
  const latencies: number[] = [];
  let committed = 0;
  const profiler = config.profile !== undefined ? new Profiler() : null;
  await profiler?.start();
  const queriesBefore = queries();
  const meter = new CpuMeter();
  const started = now();
  const deadline = started + config.maxSeconds * 1000;
  await Promise.all(
    lanes.map(async (lane) => {
      const blockSize = config.mode === "single" ? 1 : config.blockSize;
      for (let i = 0; i < lane.length && now() < deadline; i += blockSize) {
        const block = lane.slice(i, i + blockSize);
        const t0 = now();
        // Decoded here, as the API's edge does before the engine (sealWire).
        const sealed = block.map((wire) => {
          const decoded = sealWire(wire);
          if ("status" in decoded) throw new Error(`bench transaction malformed: ${decoded.detail}`);
          return decoded;
        });
        const results =
          config.mode === "single"
            ? [await ledger.submit(sealed[0]!)]
            : config.mode === "pipelined"
              ? await Promise.all(sealed.map((transaction) => ledger.submit(transaction)))
              : await submitBatch(db, sealed, options);
        const ms = now() - t0;
        const refused = results.filter((r) => r.status !== "accepted");
        if (refused.length > 0) {
          const first = refused[0] as { code?: string; detail?: string };
          throw new Error(`${refused.length} of ${results.length} refused, first: ${first.code} ${first.detail ?? ""}`);
        }
        for (let k = 0; k < block.length; k++) latencies.push(ms);
        committed += block.length;
        config.afterBlock?.();
      }
    }),
  );
  const seconds = (now() - started) / 1000;
  const cpu = meter.stop();
  const queryCount = queries() - queriesBefore;
  const profile = profiler ? await profiler.stop(config.profile ?? null) : [];
  return {
    label: config.label,
    blockSize: config.blockSize,
    lanes: config.lanes,
    mode: config.mode ?? "batch",
    transactions: committed,
    seconds,
    txPerSecond: committed / seconds,
    latency: stats(latencies),
    queriesPerTx: Number.isNaN(queryCount) ? null : queryCount / committed,
    cpu,
    profile,
  };
}

export function reportThroughput(run: ThroughputRun): void {
  say(
    `${run.label}: ${fmt(run.transactions)} tx in ${run.seconds.toFixed(1)} s = ${fmt(run.txPerSecond)} tx/s; ` +
      `commit latency p50 ${fmt(run.latency.p50)} ms, p99 ${fmt(run.latency.p99)} ms` +
      (run.queriesPerTx === null ? "" : `; ${run.queriesPerTx < 1 ? run.queriesPerTx.toFixed(3) : run.queriesPerTx.toFixed(1)} SQL statements per tx`),
  );
  say(`  ${describeCpu(run.cpu)}`);
  if (run.profile.length > 0) {
    say("  this process's CPU by file (self time):");
    for (const line of run.profile) say(`    ${line}`);
  }
}

export async function measureLedger(db: Db, url: string | null, configs: ThroughputConfig[]): Promise<ThroughputRun[]> {
  section("Ledger throughput: signed splits through submitBatch (blocks, one checkpoint each)");
  const runs: ThroughputRun[] = [];
  for (const config of configs) {
    const counting = countingDb(url, db, Math.max(10, config.lanes + 2));
    const pool = config.verifyThreads ? openVerifyPool(config.verifyThreads) : null;
    try {
      const run = await runThroughput(counting.db, counting.queries, config, pool?.verifier ?? null);
      reportThroughput(run);
      runs.push(run);
    } finally {
      await pool?.close();
      await counting.close();
    }
  }
  return runs;
}
