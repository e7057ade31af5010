import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import net from "node:net";
import { openDatabase, type Database } from "@/db/client";
import { creditLines } from "@/db/schema";
import { buildSigned, toWire } from "@/contracts/client";
import { sha256Hex } from "@/contracts/canonical";
import { utf8ToBytes } from "@/contracts/hex";
import { seedDemo } from "@/server/seed/seed";
import { addDays, demoIdentity } from "@/server/seed/ledger-seed";
import { createRuntime, type Runtime } from "@/server/runtime/runtime";
import { committedMigrations, readiness } from "@/server/runtime/health";
import { requestIdFrom } from "@/server/runtime/signals";
import { createCallerFactory } from "@/server/trpc/init";
import { appRouter } from "@/server/trpc/root";
import { DEMO_PASSWORD } from "@/server/seed/demo-data";
import { createTestDatabase } from "../helpers/db";
import { codeOf } from "../helpers/callers";

/*
 * The operator's signals (server/runtime/signals.ts, health.ts): readiness, the runtime's
 * Prometheus registry and its JSON log lines with the request id and without secrets. The
 * HTTP endpoints themselves (/healthz, /readyz, /metrics) are exercised on the built app by
 * test/reliability/instances.test.ts.
 */

let database: Database;
let lineId = "";
const core = demoIdentity("org_huaxin");
const DOCUMENTS = {
  invoiceSha256: sha256Hex(utf8ToBytes("signals invoice")),
  contractSha256: sha256Hex(utf8ToBytes("signals contract")),
  deliveryNoteSha256: sha256Hex(utf8ToBytes("signals delivery note")),
};

/** The documents with an invoice of their own: one invoice backs at most one live issuance. */
const freshDocuments = () => ({ ...DOCUMENTS, invoiceSha256: randomBytes(32).toString("hex") });

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
  const [line] = await database.db.select().from(creditLines).where(eq(creditLines.coreEnterpriseOrgId, "org_huaxin"));
  lineId = line!.id;
});
afterAll(async () => database.close());

const issuance = () =>
  toWire(buildSigned(core, "claim.issue", { creditLineId: lineId, toOrgId: "org_pearl", amountMinor: 1_000n, currency: "CNY", maturityDate: addDays(Date.now(), 60), documents: freshDocuments() }, { nonce: randomBytes(16).toString("hex"), createdAtMs: Date.now() }));
const callerWith = (runtime: Runtime, userId: string) => createCallerFactory(appRouter)({ runtime, db: runtime.db, userId });

function collectingRuntime(): { runtime: Runtime; lines: () => Record<string, unknown>[]; text: () => string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString("utf8"));
      done();
    },
  });
  const runtime = createRuntime(database.db, { limits: "memory", signals: { logDestination: destination, logLevel: "info" } });
  const text = () => chunks.join("");
  return { runtime, text, lines: () => text().split("\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe("readiness", () => {
  it("is ready on a migrated, seeded database, and names the missing migrations when the build carries more than were applied", async () => {
    const ready = await readiness(database.db);
    expect(ready.ready).toBe(true);
    expect(ready.checks.migrations.detail).toBe(`${committedMigrations()} applied`);
    expect(ready.checks.ledgerHead.ok).toBe(true);
    const behind = await readiness(database.db, committedMigrations() + 1);
    expect(behind.ready).toBe(false);
    expect(behind.checks.migrations).toEqual({ ok: false, detail: `${committedMigrations()} of ${committedMigrations() + 1} applied` });
  });

  it("is not ready when the database refuses connections, and says so by the failure's code, never a query", async () => {
    // A PostgreSQL URL on a loopback port nobody listens on: the connection is refused at once.
    const closedPort = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const away = openDatabase({ kind: "postgres", url: `postgres://postgres@127.0.0.1:${closedPort}/postgres`, max: 1, connectTimeoutSeconds: 2 });
    try {
      const answer = await readiness(away.db);
      expect(answer.ready).toBe(false);
      expect(answer.checks.database).toEqual({ ok: false, detail: "the database is unavailable (ECONNREFUSED)" });
      expect(answer.checks.migrations.ok).toBe(false);
      expect(answer.checks.ledgerHead.ok).toBe(false);
      expect(JSON.stringify(answer)).not.toMatch(/select|Failed query/i);
    } finally {
      await away.close();
    }
  });
});

