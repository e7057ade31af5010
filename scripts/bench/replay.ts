/**
 * Full replay verification: the log exported from the database and replayed from genesis by
 * verifyLog (every signature and cosignature, transaction ids, leaf hashes, Merkle roots at
 * every checkpoint, the checkpoint chain, every contract rule), as `npm run verify -- --export`
 * does. Timed apart from reading the rows, which is reported on its own; the full mode
 * also times `npm run verify` itself (verifyDatabase: read, replay, compare every table).
 */
import type { Db } from "@/db/client";
import { runWithBatchVerifier } from "@/contracts/signing";
import { verifyLog } from "@/contracts/verify-log";
import { nodeVerifier } from "@/server/crypto/node-verifier";
import { defaultVerifyThreads, openVerifyPool } from "@/server/crypto/verify-pool";
import { exportLedger, verifyDatabase } from "@/server/ledger/export";
import { fmt, now, say, section } from "./common";
import { CpuMeter, describeCpu, Profiler } from "./cpu";

export interface ReplayResult {
  transactions: number;
  exportSeconds: number;
  replaySeconds: number;
  replayTxPerSecond: number;
  oneThreadTxPerSecond: number;
  verifyDatabaseTxPerSecond: number | null;
}

export async function measureReplay(db: Db, options: { full: boolean; profile: string | null | undefined }): Promise<ReplayResult> {
  section(`Replay verification (verifyLog from genesis; signatures on ${defaultVerifyThreads()} worker thread(s), node:crypto)`);
  const t0 = now();
  const exported = await exportLedger(db);
  const exportSeconds = (now() - t0) / 1000;
  const pool = openVerifyPool();
  await runWithBatchVerifier((verifier) => verifyLog({ ...exported, entries: exported.entries.slice(0, 200), checkpoints: [] }, verifier), pool.verifier, nodeVerifier); // workers warm
  const profiler = options.profile !== undefined ? new Profiler() : null;
  await profiler?.start();
  const meter = new CpuMeter();
  const t1 = now();
  const result = await runWithBatchVerifier((verifier) => verifyLog(exported, verifier), pool.verifier, nodeVerifier);
  const replaySeconds = (now() - t1) / 1000;
  const cpu = meter.stop();
  const profile = profiler ? await profiler.stop(options.profile ?? null) : [];
  if (!result.ok) throw new Error(`replay failed: ${result.failure.code} at ${result.failure.where} ${result.failure.index}: ${result.failure.detail}`);
  const transactions = result.summary.transactions;
  const t2 = now();
  const oneThread = verifyLog(exported, nodeVerifier);
  const oneThreadSeconds = (now() - t2) / 1000;
  if (!oneThread.ok) throw new Error("the one-thread replay disagrees");
  say(`read ${fmt(transactions)} entries and ${fmt(result.summary.checkpoints)} checkpoints from the database in ${exportSeconds.toFixed(1)} s`);
  say(`replayed ${fmt(transactions)} transactions in ${replaySeconds.toFixed(1)} s = ${fmt(transactions / replaySeconds)} tx/s (signatures on worker threads)`);
  say(`  ${describeCpu(cpu)} (the CPU of worker threads counts as this process)`);
  say(`one thread, verifying as it goes: ${oneThreadSeconds.toFixed(1)} s = ${fmt(transactions / oneThreadSeconds)} tx/s`);
  if (profile.length > 0) {
    say("  CPU of the replaying thread by file (self time):");
    for (const line of profile) say(`    ${line}`);
  }
  let verifyDatabaseTxPerSecond: number | null = null;
  if (options.full) {
    const verified = await verifyDatabase(db, nodeVerifier, pool.verifier);
    if (!verified.ok) throw new Error(`npm run verify would fail: ${JSON.stringify(verified.failure)}`);
    verifyDatabaseTxPerSecond = transactions / verified.seconds;
    say(`npm run verify (read + replay + compare every table): ${verified.seconds.toFixed(1)} s = ${fmt(verifyDatabaseTxPerSecond)} tx/s`);
  }
  await pool.close();
  return { transactions, exportSeconds, replaySeconds, replayTxPerSecond: transactions / replaySeconds, oneThreadTxPerSecond: transactions / oneThreadSeconds, verifyDatabaseTxPerSecond };
}
