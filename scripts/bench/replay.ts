/**
 * Full replay verification: the log exported from the database and replayed from genesis by
 * verifyLog (every signature and cosignature, transaction ids, leaf hashes, Merkle roots at
 * every checkpoint, the checkpoint chain, every contract rule), as `npm run verify -- --export`
 * does. Timed apart from reading the rows, which is reported on its own; the full mode
 * also times `npm run verify` itself (verifyDatabase: read, replay, compare every table).
 */
import type { Db } from "@/db/client";
import { verifyLog } from "@/contracts/verify-log";
import { nodeVerifier } from "@/server/crypto/node-verifier";
import { exportLedger, verifyDatabase } from "@/server/ledger/export";
import { fmt, now, say, section } from "./common";
import { CpuMeter, describeCpu, Profiler } from "./cpu";

export interface ReplayResult {
  transactions: number;
  exportSeconds: number;
  replaySeconds: number;
  replayTxPerSecond: number;
  verifyDatabaseTxPerSecond: number | null;
}

export async function measureReplay(db: Db, options: { full: boolean; profile: string | null | undefined }): Promise<ReplayResult> {
  section("Replay verification (verifyLog from genesis, node:crypto verifier)");
  const t0 = now();
  const exported = await exportLedger(db);
  const exportSeconds = (now() - t0) / 1000;
  const profiler = options.profile !== undefined ? new Profiler() : null;
  await profiler?.start();
  const meter = new CpuMeter();
  const t1 = now();
  const result = verifyLog(exported, nodeVerifier);
  const replaySeconds = (now() - t1) / 1000;
  const cpu = meter.stop();
  const profile = profiler ? await profiler.stop(options.profile ?? null) : [];
  if (!result.ok) throw new Error(`replay failed: ${result.failure.code} at ${result.failure.where} ${result.failure.index}: ${result.failure.detail}`);
  const transactions = result.summary.transactions;
  say(`read ${fmt(transactions)} entries and ${fmt(result.summary.checkpoints)} checkpoints from the database in ${exportSeconds.toFixed(1)} s`);
  say(`replayed ${fmt(transactions)} transactions in ${replaySeconds.toFixed(1)} s = ${fmt(transactions / replaySeconds)} tx/s (one thread)`);
  say(`  ${describeCpu(cpu)}`);
  if (profile.length > 0) {
    say("  CPU by file (self time):");
    for (const line of profile) say(`    ${line}`);
  }
  let verifyDatabaseTxPerSecond: number | null = null;
  if (options.full) {
    const verified = await verifyDatabase(db, nodeVerifier);
    if (!verified.ok) throw new Error(`npm run verify would fail: ${JSON.stringify(verified.failure)}`);
    verifyDatabaseTxPerSecond = transactions / verified.seconds;
    say(`npm run verify (read + replay + compare every table): ${verified.seconds.toFixed(1)} s = ${fmt(verifyDatabaseTxPerSecond)} tx/s`);
  }
  return { transactions, exportSeconds, replaySeconds, replayTxPerSecond: transactions / replaySeconds, verifyDatabaseTxPerSecond };
}
