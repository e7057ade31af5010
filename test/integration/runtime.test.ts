import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { creditLines, ledgerCheckpoints, rateLimitWindows, users } from "@/db/schema";
import { LONGEST_WINDOW_MS } from "@/db/rate-limit-windows";
import { DatabaseRateLimiter } from "@/server/auth/rate-limit";
import { runJobNow } from "@/server/jobs/registry";
import { buildSigned, toWire } from "@/contracts/client";
import { sealTransaction } from "@/contracts/ledger/schema";
import { sha256Hex } from "@/contracts/canonical";
import { utf8ToBytes } from "@/contracts/hex";
import { seedDemo } from "@/server/seed/seed";
import { addDays, demoIdentity } from "@/server/seed/ledger-seed";
import { createRuntime, type Runtime } from "@/server/runtime/runtime";
import { createCallerFactory, createContextFactory } from "@/server/trpc/init";
import { appRouter } from "@/server/trpc/root";
import { createTestDatabase } from "../helpers/db";
import { codeOf } from "../helpers/callers";

/*
 * Process-wide state lives in a runtime object, so two runtimes in one process (two tests,
 * two tenants of a test server) share none of it: not the group commit, not the limiters.
 */

let database: Database;
const core = demoIdentity("org_huaxin");
const DOCUMENTS = {
  invoiceSha256: sha256Hex(utf8ToBytes("runtime test invoice")),
  contractSha256: sha256Hex(utf8ToBytes("runtime test contract")),
  deliveryNoteSha256: sha256Hex(utf8ToBytes("runtime test delivery note")),
};

/** The documents with an invoice of their own: one invoice backs at most one live issuance. */
const freshDocuments = () => ({ ...DOCUMENTS, invoiceSha256: randomBytes(32).toString("hex") });
let lineId = "";

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
  const [line] = await database.db.select().from(creditLines).where(eq(creditLines.coreEnterpriseOrgId, "org_huaxin"));
  lineId = line!.id;
});
afterAll(async () => database.close());

const issuance = () =>
  sealTransaction(buildSigned(core, "claim.issue", { creditLineId: lineId, toOrgId: "org_pearl", amountMinor: 1_000n, currency: "CNY", maturityDate: addDays(Date.now(), 60), documents: freshDocuments() }, { nonce: randomBytes(16).toString("hex"), createdAtMs: Date.now() }));
const checkpoints = async () => (await database.db.select({ n: sql<number>`count(*)::int` }).from(ledgerCheckpoints))[0]!.n;
const callerWith = (runtime: Runtime, userId: string) => createCallerFactory(appRouter)({ runtime, db: runtime.db, userId });

