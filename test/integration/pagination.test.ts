import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { seedDemo } from "@/server/seed/seed";
import { CLAIM_PAGE_MAX, listOwnClaims } from "@/server/read/claims";
import { HISTORY_PAGE_MAX } from "@/server/read/log";
import { loadActor } from "@/server/auth/accounts";
import { createTestDatabase } from "../helpers/db";
import { callerFor, codeOf } from "../helpers/callers";

/*
 * Lists come a page at a time (issue 17): ledger.myClaims by (maturity date, id) after a
 * keyset cursor, ledger.history newest first before a leaf index; each with a page-size limit
 * beyond which the input is refused. Walking the pages gives exactly the whole list, in order.
 */

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
});
afterAll(async () => database.close());

describe("ledger.myClaims pages", () => {
  it("walked two at a time, gives the whole book once, in (maturity date, id) order, as the unpaged read does", async () => {
    const caller = callerFor(database.db, "usr_pearl_1");
    const whole = await listOwnClaims(database.db, (await loadActor(database.db, "usr_pearl_1"))!);
    expect(whole.length).toBeGreaterThanOrEqual(3);
    const walked: typeof whole = [];
    let after: { maturityDate: string; id: string } | undefined;
    for (let pages = 0; pages < 100; pages += 1) {
      const page = await caller.ledger.myClaims({ limit: 2, ...(after ? { after } : {}) });
      expect(page.length).toBeLessThanOrEqual(2);
      if (page.length === 0) break;
      walked.push(...page);
      const last = page.at(-1)!;
      after = { maturityDate: last.maturityDate, id: last.id };
    }
    expect(walked.map((c) => c.id)).toEqual(whole.map((c) => c.id));
    const keys = walked.map((c) => `${c.maturityDate} ${c.id}`);
    expect(keys).toEqual([...keys].sort());
    // Without input: the first page of the default size, the same claims.
    expect((await caller.ledger.myClaims()).map((c) => c.id)).toEqual(whole.slice(0, 200).map((c) => c.id));
  });

  it("refuses a page larger than the limit, an empty one and a malformed cursor", async () => {
    const caller = callerFor(database.db, "usr_pearl_1");
    expect(await codeOf(caller.ledger.myClaims({ limit: CLAIM_PAGE_MAX + 1 }))).toBe("BAD_REQUEST");
    expect(await codeOf(caller.ledger.myClaims({ limit: 0 }))).toBe("BAD_REQUEST");
    expect(await codeOf(caller.ledger.myClaims({ limit: 2, after: { maturityDate: "tomorrow", id: "c_x" } }))).toBe("BAD_REQUEST");
    expect(await codeOf(caller.ledger.myClaims({ limit: CLAIM_PAGE_MAX }))).toBe("OK");
  });
});

describe("ledger.history pages", () => {
  it("walked three at a time, gives the newest entries once, newest first, as one large page does", async () => {
    const caller = callerFor(database.db, "usr_pearl_1");
    const whole = await caller.ledger.history({ limit: HISTORY_PAGE_MAX });
    expect(whole.length).toBeGreaterThanOrEqual(4);
    const walked: typeof whole = [];
    let before: number | undefined;
    while (walked.length < whole.length) {
      const page = await caller.ledger.history({ limit: 3, ...(before === undefined ? {} : { before }) });
      expect(page.length).toBeGreaterThan(0);
      expect(page.length).toBeLessThanOrEqual(3);
      walked.push(...page);
      before = page.at(-1)!.leafIndex;
    }
    expect(walked.slice(0, whole.length).map((e) => e.leafIndex)).toEqual(whole.map((e) => e.leafIndex));
    expect(whole.map((e) => e.leafIndex)).toEqual([...whole.map((e) => e.leafIndex)].sort((a, b) => b - a));
  });

  it("refuses a page larger than the limit and a negative cursor", async () => {
    const caller = callerFor(database.db, "usr_pearl_1");
    expect(await codeOf(caller.ledger.history({ limit: HISTORY_PAGE_MAX + 1 }))).toBe("BAD_REQUEST");
    expect(await codeOf(caller.ledger.history({ limit: 10, before: -1 }))).toBe("BAD_REQUEST");
  });
});
