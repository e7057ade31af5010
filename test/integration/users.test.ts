import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import type { Database } from "@/db/client";
import { seedDemo } from "@/server/seed/seed";
import { DEMO_PASSWORD } from "@/server/seed/demo-data";
import { authenticate } from "@/server/auth/accounts";
import { createTestDatabase } from "../helpers/db";
import { callerFor } from "../helpers/callers";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
});
afterAll(async () => database.close());

async function errorOf(promise: Promise<unknown>): Promise<TRPCError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

describe("people and sign-in", () => {
  it("checks passwords: right one, wrong one, unknown email, any case of email", async () => {
    expect(await authenticate(database.db, "tier1@demo.doublechain.cn", DEMO_PASSWORD)).toEqual({ userId: "usr_pearl_1" });
    expect(await authenticate(database.db, "TIER1@demo.doublechain.cn", DEMO_PASSWORD)).toEqual({ userId: "usr_pearl_1" });
    expect(await authenticate(database.db, "tier1@demo.doublechain.cn", "wrong-password")).toBeNull();
    expect(await authenticate(database.db, "nobody@demo.doublechain.cn", DEMO_PASSWORD)).toBeNull();
  });

  it("an admin invites a person, who sets a password through the one-time link", async () => {
    const admin = callerFor(database.db, "usr_pearl_1");
    const { user, inviteToken } = await admin.users.invite({ orgId: "org_pearl", email: "finance@pearl.cn", name: "Guo Fei", permission: "maker" });
    expect(user.status).toBe("invited");
    expect(await authenticate(database.db, "finance@pearl.cn", "")).toBeNull();
    const anonymous = callerFor(database.db, null);
    expect(await anonymous.auth.describeInvite({ token: inviteToken })).toMatchObject({ email: "finance@pearl.cn", orgName: "Pearl River Assembly Ltd." });
    expect((await errorOf(anonymous.auth.acceptInvite({ token: inviteToken, password: "short" }))).code).toBe("BAD_REQUEST");
    await anonymous.auth.acceptInvite({ token: inviteToken, password: "guo-fei-password" });
    expect(await authenticate(database.db, "finance@pearl.cn", "guo-fei-password")).toEqual({ userId: user.id });
    const reused = await errorOf(anonymous.auth.acceptInvite({ token: inviteToken, password: "another-password" }));
    expect(reused.code).toBe("NOT_FOUND");
    expect(await authenticate(database.db, "finance@pearl.cn", "another-password")).toBeNull();
  });

  it("a maker cannot invite, and a viewer cannot manage people", async () => {
    const viewer = callerFor(database.db, "usr_huaxin_2");
    const error = await errorOf(viewer.users.invite({ orgId: "org_huaxin", email: "a@b.cn", name: "A", permission: "viewer" }));
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toMatch(/admins/);
  });

  it("the last admin cannot demote or disable themselves; disabled users lose their session", async () => {
    const admin = callerFor(database.db, "usr_huaxin_1");
    const error = await errorOf(admin.users.update({ userId: "usr_huaxin_1", permission: "viewer" }));
    expect(error.code).toBe("CONFLICT");
    await admin.users.update({ userId: "usr_huaxin_2", status: "disabled" });
    expect((await errorOf(callerFor(database.db, "usr_huaxin_2").auth.me())).code).toBe("UNAUTHORIZED");
    expect(await authenticate(database.db, "core.viewer@demo.doublechain.cn", DEMO_PASSWORD)).toBeNull();
    await admin.users.update({ userId: "usr_huaxin_2", status: "active" });
    expect((await callerFor(database.db, "usr_huaxin_2").auth.me()).permission).toBe("viewer");
  });

  it("bad input is a clear BAD_REQUEST with field errors, never a 500", async () => {
    const admin = callerFor(database.db, "usr_pearl_1");
    const error = await errorOf(admin.users.invite({ orgId: "org_pearl", email: "not-an-email", name: "", permission: "root" as "admin" }));
    expect(error.code).toBe("BAD_REQUEST");
  });
});
