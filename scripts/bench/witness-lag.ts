// DATABASE_URL=postgres://… npx tsx scripts/bench/witness-lag.ts [--db dc_bench_lag] [--rate 1000]
//     [--seconds 30] [--throughput-seconds 15] [--port-base 4630] [--block 100] [--cpu-prof DIR]
//     [--follow-ms 200] [--no-nice]
//
// Issue 13, "Measure": three real witness processes (scripts/witness.ts, each its own PGlite
// folder and key) follow a bench ledger (`npm run bench:seed -- --tx 30000 --db NAME` first):
// each polls the log's latest checkpoint every --follow-ms and replays up to it, and the ledger
// service asks them to cosign after every block, as the app's runtime does (WitnessCosigner.kick
// after each accepted commit, quorum 2 of 3; a round ends at the quorum). Prints:
//
//  - witness lag at a sustained rate: signed splits offered at --rate tx/s in blocks of --block,
//    paced by the clock; for each block, the time from its commit to the first checkpoint at or
//    past it that a quorum has cosigned (p50, p95, max);
//  - ledger throughput with cosigning against without: the same closed-loop load (4 lanes of
//    blocks of 100 through submitBatch), alternated without / with / without / with, and the
//    ratio of the totals. During a run "without", the log serves no checkpoint, so the
//    witnesses are idle (as if there were none); before each run "with" they catch up with
//    the runs before, untimed, so that run measures cosigning its own load.
//
// The witnesses run on the same machine as the ledger and the database. Both phases run twice:
// first with the witnesses at the ledger's priority (their replay takes CPU from the ledger:
// the worst case of a one-machine deployment), then with the witnesses reniced to 19 (standing
// in for witnesses on their own machines, as issue 13 intends them: what the ledger still pays
// is its own side of cosigning, the HTTP rounds, consistency proofs, storing cosignatures, and
// whatever CPU the witnesses still take from a fully busy 2-core machine). --no-nice skips the
// second. Prints figures; asserts nothing.
// --cpu-prof DIR runs the first witness under `node --cpu-prof` and leaves its .cpuprofile in DIR
// (summarise it with scripts/bench/cpuprofile-summary.ts).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import os from "node:os";
import path from "node:path";
import { argNumber, argValue, fmt, machine, say, section, sleep, stats } from "./common";
import { openBenchDatabase } from "./db";
import { prepareSplits, runThroughput, type ThroughputRun } from "./ledger";
import { inArray } from "drizzle-orm";
import { checkpointCosignatures } from "@/db/schema";
import { formatVerifierKey, NOTE_SIGNATURE_TYPE_ED25519, noteVerifierKey } from "@/contracts/note";
import { installNodeSha256 } from "@/server/crypto/node-hash";
import { nodeVerifier } from "@/server/crypto/node-verifier";
import { ledgerOrigin } from "@/server/env";
import { WitnessCosigner } from "@/server/ledger/cosign";
import { logCheckpoint, logEntries } from "@/server/ledger/log-api";
import { ProvenanceStore } from "@/server/ledger/provenance";
import { sealWire, submitBatch } from "@/server/ledger/service";
import { loadPlatformKey } from "@/server/platform/key";

installNodeSha256();

const argv = process.argv.slice(2);
const dbName = argValue(argv, "db") ?? "dc_bench_lag";
const rate = argNumber(argv, "rate", 1000);
const seconds = argNumber(argv, "seconds", 30);
const throughputSeconds = argNumber(argv, "throughput-seconds", 15);
const portBase = argNumber(argv, "port-base", 4630);
const blockSize = argNumber(argv, "block", 100);
const cpuProfDir = argValue(argv, "cpu-prof");
const followMs = argNumber(argv, "follow-ms", 200);
const alsoNiced = !argv.includes("--no-nice");
const TSX = path.resolve("node_modules", ".bin", "tsx");
const NAMES = ["witness.bank.example", "witness.factor.example", "witness.auditor.example"];

const children: ChildProcess[] = [];
const dirs: string[] = [];

