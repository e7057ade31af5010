// npm run bench:seed -- --tx 1000000 [--db dc_bench_ledger] [--fresh] [--block 1000] [--seed 7]
//                       [--demo-programs 150] [--programs 2000]
//
// Builds a realistic multi-tier ledger of that many signed transactions on top of the demo
// data (users, organisations, demo chain), in its own database: with DATABASE_URL, database
// --db on that PostgreSQL server (created if missing); without, the PGlite folder
// data/bench/<db>. --fresh drops it first; otherwise it must hold no more than the demo
// ledger. `npm run bench` reads this ledger for the provenance figure. The last line says
// how to check it with `npm run verify`.
import path from "node:path";
import { argFlag, argNumber, argValue, fmt, say } from "./common";
import { databaseUrl, openBenchDatabase, serverUrl } from "./db";
import { seedBenchLedger } from "./seed-core";
import { installNodeSha256 } from "@/server/crypto/node-hash";

// This process hashes with node:crypto (the contracts default to @noble/hashes).
installNodeSha256();

const argv = process.argv.slice(2);
const transactions = argNumber(argv, "tx", 100_000);
const blockSize = argNumber(argv, "block", 1000);
const name = argValue(argv, "db") ?? "dc_bench_ledger";
const database = await openBenchDatabase(name, { fresh: argFlag(argv, "fresh"), max: 4 });
say(`Seeding ${fmt(transactions)} transactions in blocks of ${fmt(blockSize)} into ${database.label}`);
const result = await seedBenchLedger(database.db, {
  transactions,
  blockSize,
  seed: argNumber(argv, "seed", 7),
  demoPrograms: argNumber(argv, "demo-programs", 150),
  concurrentPrograms: argNumber(argv, "programs", Math.min(2000, Math.max(50, Math.round(transactions / 100)))),
  log: say,
});
await database.close();
say(
  `Done: appended ${fmt(result.appended)} transactions (ledger size ${fmt(result.size)}) in ${result.seconds.toFixed(1)} s ` +
    `= ${fmt(result.appended / result.seconds)} tx/s; ${result.blocks} blocks of ${fmt(blockSize)}; ${result.organisations} organisations` +
    (result.deepestClaimId ? `; deepest lineage ends at ${result.deepestClaimId}` : ""),
);
const base = serverUrl();
say(`Check it: ${base ? `DATABASE_URL=${databaseUrl(base, name)}` : `PGLITE_DIR=${path.join("data", "bench", name)}`} npm run verify`);
