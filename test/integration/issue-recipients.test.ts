import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { organisations } from "@/db/schema";
import { seedDemo } from "@/server/seed/seed";
import { createTestDatabase } from "../helpers/db";
import { callerFor, codeOf } from "../helpers/callers";

/* Whom the issue form offers (issue 15: "the issue form's tier-1 list offers tier-2 and tier-3 companies"). */

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
});
afterAll(async () => database.close());

describe("the suppliers a core enterprise may issue to", () => {
  it("are its tier-1 supplier, not the tier-2 and tier-3 companies its chains reach", async () => {
    const recipients = await callerFor(database.db, "usr_huaxin_1").ledger.issueRecipients();
    expect(recipients.tier1.map((s) => s.id)).toEqual(["org_pearl"]);
    expect(recipients.others).toEqual([]);
  });

  it("and approved suppliers with no place in its chains yet, as possible new tier-1 suppliers; not pending ones", async () => {
    await database.db.insert(organisations).values([
      { id: "org_newparts", name: "New Parts Co.", role: "supplier", status: "approved", city: "Foshan" },
      { id: "org_waiting", name: "Waiting Co.", role: "supplier", status: "pending", city: "Foshan" },
    ]);
    const recipients = await callerFor(database.db, "usr_huaxin_1").ledger.issueRecipients();
    expect(recipients.tier1.map((s) => s.id)).toEqual(["org_pearl"]);
    expect(recipients.others).toEqual([{ id: "org_newparts", name: "New Parts Co.", city: "Foshan" }]);
  });

  it("are the core enterprise's question alone", async () => {
    for (const userId of ["usr_pearl_1", "usr_cmtb_1", "usr_operator_1", "usr_zhengxin_1"]) {
      expect(await codeOf(callerFor(database.db, userId).ledger.issueRecipients())).toBe("FORBIDDEN");
    }
    expect(await codeOf(callerFor(database.db, null).ledger.issueRecipients())).toBe("UNAUTHORIZED");
  });
});