function startWitness(index: number, logKey: string): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `lag-witness-${index}-`));
  dirs.push(dir);
  const args = ["scripts/witness.ts", "--name", NAMES[index]!, "--port", String(portBase + 1 + index), "--data", dir, "--origin", ledgerOrigin(), "--log-key", logKey, "--log-url", `http://127.0.0.1:${portBase}`, "--follow-ms", String(followMs)];
  // The profiled witness runs under node itself (--cpu-prof is refused in NODE_OPTIONS), tsx as its loader.
  const [command, commandArgs] = cpuProfDir !== undefined && index === 0 ? [process.execPath, ["--cpu-prof", `--cpu-prof-dir=${path.resolve(cpuProfDir)}`, "--import", "tsx", ...args]] : [TSX, args];
  const child = spawn(command, commandArgs, { stdio: ["ignore", "pipe", "pipe"], detached: true, env: { ...process.env, WITNESS_DATABASE_URL: "", SIDECAR_PARENT_PID: String(process.pid) } });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = "";
    const take = (chunk: Buffer) => {
      output += chunk.toString();
      const key = /witness key (\S+)/.exec(output);
      if (key && output.includes("listening")) resolve(key[1]!);
    };
    child.stdout?.on("data", take);
    child.stderr?.on("data", take);
    child.on("exit", (code) => reject(new Error(`witness ${NAMES[index]} exited with ${code}: ${output}`)));
  });
}

function stopWitnesses(): void {
  for (const child of children) {
    child.removeAllListeners("exit");
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
  }
}

