// npm run bench [-- --quick] [--only limits,ledger,replay,provenance,api] [--ledger-db NAME]
//               [--scratch-db NAME] [--keep] [--profile DIR] [--no-build] [--server next]
//
// Measures, in one run: the machine's Ed25519/SHA-256 limits; ledger throughput through the
// ledger service; full replay verification; provenance verification of a depth-10 lineage
// in the big ledger built by `npm run bench:seed -- --tx 1000000` (database --ledger-db,
// default dc_bench_ledger; a smaller ledger is used, and said, when it is missing); the API
// under load against `next start`. DATABASE_URL names a PostgreSQL server (the bench makes
// its own databases there); without it everything runs on embedded PGlite under data/bench/.
// The last line is the summary: ledger_tx_per_s=N verify_limit_per_s=N ratio=N api_p95_ms=N
// provenance_verify_ms=N replay_tx_per_s=N api_rps=N api_p95_ms_at_100=N api_floor_ratio=N instances=N
// (the API's figures with the most instances measured: --instances 1,3 by default on
// PostgreSQL with haproxy installed; --port N puts the app, or its balancer, on port N).
import os from "node:os";
import path from "node:path";
import { argFlag, argValue, fmt, machine, round, say, section } from "./common";
import { databaseExists, dropDatabase, openBenchDatabase, serverUrl, type BenchDatabase } from "./db";
import { measureLimits, type Limits } from "./limits";
import { measureLedger, type ThroughputConfig, type ThroughputRun } from "./ledger";
import { measureReplay, type ReplayResult } from "./replay";
import { crossCheck, measureProvenance, type ProvenanceResult } from "./provenance";
import { ensureBuilt, haproxyInstalled, measureApi, type ApiResult } from "./api";
import { seedBenchLedger } from "./seed-core";
import fs from "node:fs";
import { installNodeSha256 } from "@/server/crypto/node-hash";

// This process hashes with node:crypto (the contracts default to @noble/hashes).
installNodeSha256();

const argv = process.argv.slice(2);
const quick = argFlag(argv, "quick");
const only = new Set((argValue(argv, "only") ?? "limits,ledger,replay,provenance,api").split(","));
const ledgerDbName = argValue(argv, "ledger-db") ?? "dc_bench_ledger";
const scratchName = argValue(argv, "scratch-db") ?? "dc_bench_run";
const profileDir = argValue(argv, "profile");
const profile = (name: string) => (profileDir === undefined ? undefined : path.join(profileDir, `${name}.cpuprofile`));