describe("two runtimes in one process", () => {
  it("each commits its own groups: three submissions at once are two blocks per runtime, not two in all", async () => {
    const first = createRuntime(database.db);
    const second = createRuntime(database.db);
    // The first submission of a runtime finds nothing in flight and commits alone; the next two wait and go together.
    const before = await checkpoints();
    const alone = await Promise.all([first, first, first].map((runtime) => runtime.ledger.submit(issuance())));
    expect(alone.map((r) => r.status)).toEqual(["accepted", "accepted", "accepted"]);
    expect((await checkpoints()) - before).toBe(2);

    const beforeBoth = await checkpoints();
    const both = await Promise.all([first, first, first, second, second, second].map((runtime) => runtime.ledger.submit(issuance())));
    expect(both.every((r) => r.status === "accepted")).toBe(true);
    // One shared queue would make that 2 blocks; two queues make 2 each.
    expect((await checkpoints()) - beforeBoth).toBe(4);
  });

  it("with limits in memory, each counts its own submissions and sign-ins: one runtime's budget spent leaves the other's whole", async () => {
    const spent = createRuntime(database.db, { submissionsPerMinute: 1, limits: "memory" });
    const fresh = createRuntime(database.db, { submissionsPerMinute: 1, limits: "memory" });
    expect((await callerWith(spent, "usr_huaxin_1").ledger.submit(toWire(issuance()))).status).toBe("accepted");
    expect(await codeOf(callerWith(spent, "usr_huaxin_1").ledger.submit(toWire(issuance())))).toBe("TOO_MANY_REQUESTS");
    expect(await codeOf(callerWith(fresh, "usr_huaxin_1").ledger.submit(toWire(issuance())))).toBe("OK");
    // The sign-in limiter too: ten attempts for one email use up one runtime's window only.
    for (let attempt = 0; attempt < 10; attempt += 1) expect(await spent.limits.signIn.take("someone@example.com")).toBe(true);
    expect(await spent.limits.signIn.take("someone@example.com")).toBe(false);
    expect(await fresh.limits.signIn.take("someone@example.com")).toBe(true);
  });

  it("with limits in the database, instances on one database share one budget, and a new window refills it", async () => {
    let now = 1_000_000;
    const clock = () => now;
    const first = createRuntime(database.db, { submissionsPerMinute: 1, limits: "database", clock });
    const second = createRuntime(database.db, { submissionsPerMinute: 1, limits: "database", clock });
    expect((await callerWith(first, "usr_huaxin_1").ledger.submit(toWire(issuance()))).status).toBe("accepted");
    // The other instance sees the spent budget of the organisation.
    expect(await codeOf(callerWith(second, "usr_huaxin_1").ledger.submit(toWire(issuance())))).toBe("TOO_MANY_REQUESTS");
    // Ten sign-in attempts spread over both use up the email's window for both; other emails are untouched.
    for (let attempt = 0; attempt < 10; attempt += 1) expect(await (attempt % 2 ? first : second).limits.signIn.take("shared@example.com")).toBe(true);
    expect(await first.limits.signIn.take("shared@example.com")).toBe(false);
    expect(await second.limits.signIn.take("shared@example.com")).toBe(false);
    expect(await second.limits.signIn.take("other@example.com")).toBe(true);
    // Concurrent takes are counted exactly: 10 allowed of 30 at once.
    const racing = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? first : second).limits.signIn.take("race@example.com")));
    expect(racing.filter(Boolean)).toHaveLength(10);
    // A refund (the database failed, not the person) gives the tenth attempt back, for both instances.
    for (let attempt = 0; attempt < 10; attempt += 1) expect(await first.limits.signIn.take("refund@example.com")).toBe(true);
    await first.limits.signIn.refund("refund@example.com");
    expect(await second.limits.signIn.take("refund@example.com")).toBe(true);
    expect(await first.limits.signIn.take("refund@example.com")).toBe(false);
    await first.limits.signIn.reset("shared@example.com");
    expect(await second.limits.signIn.take("shared@example.com")).toBe(true);
    now += 15 * 60 * 1000;
    expect(await second.limits.signIn.take("race@example.com")).toBe(true);
    await first.limits.signIn.clear();
    await first.limits.submissions.clear();
  });

  it("the rate-limits job deletes the windows that ended an hour ago, keeps the live ones, and their budgets with them", async () => {
    let now = 5_000_000;
    const clock = () => now;
    const runtime = createRuntime(database.db, { limits: "database", clock });
    expect(await runtime.limits.signIn.take("old@example.com")).toBe(true);
    now += LONGEST_WINDOW_MS - 60_000;
    for (let attempt = 0; attempt < 10; attempt += 1) expect(await runtime.limits.signIn.take("spent@example.com")).toBe(true);
    now += 60_000;
    const windowKeys = async () => (await database.db.select({ key: rateLimitWindows.key }).from(rateLimitWindows).orderBy(rateLimitWindows.key)).map((row) => row.key);
    expect(await windowKeys()).toEqual(["sign-in:old@example.com", "sign-in:spent@example.com"]);
    const run = await runJobNow(database.db, "rate-limits", { clock, log: { info: () => {}, error: () => {} } });
    expect(run).toMatchObject({ status: "ok", summary: "1 expired windows deleted" });
    expect(await windowKeys()).toEqual(["sign-in:spent@example.com"]);
    // The kept window still counts: its budget is spent until it ends.
    expect(await runtime.limits.signIn.take("spent@example.com")).toBe(false);
    await runtime.limits.signIn.clear();
  });

  it("refuses a shared limiter whose window is longer than the prune job keeps", () => {
    expect(() => new DatabaseRateLimiter(database.db, "daily", 5, LONGEST_WINDOW_MS + 1)).toThrow(/at most/);
  });
});

describe("a request's context", () => {
  it("reads the signed-in user once per request: a second procedure of the same request reuses it, the next request sees the user disabled", async () => {
    const runtime = createRuntime(database.db, { limits: "memory" });
    const contextOf = createContextFactory(async () => runtime, async () => "usr_pearl_1");
    const request = await contextOf();
    const caller = createCallerFactory(appRouter)(request);
    expect((await caller.auth.me()).userId).toBe("usr_pearl_1");
    await database.db.update(users).set({ status: "disabled" }).where(eq(users.id, "usr_pearl_1"));
    try {
      // The same request (a batch of procedures shares one context): the user read at its start.
      expect((await caller.auth.me()).userId).toBe("usr_pearl_1");
      expect((await caller.ledger.creditLines()).length).toBeGreaterThanOrEqual(0);
      // The next request reads again: disabling takes effect at once.
      expect(await codeOf(createCallerFactory(appRouter)(await contextOf()).auth.me())).toBe("UNAUTHORIZED");
    } finally {
      await database.db.update(users).set({ status: "active" }).where(eq(users.id, "usr_pearl_1"));
    }
    expect((await createCallerFactory(appRouter)(await contextOf()).auth.me()).userId).toBe("usr_pearl_1");
  });
});
