import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { DATABASE_UNAVAILABLE_MESSAGE, classifyDatabaseFailure } from "@/db/availability";
import { getDatabase, openDatabase, type Database, type Db } from "@/db/client";
import { currentOwner, readProcessStat } from "@/db/lock";
import { createCallerFactory, createContextFactory } from "@/server/trpc/init";
import { appRouter } from "@/server/trpc/root";
import { csvDownload } from "@/server/trpc/csv-download";
import { createAppRuntime, type Runtime } from "@/server/runtime/runtime";
import { createApiHandler } from "@/server/api/handler";

/*
 * The app's answers when its database cannot be reached, on real failures: a PostgreSQL
 * address where nothing listens (port 1 on loopback: ECONNREFUSED) and an embedded folder
 * held by another live process.
 */

const REFUSED_URL = "postgres://postgres@127.0.0.1:1/double_chain";
const opened: Database[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const database of opened) await database.close().catch(() => {});
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** What getDb does on a server that refuses connections: the first query fails. */
async function refusedDb(): Promise<Db> {
  const database = openDatabase({ kind: "postgres", url: REFUSED_URL, connectTimeoutSeconds: 2 });
  opened.push(database);
  await database.db.execute(sql`select 1`);
  return database.db;
}

/** The app's runtime over such a database (processRuntime's path): it is never made. */
async function refusedRuntime(): Promise<Runtime> {
  return createAppRuntime(await refusedDb());
}

describe("the database away", () => {
  it("a tRPC call answers SERVICE_UNAVAILABLE with the plain message, and so does a CSV download, with Retry-After", async () => {
    const caller = createCallerFactory(appRouter)(createContextFactory(refusedRuntime, async () => "usr_huaxin_1"));
    const started = Date.now();
    const error = await caller.ledger.creditLines().then(
      () => null,
      (e: unknown) => e as { code?: string; message?: string; cause?: { code?: string } },
    );
    expect(error?.code).toBe("SERVICE_UNAVAILABLE");
    expect(error?.message).toBe(DATABASE_UNAVAILABLE_MESSAGE);
    expect(error?.cause?.code).toBe("database_unavailable");
    expect(Date.now() - started).toBeLessThan(3_000);

    const response = await csvDownload(createCallerFactory(appRouter)(createContextFactory(refusedRuntime, async () => "usr_huaxin_1")), "holdings");
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("2");
    expect(await response.text()).toContain(DATABASE_UNAVAILABLE_MESSAGE);
  });

  it("/api/v1 answers 503 problem+json with Retry-After, whether the database never opened or is lost after", async () => {
    // Never opened (processRuntime's path), and opened lazily then refused at the first query (the API key's lookup).
    const lostLater = async () => {
      const database = openDatabase({ kind: "postgres", url: REFUSED_URL, connectTimeoutSeconds: 2 });
      opened.push(database);
      return createAppRuntime(database.db);
    };
    for (const getRuntime of [refusedRuntime, lostLater]) {
      const handle = createApiHandler(getRuntime);
      const started = Date.now();
      const response = await handle(new Request("http://localhost/api/v1/claims", { headers: { authorization: "Bearer dck_whatever" } }));
      expect(response.status).toBe(503);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(response.headers.get("retry-after")).toBe("2");
      expect(await response.json()).toMatchObject({ status: 503, code: "database_unavailable", detail: DATABASE_UNAVAILABLE_MESSAGE });
      expect(Date.now() - started).toBeLessThan(3_000);
    }
  });

  it("a failed first open is not kept: the next call opens the database once it is free", async () => {
    const saved = { url: process.env.DATABASE_URL, dir: process.env.PGLITE_DIR };
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "dc-open-"));
    dirs.push(dataDir);
    delete process.env.DATABASE_URL;
    process.env.PGLITE_DIR = dataDir;
    try {
      // The folder held by a live process (this test's parent).
      const owner = { pid: process.ppid, startTime: readProcessStat(process.ppid)!.startTime, bootId: currentOwner().bootId };
      fs.writeFileSync(path.join(dataDir, "double-chain.lock"), JSON.stringify(owner));
      const failure = await getDatabase().then(
        () => null,
        (e: unknown) => e,
      );
      expect(classifyDatabaseFailure(failure)).toBe("unavailable");
      // The owner goes away; the very next call opens and migrates the database.
      fs.rmSync(path.join(dataDir, "double-chain.lock"));
      const database = await getDatabase();
      opened.push(database);
      expect(database.kind).toBe("pglite");
      expect(await getDatabase()).toBe(database);
    } finally {
      if (saved.url === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved.url;
      if (saved.dir === undefined) delete process.env.PGLITE_DIR;
      else process.env.PGLITE_DIR = saved.dir;
    }
  }, 60_000);
});
