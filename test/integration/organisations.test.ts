import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { seedDemo } from "@/server/seed/seed";
import { createTestDatabase } from "../helpers/db";
import { callerFor, codeOf } from "../helpers/callers";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
});
afterAll(async () => database.close());

const USERS = {
  operator: "usr_operator_1",
  core: "usr_huaxin_1",
  coreViewer: "usr_huaxin_2",
  tier1: "usr_pearl_1",
  tier3: "usr_xinyuan_1",
  bank: "usr_cmtb_1",
  auditor: "usr_zhengxin_1",
  pending: "usr_metalworks_1",
};

describe("organisations", () => {
  it("anonymous callers are refused with UNAUTHORIZED", async () => {
    expect(await codeOf(callerFor(database.db, null).auth.me())).toBe("UNAUTHORIZED");
    expect(await codeOf(callerFor(database.db, null).organisations.directory({}))).toBe("UNAUTHORIZED");
  });

  it("a supplier reads its own organisation but not another's", async () => {
    const tier3 = callerFor(database.db, USERS.tier3);
    const own = await tier3.organisations.get({ orgId: "org_xinyuan" });
    expect(own.name).toBe("Chengdu Xinyuan Components");
    expect(await codeOf(tier3.organisations.get({ orgId: "org_pearl" }))).toBe("FORBIDDEN");
    expect(await codeOf(tier3.organisations.list({}))).toBe("FORBIDDEN");
    expect(await codeOf(tier3.users.list({ orgId: "org_pearl" }))).toBe("FORBIDDEN");
  });

  it("a user of one organisation cannot list or manage another organisation's people", async () => {
    const core = callerFor(database.db, USERS.core);
    expect(await codeOf(core.users.list({ orgId: "org_cmtb" }))).toBe("FORBIDDEN");
    expect(await codeOf(core.users.invite({ orgId: "org_cmtb", email: "x@bank.cn", name: "X", permission: "admin" }))).toBe("FORBIDDEN");
    expect(await codeOf(core.users.update({ userId: USERS.bank, permission: "viewer" }))).toBe("FORBIDDEN");
    const bankUsers = await callerFor(database.db, USERS.bank).users.list({ orgId: "org_cmtb" });
    expect(bankUsers.map((u) => u.permission)).toEqual(["admin"]);
  });

  it("the directory shows only approved organisations, and a pending organisation cannot use it", async () => {
    const directory = await callerFor(database.db, USERS.tier1).organisations.directory({});
    expect(directory.map((o) => o.id)).not.toContain("org_metalworks");
    expect(directory.map((o) => o.id)).toContain("org_xinyuan");
    expect(Object.keys(directory[0] ?? {}).sort()).toEqual(["city", "id", "name", "role"]);
    expect(await codeOf(callerFor(database.db, USERS.pending).organisations.directory({}))).toBe("FORBIDDEN");
  });

  it("only the operator reviews, and a review is decided once", async () => {
    expect(await codeOf(callerFor(database.db, USERS.core).organisations.review({ orgId: "org_metalworks", decision: "approved" }))).toBe("FORBIDDEN");
    expect(await codeOf(callerFor(database.db, USERS.auditor).organisations.review({ orgId: "org_metalworks", decision: "approved" }))).toBe("FORBIDDEN");
    const operator = callerFor(database.db, USERS.operator);
    const reviewed = await operator.organisations.review({ orgId: "org_metalworks", decision: "approved", note: "Licence checked" });
    expect(reviewed.status).toBe("approved");
    expect(await codeOf(operator.organisations.review({ orgId: "org_metalworks", decision: "rejected" }))).toBe("CONFLICT");
    expect(await codeOf(operator.organisations.review({ orgId: "org_nope", decision: "rejected" }))).toBe("NOT_FOUND");
    const directory = await callerFor(database.db, USERS.pending).organisations.directory({});
    expect(directory.map((o) => o.id)).toContain("org_metalworks");
  });

  it("the auditor sees every organisation read-only", async () => {
    const all = await callerFor(database.db, USERS.auditor).organisations.list({});
    expect(all.length).toBe(9);
  });

  it("an application creates a pending organisation whose admin can sign in", async () => {
    const anonymous = callerFor(database.db, null);
    const result = await anonymous.auth.applyToJoin({
      organisationName: "Foshan Cable Works",
      role: "supplier",
      city: "Foshan",
      registrationNumber: "",
      adminName: "Deng Hao",
      adminEmail: "Deng@Foshan-Cable.cn",
      adminPassword: "a-long-password",
    });
    const me = await callerFor(database.db, result.userId).auth.me();
    expect(me).toMatchObject({ email: "deng@foshan-cable.cn", orgStatus: "pending", permission: "admin" });
    expect(
      await codeOf(
        anonymous.auth.applyToJoin({ organisationName: "Dup", role: "supplier", city: "", registrationNumber: "", adminName: "D", adminEmail: "deng@foshan-cable.cn", adminPassword: "a-long-password" }),
      ),
    ).toBe("CONFLICT");
    expect(await codeOf(anonymous.auth.applyToJoin({ organisationName: "Op", role: "operator" as "supplier", city: "", registrationNumber: "", adminName: "D", adminEmail: "op@x.cn", adminPassword: "a-long-password" }))).toBe("BAD_REQUEST");
  });

  it("onboards only with a valid unified social credit code: the applicant's, or one the operator enters from the licence", async () => {
    const anonymous = callerFor(database.db, null);
    const operator = callerFor(database.db, USERS.operator);
    const application = { organisationName: "Zhongshan Springs", role: "supplier" as const, city: "Zhongshan", registrationNumber: "", adminName: "He Min", adminPassword: "a-long-password" };
    const withoutCode = await anonymous.auth.applyToJoin({ ...application, adminEmail: "he@zs-springs.cn" });
    // No code, or a code whose check character is wrong: approval is refused and nothing changes.
    const refusal = await operator.organisations.review({ orgId: withoutCode.orgId, decision: "approved" }).catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("uscc_length") });
    expect(await codeOf(operator.organisations.review({ orgId: withoutCode.orgId, decision: "approved", registrationNumber: "91350100M000100Y44" }))).toBe("BAD_REQUEST");
    expect((await operator.organisations.get({ orgId: withoutCode.orgId })).status).toBe("pending");
    // The code read off the licence is checked, kept in capitals, and the organisation approved.
    const approved = await operator.organisations.review({ orgId: withoutCode.orgId, decision: "approved", registrationNumber: " 91350100m000100y43 " });
    expect(approved).toMatchObject({ status: "approved", registrationNumber: "91350100M000100Y43" });
    // A rejection needs no code.
    const other = await anonymous.auth.applyToJoin({ ...application, organisationName: "Zhongshan Wire", adminEmail: "he@zs-wire.cn" });
    expect((await operator.organisations.review({ orgId: other.orgId, decision: "rejected" })).status).toBe("rejected");
  });

  it("checks the unified social credit code at sign-up: a wrong check character is refused, a real code kept in capitals", async () => {
    const anonymous = callerFor(database.db, null);
    const application = { organisationName: "Jiangmen Fasteners", role: "supplier" as const, city: "Jiangmen", adminName: "Liang Yu", adminPassword: "a-long-password" };
    expect(await codeOf(anonymous.auth.applyToJoin({ ...application, registrationNumber: "91350100M000100Y44", adminEmail: "liang@jm-fasteners.cn" }))).toBe("BAD_REQUEST");
    const result = await anonymous.auth.applyToJoin({ ...application, registrationNumber: " 91350100m000100y43 ", adminEmail: "liang@jm-fasteners.cn" });
    const organisation = await callerFor(database.db, USERS.operator).organisations.get({ orgId: result.orgId });
    expect(organisation.registrationNumber).toBe("91350100M000100Y43");
  });
});
