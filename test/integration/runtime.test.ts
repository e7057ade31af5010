import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { creditLines, ledgerCheckpoints } from "@/db/schema";
import { buildSigned, toWire } from "@/contracts/client";
import { sealTransaction } from "@/contracts/ledger/schema";
import { sha256Hex } from "@/contracts/canonical";
import { utf8ToBytes } from "@/contracts/hex";
import { seedDemo } from "@/server/seed/seed";
import { addDays, demoIdentity } from "@/server/seed/ledger-seed";
import { createRuntime, type Runtime } from "@/server/runtime/runtime";
import { createCallerFactory } from "@/server/trpc/init";
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
let lineId = "";

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
  const [line] = await database.db.select().from(creditLines).where(eq(creditLines.coreEnterpriseOrgId, "org_huaxin"));
  lineId = line!.id;
});
afterAll(async () => database.close());

const issuance = () =>
  sealTransaction(buildSigned(core, "claim.issue", { creditLineId: lineId, toOrgId: "org_pearl", amountMinor: 1_000n, currency: "CNY", maturityDate: addDays(Date.now(), 60), documents: DOCUMENTS }, { nonce: randomBytes(16).toString("hex"), createdAtMs: Date.now() }));
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

  it("each counts its own submissions and sign-ins: one runtime's budget spent leaves the other's whole", async () => {
    const spent = createRuntime(database.db, { submissionsPerMinute: 1 });
    const fresh = createRuntime(database.db, { submissionsPerMinute: 1 });
    expect((await callerWith(spent, "usr_huaxin_1").ledger.submit(toWire(issuance()))).status).toBe("accepted");
    expect(await codeOf(callerWith(spent, "usr_huaxin_1").ledger.submit(toWire(issuance())))).toBe("TOO_MANY_REQUESTS");
    expect(await codeOf(callerWith(fresh, "usr_huaxin_1").ledger.submit(toWire(issuance())))).toBe("OK");
    // The sign-in limiter too: ten attempts for one email use up one runtime's window only.
    for (let attempt = 0; attempt < 10; attempt += 1) expect(spent.limits.signIn.take("someone@example.com")).toBe(true);
    expect(spent.limits.signIn.take("someone@example.com")).toBe(false);
    expect(fresh.limits.signIn.take("someone@example.com")).toBe(true);
  });
});
