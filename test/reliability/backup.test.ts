import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@/db/client";
import { createOwnDatabase, type OwnDatabase } from "@/scripts/app-server";
import { binDir, createCluster, type Cluster } from "./cluster";
import { addFigures } from "./figures";
import { heldClaims, stateHash, verifyOk } from "./support";

/*
 * The backup of the README ("Backups"), restored: pg_dump in its custom format, pg_restore
 * into a new, empty database, and `npm run verify` on the restored copy (the script itself,
 * as an operator would run it). The copy must hold exactly what the source held.
 */

let cluster: Cluster;
let own: OwnDatabase;
let restored: Database | null = null;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "dc-backup-"));

beforeAll(async () => {
  cluster = await createCluster();
  own = await createOwnDatabase(cluster.url, "dc_backup");
  await heldClaims(own.database.db, 3);
});

afterAll(async () => {
  await restored?.close();
  await own?.database.close().catch(() => {});
  cluster?.destroy();
  fs.rmSync(work, { recursive: true, force: true });
});

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(command, args, { encoding: "utf8", env });
  expect(result.status, `${path.basename(command)}: ${result.stderr}${result.stdout}`).toBe(0);
  return result.stdout;
}

describe("backups", () => {
  it("a pg_dump restored with pg_restore into a fresh database holds every row and passes npm run verify", async ({ task }) => {
    const dump = path.join(work, "double-chain.dump");
    run(path.join(binDir(), "pg_dump"), ["--format=custom", "--file", dump, own.url]);
    const admin = postgres(cluster.url, { max: 1, onnotice: () => {} });
    await admin.unsafe("create database dc_restored");
    await admin.end();
    const restoredUrl = new URL(cluster.url);
    restoredUrl.pathname = "/dc_restored";
    run(path.join(binDir(), "pg_restore"), ["--no-owner", "--exit-on-error", "--dbname", restoredUrl.toString(), dump]);

    const verify = run(path.join(process.cwd(), "node_modules", ".bin", "tsx"), ["scripts/verify.ts"], { ...process.env, DATABASE_URL: restoredUrl.toString() });
    expect(verify).toMatch(/^OK postgres: transactions=\d+/m);
    restored = openDatabase({ kind: "postgres", url: restoredUrl.toString(), max: 2 });
    const transactions = await verifyOk(restored.db);
    expect(transactions).toBe(await verifyOk(own.database.db));
    expect(await stateHash(restored.db)).toBe(await stateHash(own.database.db));
    addFigures(task, { backupTransactionsRestored: transactions });
  }, 180_000);
});