/** Lowers the witnesses' priority (each is its own process group: tsx and the node it runs). */
function reniceWitnesses(niceness: number): void {
  for (const child of children) {
    const result = spawnSync("renice", ["-n", String(niceness), "-g", String(child.pid)], { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`renice failed: ${result.stderr}`);
  }
}

/** Rounds until every witness cosigned the head (untimed: they replay what they have not seen first). */
async function catchUp(cosigner: WitnessCosigner): Promise<number> {
  for (;;) {
    const round = await cosigner.cosignLatest();
    await cosigner.settle();
    if (round !== null && round.cosigned.length === NAMES.length) return round.size;
    await sleep(500);
  }
}

/** Paced blocks at `rate` tx/s; each block's commit time against the first quorum-cosigned checkpoint covering it. */
async function measureLag(database: Awaited<ReturnType<typeof openBenchDatabase>>, cosigner: WitnessCosigner) {
  const [lane] = await prepareSplits(database.db, rate * seconds, 1, 4);
  const blocks: { endSize: number; committedAt: number; cosignedAt: number | null }[] = [];
  let cosignedSize = 0;
  let sampling = true;
  // The rounds' outcome, seen as soon as each round ends (lastRound is set when it does).
  const sampler = (async () => {
    let seen: unknown = null;
    while (sampling) {
      const round = cosigner.lastRound;
      if (round !== seen && round !== null && round.cosigned.length >= cosigner.quorum && round.size > cosignedSize) {
        seen = round;
        cosignedSize = round.size;
        const at = performance.now();
        for (const block of blocks) if (block.cosignedAt === null && block.endSize <= cosignedSize) block.cosignedAt = at;
      }
      await sleep(2);
    }
  })();
  const started = performance.now();
  const intervalMs = (blockSize / rate) * 1000;
  let offered = 0;
  for (let i = 0, k = 0; i < lane!.length; i += blockSize, k++) {
    const due = started + k * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const sealed = lane!.slice(i, i + blockSize).map((wire) => {
      const decoded = sealWire(wire);
      if ("status" in decoded) throw new Error(decoded.detail);
      return decoded;
    });
    const results = await submitBatch(database.db, sealed);
    const last = results.at(-1)!;
    if (last.status !== "accepted") throw new Error(`refused: ${last.code}`);
    offered += sealed.length;
    blocks.push({ endSize: last.leafIndex + 1, committedAt: performance.now(), cosignedAt: null });
    cosigner.kick();
  }
  const elapsed = (performance.now() - started) / 1000;
  const drainDeadline = performance.now() + 60_000;
  while (blocks.some((block) => block.cosignedAt === null) && performance.now() < drainDeadline) await sleep(20);
  sampling = false;
  await sampler;
  const lags = blocks.filter((block) => block.cosignedAt !== null).map((block) => block.cosignedAt! - block.committedAt);
  return { offered, elapsed, lags: stats(lags), uncosigned: blocks.length - lags.length, blocks: blocks.length };
}

async function main(): Promise<void> {
  say(`Witness lag and cosigning cost — ${new Date().toISOString()}`);
  say(`machine: ${machine()}; load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  const database = await openBenchDatabase(dbName, { fresh: false, max: 10 });
  const log = { servesCheckpoints: true };
  // The log's endpoints the witnesses read: /checkpoint (which they poll) is off during the runs without cosigning.
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://log");
    const answer = url.pathname === "/entries" ? logEntries(database.db, url.searchParams) : url.pathname === "/checkpoint" && log.servesCheckpoints ? logCheckpoint(database.db, url.searchParams, 2) : null;
    if (answer === null) return void res.writeHead(404).end();
    answer
      .then((answer) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer)))
      .catch((error: unknown) => res.writeHead(400).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(portBase, "127.0.0.1", resolve));
  try {
    const platform = await loadPlatformKey(database.db);
    const logKey = formatVerifierKey(noteVerifierKey(ledgerOrigin(), NOTE_SIGNATURE_TYPE_ED25519, platform.publicKey));
    // The witnesses start empty, with new keys: cosignatures an earlier run stored under their
    // names would make the cosigner count the head as cosigned and ask them from the wrong size,
    // so the catch-up below would end at once and the replay from genesis fall into the lag.
    await database.db.delete(checkpointCosignatures).where(inArray(checkpointCosignatures.witnessName, NAMES));
    const keys = await Promise.all(NAMES.map((_, index) => startWitness(index, logKey)));
    const cosigner = new WitnessCosigner(database.db, new ProvenanceStore(), keys.map((key, index) => ({ url: `http://127.0.0.1:${portBase + 1 + index}`, key })), 2, nodeVerifier, () => {});
    const catchUpStarted = performance.now();
    const head = await catchUp(cosigner);
    say(`three witnesses replayed and cosigned the ledger of ${fmt(head)} entries in ${((performance.now() - catchUpStarted) / 1000).toFixed(1)} s (${database.label})`);

    const priorities = alsoNiced ? ["equal", "nice 19"] : ["equal"];
    const summary: string[] = [];
    for (const priority of priorities) {
      const label = priority === "equal" ? "witnesses at the ledger's priority" : "witnesses under nice 19 (standing in for their own machines)";
      if (priority !== "equal") reniceWitnesses(19);
      section(`Witness lag at ${fmt(rate)} tx/s offered (blocks of ${blockSize}, ${seconds} s), quorum 2 of 3, ${label}`);
      await catchUp(cosigner);
      const lag = await measureLag(database, cosigner);
      await cosigner.settle();
      const sustained = lag.offered / lag.elapsed;
      say(`offered ${fmt(lag.offered)} tx in ${lag.elapsed.toFixed(1)} s = ${fmt(sustained)} tx/s sustained; load average ${os.loadavg()[0]!.toFixed(2)}`);
      say(`witness lag (commit to quorum cosignature) over ${lag.blocks} blocks: p50 ${fmt(lag.lags.p50)} ms, p95 ${fmt(lag.lags.p95)} ms, max ${fmt(lag.lags.max)} ms${lag.uncosigned ? `; ${lag.uncosigned} blocks not cosigned within 60 s` : ""}`);

      section(`Ledger throughput with cosigning against without (4 lanes, blocks of 100, closed loop), ${label}`);
      const runs: { cosigning: boolean; run: ThroughputRun }[] = [];
      for (const cosigning of [false, true, false, true]) {
        log.servesCheckpoints = cosigning;
        if (cosigning) await catchUp(cosigner);
        const run = await runThroughput(database.db, () => Number.NaN, {
          label: cosigning ? "with cosigning" : "without (no checkpoint served: witnesses idle)",
          blockSize: 100,
          lanes: 4,
          transactions: 200_000,
          maxSeconds: throughputSeconds,
          ...(cosigning ? { afterBlock: () => cosigner.kick() } : {}),
        });
        await cosigner.settle();
        say(`${run.label}: ${fmt(run.transactions)} tx in ${run.seconds.toFixed(1)} s = ${fmt(run.txPerSecond)} tx/s; load average ${os.loadavg()[0]!.toFixed(2)}`);
        runs.push({ cosigning, run });
      }
      log.servesCheckpoints = true;
      const total = (cosigning: boolean) => {
        const chosen = runs.filter((r) => r.cosigning === cosigning);
        return chosen.reduce((sum, r) => sum + r.run.transactions, 0) / chosen.reduce((sum, r) => sum + r.run.seconds, 0);
      };
      const ratio = total(true) / total(false);
      say(`throughput with cosigning ${fmt(total(true))} tx/s, without ${fmt(total(false))} tx/s: ratio ${ratio.toFixed(2)} (${label})`);
      const tag = priority === "equal" ? "equal_priority" : "witnesses_nice19";
      summary.push(`${tag}: witness_lag_p50_ms=${Math.round(lag.lags.p50)} witness_lag_p95_ms=${Math.round(lag.lags.p95)} sustained_tx_per_s=${Math.round(sustained)} cosigning_throughput_ratio=${ratio.toFixed(2)}`);
    }
    section("Summary");
    for (const line of summary) say(line);
  } finally {
    stopWitnesses();
    await new Promise((resolve) => server.close(resolve));
    await database.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    stopWitnesses();
    process.exit(1);
  },
);