const started = performance.now();
say(`Double-chain benchmarks (${quick ? "quick" : "full"}) — ${new Date().toISOString()}`);
say(`machine: ${machine()}; load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
say(`database: ${serverUrl() ? `PostgreSQL server ${new URL(serverUrl() as string).host}` : "embedded PGlite (set DATABASE_URL for a PostgreSQL server)"}`);

let limits: Limits | null = null;
let ledgerRuns: ThroughputRun[] = [];
let replay: ReplayResult | null = null;
let provenance: ProvenanceResult | null = null;
let api: ApiResult | null = null;

if (only.has("limits")) limits = await measureLimits({ quick });

const needsScratch = only.has("ledger") || only.has("replay") || only.has("api") || only.has("provenance");
let scratch: BenchDatabase | null = null;
if (needsScratch) {
  section("Scratch ledger for this run");
  scratch = await openBenchDatabase(scratchName, { fresh: true, max: 10 });
  const transactions = quick ? 30_000 : 120_000;
  const seeded = await seedBenchLedger(scratch.db, { transactions, blockSize: 1000, seed: 11, demoPrograms: 150, concurrentPrograms: Math.min(2000, Math.max(50, transactions / 100)), log: () => {} });
  say(`${scratch.label}: demo data + ${fmt(seeded.appended)} signed transactions in ${seeded.seconds.toFixed(1)} s (${fmt(seeded.appended / seeded.seconds)} tx/s, bench seed path)`);
}

if (scratch && only.has("ledger")) {
  const configs: ThroughputConfig[] = quick
    ? [
        { label: "blocks of 500, 2 submitters", blockSize: 500, lanes: 2, transactions: 6000, maxSeconds: 25 },
        { label: "blocks of 500, 2 submitters, signatures on a worker thread", blockSize: 500, lanes: 2, transactions: 6000, maxSeconds: 25, verifyThreads: 1 },
        { label: "blocks of 500, 2 submitters, pipelined (group commit), signatures on a worker thread", blockSize: 500, lanes: 2, transactions: 9000, maxSeconds: 25, verifyThreads: 1, mode: "pipelined" },
        { label: "one transaction per block, 8 submitters", blockSize: 1, lanes: 8, transactions: 1500, maxSeconds: 12 },
        { label: "single submissions, 64 submitters (group commit)", blockSize: 1, lanes: 64, transactions: 6000, maxSeconds: 15, mode: "single" },
      ]
    : [
        { label: "blocks of 100, 2 submitters", blockSize: 100, lanes: 2, transactions: 8000, maxSeconds: 40 },
        { label: "blocks of 500, 2 submitters", blockSize: 500, lanes: 2, transactions: 16000, maxSeconds: 60 },
        { label: "blocks of 500, 4 submitters", blockSize: 500, lanes: 4, transactions: 16000, maxSeconds: 60 },
        { label: "blocks of 500, 2 submitters, signatures on a worker thread", blockSize: 500, lanes: 2, transactions: 16000, maxSeconds: 60, verifyThreads: 1 },
        { label: "blocks of 500, 4 submitters, signatures on a worker thread", blockSize: 500, lanes: 4, transactions: 16000, maxSeconds: 60, verifyThreads: 1 },
        { label: "blocks of 500, 2 submitters, pipelined (group commit), signatures on a worker thread", blockSize: 500, lanes: 2, transactions: 16000, maxSeconds: 60, verifyThreads: 1, mode: "pipelined" },
        { label: "blocks of 2000, 2 submitters", blockSize: 2000, lanes: 2, transactions: 16000, maxSeconds: 60 },
        { label: "one transaction per block, 8 submitters", blockSize: 1, lanes: 8, transactions: 3000, maxSeconds: 30 },
        { label: "single submissions, 8 submitters (group commit)", blockSize: 1, lanes: 8, transactions: 3000, maxSeconds: 30, mode: "single" },
        { label: "single submissions, 64 submitters (group commit)", blockSize: 1, lanes: 64, transactions: 16000, maxSeconds: 60, mode: "single" },
      ];
  if (profileDir !== undefined) configs.push({ label: "profiled: blocks of 500, 2 submitters, pipelined, signatures on a worker thread", blockSize: 500, lanes: 2, transactions: 6000, maxSeconds: 20, verifyThreads: 1, mode: "pipelined", profile: profile("ledger") ?? null });
  const url = scratch.env.DATABASE_URL ?? null;
  ledgerRuns = await measureLedger(scratch.db, url, configs);
}

if (scratch && only.has("replay")) replay = await measureReplay(scratch.db, { full: !quick, profile: profile("replay") });

if (only.has("provenance")) {
  const base = serverUrl();
  const bigExists = base ? await databaseExists(base, ledgerDbName) : fs.existsSync(path.resolve("data", "bench", ledgerDbName));
  if (bigExists) {
    const big = await openBenchDatabase(ledgerDbName, { fresh: false, max: 4 });
    try {
      provenance = await measureProvenance(big.db, { label: big.label, depth: 10, iterations: quick ? 10 : 50, profile: profile("provenance") });
    } finally {
      await big.close();
    }
  } else if (scratch) {
    say();
    say(`no big ledger (${ledgerDbName}): build it once with`);
    say(`  ${base ? `DATABASE_URL=${base} ` : ""}npm run bench:seed -- --tx 1000000 --db ${ledgerDbName}`);
    provenance = await measureProvenance(scratch.db, { label: `scratch ledger, not the 1,000,000-transaction one`, depth: 10, iterations: quick ? 10 : 50, profile: profile("provenance") });
  }
  if (scratch) await crossCheck(scratch.db, quick ? 2 : 10);
}

if (scratch && only.has("api")) {
  const built = await ensureBuilt({ build: !argFlag(argv, "no-build"), waitSeconds: 120 });
  if (!built) {
    section("API under load");
    say("skipped: no production build (npm run build)");
  } else {
    const db = scratch;
    // One instance, then three behind haproxy (PostgreSQL only: PGlite allows one process).
    const wanted = (argValue(argv, "instances") ?? (serverUrl() && haproxyInstalled() ? "1,3" : "1")).split(",").map(Number);
    const port = argValue(argv, "port");
    const options = {
      levels: [50, 200],
      seconds: quick ? 15 : 60,
      maxRequests: quick ? 20_000 : 100_000,
      warmupSeconds: quick ? 5 : 10,
      timeoutSeconds: quick ? 15 : 30,
      instances: wanted,
      floorSeconds: quick ? 5 : 15,
      openLoopPerSecond: 100,
      openLoopSeconds: quick ? 20 : 60,
      ...(port === undefined ? {} : { port: Number(port) }),
      // --server next: every instance is plain `next start` (every request through Next's pipeline), the before of issue 17's API tier.
      server: argValue(argv, "server") === "next" ? ("next" as const) : ("serve" as const),
    };
    api = await measureApi(db.db, db.env, options, async () => {
      await db.close();
      scratch = null;
    });
  }
}

if (scratch) await scratch.close();
const base = serverUrl();
if (needsScratch && !argFlag(argv, "keep")) {
  if (base) await dropDatabase(base, scratchName);
  else fs.rmSync(path.resolve("data", "bench", scratchName), { recursive: true, force: true });
}

section("Summary");
const n = (value: number | undefined, digits = 0) => (value === undefined || Number.isNaN(value) ? "NaN" : String(round(value, digits)));
const best = ledgerRuns.filter((r) => (r.blockSize > 1 || r.mode === "single") && !r.label.startsWith("profiled")).sort((a, b) => b.txPerSecond - a.txPerSecond)[0] ?? ledgerRuns[0];
const ledgerTx = best ? best.txPerSecond : Number.NaN;
const limit = limits ? limits.fastest : Number.NaN;
const apiOne = api?.runs.find((run) => run.instances === 1) ?? api?.runs[0];
const apiLast = api?.runs.at(-1);
const api200 = apiOne?.levels.find((l) => l.clients === 200) ?? apiOne?.levels.at(-1);
if (best) say(`ledger: ${fmt(ledgerTx)} tx/s (${best.label}), commit p50 ${fmt(best.latency.p50)} ms, p99 ${fmt(best.latency.p99)} ms (target 3,000 tx/s)`);
if (limits) say(`verification limit: ${fmt(limit)} Ed25519 verifications/s; ratio ${(ledgerTx / limit).toFixed(3)} (target 0.5)`);
const apiFigures = (run: NonNullable<typeof apiLast>) =>
  `api_rps=${n(run.apiRps)} api_p95_ms_at_100=${n(run.openLoop.latency.p95)} api_floor_ratio=${n(run.floorRatio, 3)} instances=${run.instances}`;
for (const run of api?.runs ?? []) {
  say(`API, ${run.instances} instance${run.instances === 1 ? "" : "s"}:`);
  for (const level of run.levels) say(`  ${level.clients} clients: ${fmt(level.requestsPerSecond, 1)} req/s, p95 ${fmt(level.latency.p95)} ms, ${level.errors} errors`);
  const floorRps = run.floor.map((l) => fmt(l.requestsPerSecond)).join(", ");
  const bareRps = run.bare.map((l) => fmt(l.requestsPerSecond)).join(", ");
  say(`  floor (ledger.operatorKey, 50 clients) ${floorRps} req/s; bare Next.js route (/healthz) ${bareRps} req/s; ratio ${run.floorRatio.toFixed(3)} (target 1.5)`);
  say(`  open loop at ${run.openLoop.offeredPerSecond} req/s: p95 ${fmt(run.openLoop.latency.p95)} ms, ${run.openLoop.errors} errors (target 100 ms); saturation ${fmt(run.apiRps, 1)} req/s (target 300)`);
  say(`  ${apiFigures(run)}`);
}
if (provenance) {
  say(
    `provenance: ${provenance.browserMs.toFixed(1)} ms in the browser's verifier (WebCrypto Ed25519; ${provenance.browserFirstMs.toFixed(1)} ms the first time, ` +
      `${provenance.nobleMs.toFixed(1)} ms with @noble/curves only), ${fmt(provenance.bundleBytes)} bytes, ledger of ${fmt(provenance.ledgerSize)} tx; ` +
      `server ${fmt(provenance.buildWarmMs, 1)} ms per bundle (target 20 ms)`,
  );
}
if (replay) say(`replay: ${fmt(replay.replayTxPerSecond)} tx/s (target 10,000)`);
say(`total time ${((performance.now() - started) / 1000).toFixed(0)} s`);
// The last line: the ledger's figures, then the API's with the most instances measured (each run's own line is above).
say(
  `ledger_tx_per_s=${n(ledgerTx)} verify_limit_per_s=${n(limit)} ratio=${n(ledgerTx / limit, 4)} api_p95_ms=${n(api200?.latency.p95)} ` +
    `provenance_verify_ms=${n(provenance?.browserMs, 1)} replay_tx_per_s=${n(replay?.replayTxPerSecond)}` +
    (apiLast ? ` ${apiFigures(apiLast)}` : " api_rps=NaN api_p95_ms_at_100=NaN api_floor_ratio=NaN instances=0"),
);
process.exit(0);