describe("metrics", () => {
  it("count procedure calls by outcome, ledger transactions, group sizes and block latency, per runtime", async () => {
    const { runtime } = collectingRuntime();
    const other = collectingRuntime().runtime;
    const caller = callerWith(runtime, "usr_huaxin_1");
    expect((await caller.ledger.submit(issuance())).status).toBe("accepted");
    expect(await codeOf(callerWith(runtime, null as unknown as string).ledger.submit(issuance()))).toBe("UNAUTHORIZED");
    const text = await runtime.signals.registry.metrics();
    expect(text).toContain('dc_trpc_requests_total{procedure="ledger.submit",outcome="ok"} 1');
    expect(text).toContain('dc_trpc_requests_total{procedure="ledger.submit",outcome="UNAUTHORIZED"} 1');
    expect(text).toContain('dc_trpc_request_duration_seconds_count{procedure="ledger.submit"} 2');
    expect(text).toContain('dc_ledger_transactions_total{result="accepted"} 1');
    expect(text).toContain("dc_ledger_group_size_count 1");
    expect(text).toContain("dc_ledger_block_duration_seconds_count 1");
    // Another runtime's registry counted nothing.
    expect(await other.signals.registry.metrics()).not.toContain("dc_trpc_requests_total{");
  });
});

describe("log lines", () => {
  it("carry the submitting request's id into the ledger's block line", async () => {
    const { runtime, lines } = collectingRuntime();
    const caller = callerWith(runtime, "usr_huaxin_1");
    const result = await runtime.signals.scope.run({ requestId: "req-signals-1" }, () => caller.ledger.submit(issuance()));
    expect(result.status).toBe("accepted");
    const block = lines().find((line) => line.msg === "ledger block committed");
    expect(block).toMatchObject({ requestIds: ["req-signals-1"], size: 1, accepted: 1, refused: 0, requestId: "req-signals-1" });
  });

  it("never hold a password, a secret, a session token or SQL parameters, nested or in an error", async () => {
    const { runtime, text } = collectingRuntime();
    const databaseError = Object.assign(new Error("duplicate key value violates unique constraint"), {
      query: "insert into users (email, password_hash) values ($1, $2)",
      parameters: ["victim@example.com", "hash-of-secret-value"],
    });
    runtime.signals.logger.error(
      { password: DEMO_PASSWORD, body: { credentials: { password: DEMO_PASSWORD, secret: "nextauth-secret-value" } }, headers: { cookie: "next-auth.session-token=tok-value", authorization: "Bearer tok-value" }, params: ["param-value"], err: databaseError },
      "sign-in failed",
    );
    const out = text();
    expect(out).toContain("sign-in failed");
    expect(out).toContain("duplicate key value violates unique constraint");
    for (const leaked of [DEMO_PASSWORD, "nextauth-secret-value", "tok-value", "param-value", "victim@example.com", "hash-of-secret-value", "password_hash"]) expect(out).not.toContain(leaked);
  });

  it("take the balancer's request id only when it is well-formed", () => {
    expect(requestIdFrom(new Headers({ "x-request-id": "7f3a-01:abc.def" }))).toBe("7f3a-01:abc.def");
    for (const bad of ['x","level":60,"msg":"forged', "a".repeat(65), "with space"]) expect(requestIdFrom(new Headers({ "x-request-id": bad }))).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFrom(new Headers())).toMatch(/^[0-9a-f-]{36}$/);
  });
});
