import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { passwordResets, users } from "@/db/schema";
import { seedDemo } from "@/server/seed/seed";
import { DEMO_PASSWORD } from "@/server/seed/demo-data";
import { authenticate, loadActor } from "@/server/auth/accounts";
import { acceptInvite, inviteUser } from "@/server/commands/users";
import { requestPasswordReset, resetPassword, RESET_VALID_MS, RESETS_PER_HOUR } from "@/server/commands/password-reset";
import { createMailer, type MailSettings } from "@/server/mail/mailer";
import { createTestDatabase } from "../helpers/db";
import { startSmtpReceiver, type SmtpReceiver } from "../helpers/smtp";

/*
 * Email to people through nodemailer over SMTP, received by a real SMTP server in the test
 * (the smtp-server package, localhost:3864): invitations and password resets, the links they
 * carry used as a person would.
 */

const SMTP_PORT = 3864;
let database: Database;
let smtp: SmtpReceiver;
const mail: MailSettings = { mailer: createMailer({ smtpUrl: `smtp://127.0.0.1:${SMTP_PORT}` }), baseUrl: "https://app.example.cn" };

const mailsTo = (address: string) => smtp.received.filter((m) => m.to.includes(address));
const tokenIn = (text: string, path: string) => new RegExp(`https://app\\.example\\.cn${path}([A-Za-z0-9_%-]+)`).exec(text)?.[1];

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
  smtp = await startSmtpReceiver(SMTP_PORT);
});
afterAll(async () => {
  await smtp.close();
  await database.close();
});

describe("email to people", () => {
  it("emails an invitation in Chinese and English, and its link activates the account", async () => {
    const admin = (await loadActor(database.db, "usr_lingnan_1"))!;
    const invited = await inviteUser(database.db, admin, { orgId: admin.orgId, email: "New.Buyer@Lingnan.example", name: "Chen Jing", permission: "maker" }, mail);
    expect(invited.emailed).toBe(true);
    const [email] = mailsTo("new.buyer@lingnan.example");
    expect(email!.text).toContain("Chen Jing");
    expect(email!.text).toContain("邀请");
    expect(email!.text).toContain("You are invited to act for");
    expect(tokenIn(email!.text, "/invite/")).toBe(invited.inviteToken);
    expect(await acceptInvite(database.db, { token: tokenIn(email!.text, "/invite/")!, password: "a new long password" })).toEqual({ email: "new.buyer@lingnan.example" });
  });

  it("without SMTP_URL an invitation is still made, and says it was not emailed", async () => {
    const admin = (await loadActor(database.db, "usr_lingnan_1"))!;
    const before = smtp.received.length;
    const invited = await inviteUser(database.db, admin, { orgId: admin.orgId, email: "second@lingnan.example", name: "Li Wei", permission: "viewer" }, { mailer: createMailer({}), baseUrl: mail.baseUrl });
    expect(invited.emailed).toBe(false);
    expect(smtp.received.length).toBe(before);
  });

  it("a password reset link changes the password once, and only the new password signs in", async () => {
    const nowMs = Date.now();
    await requestPasswordReset(database.db, mail, " Tier3@Demo.DoubleChain.cn ", nowMs);
    const [email] = mailsTo("tier3@demo.doublechain.cn");
    expect(email!.text).toContain("重置");
    const token = decodeURIComponent(tokenIn(email!.text, "/reset-password\\?token=")!);
    expect(await resetPassword(database.db, { token, password: "the tier 3 new password" }, nowMs + 60_000)).toEqual({ email: "tier3@demo.doublechain.cn" });
    expect(await authenticate(database.db, "tier3@demo.doublechain.cn", "the tier 3 new password")).not.toBeNull();
    expect(await authenticate(database.db, "tier3@demo.doublechain.cn", DEMO_PASSWORD)).toBeNull();
    await expect(resetPassword(database.db, { token, password: "yet another password" }, nowMs + 120_000)).rejects.toMatchObject({ code: "reset_invalid" });
  });

  it("an expired link is refused, and a used link closes the account's other open links", async () => {
    const nowMs = Date.now();
    await requestPasswordReset(database.db, mail, "tier2@demo.doublechain.cn", nowMs);
    await requestPasswordReset(database.db, mail, "tier2@demo.doublechain.cn", nowMs + 1);
    const [first, second] = mailsTo("tier2@demo.doublechain.cn").map((m) => decodeURIComponent(tokenIn(m.text, "/reset-password\\?token=")!));
    await expect(resetPassword(database.db, { token: first!, password: "too late a password" }, nowMs + RESET_VALID_MS)).rejects.toMatchObject({ code: "reset_invalid" });
    expect(await authenticate(database.db, "tier2@demo.doublechain.cn", DEMO_PASSWORD)).not.toBeNull();
    await requestPasswordReset(database.db, mail, "tier2@demo.doublechain.cn", nowMs + 1_000);
    const third = decodeURIComponent(tokenIn(mailsTo("tier2@demo.doublechain.cn")[2]!.text, "/reset-password\\?token=")!);
    await resetPassword(database.db, { token: second!, password: "tier 2 chose this one" }, nowMs + 2_000);
    await expect(resetPassword(database.db, { token: third, password: "and then this one" }, nowMs + 3_000)).rejects.toMatchObject({ code: "reset_invalid" });
    expect(await authenticate(database.db, "tier2@demo.doublechain.cn", "tier 2 chose this one")).not.toBeNull();
    const [user] = await database.db.select().from(users).where(eq(users.email, "tier2@demo.doublechain.cn"));
    const open = await database.db.select().from(passwordResets).where(eq(passwordResets.userId, user!.id));
    expect(open.filter((r) => r.usedAtMs === null)).toEqual([]);
  });

  it(`sends at most ${RESETS_PER_HOUR} links an hour to one account, and nothing to an address without one, answering alike`, async () => {
    const nowMs = Date.now() + 10 * 3_600_000;
    for (let i = 0; i < RESETS_PER_HOUR + 2; i += 1) await requestPasswordReset(database.db, mail, "tier1@demo.doublechain.cn", nowMs + i * 60_000);
    expect(mailsTo("tier1@demo.doublechain.cn")).toHaveLength(RESETS_PER_HOUR);
    // An hour after the first, the window has room again.
    await requestPasswordReset(database.db, mail, "tier1@demo.doublechain.cn", nowMs + 3_600_000 + 1);
    expect(mailsTo("tier1@demo.doublechain.cn")).toHaveLength(RESETS_PER_HOUR + 1);
    const before = smtp.received.length;
    await expect(requestPasswordReset(database.db, mail, "nobody@nowhere.example", nowMs)).resolves.toBeUndefined();
    expect(smtp.received.length).toBe(before);
  });
});
