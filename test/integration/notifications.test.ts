import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, like, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { claims, creditLines, financings, notificationCursor, notifications } from "@/db/schema";
import { buildSigned, toWire } from "@/contracts/client";
import { sha256Hex } from "@/contracts/canonical";
import { utf8ToBytes } from "@/contracts/hex";
import type { TransactionBodies, TransactionType } from "@/contracts/ledger/types";
import { seedDemo } from "@/server/seed/seed";
import { addDays, demoIdentity } from "@/server/seed/ledger-seed";
import { loadActor } from "@/server/auth/accounts";
import { latestCheckpointTextHash, requireAccepted, submitWire } from "@/server/ledger/service";
import { inviteUser, updateUser } from "@/server/commands/users";
import { createApiKey, revokeApiKey } from "@/server/commands/api-keys";
import { savePreferences, sendNotificationEmails, writeNotifications } from "@/server/commands/notifications";
import { notifyFromOutbox, notifyMaturities, runNotifications } from "@/server/jobs/notifications";
import { JOBS } from "@/server/jobs/registry";
import { createMailer, type MailSettings } from "@/server/mail/mailer";
import { createTestDatabase } from "../helpers/db";
import { startSmtpReceiver, type SmtpReceiver } from "../helpers/smtp";
import { callerFor, codeOf } from "../helpers/callers";

/*
 * Notifications for people on a real database, their emails received by a real SMTP server
 * (the smtp-server package, localhost:4401): ledger events through the notifications job,
 * people changes through the users commands, preferences, the inbox's procedures, and re-runs.
 */

const SMTP_PORT = 4401;
let database: Database;
let smtp: SmtpReceiver;
const mail: MailSettings = { mailer: createMailer({ smtpUrl: `smtp://127.0.0.1:${SMTP_PORT}` }), baseUrl: "https://app.example.cn" };
const noMail: MailSettings = { mailer: createMailer({}), baseUrl: mail.baseUrl };
const DOCUMENTS = {
  invoiceSha256: sha256Hex(utf8ToBytes("notifications test invoice")),
  contractSha256: sha256Hex(utf8ToBytes("notifications test contract")),
  deliveryNoteSha256: sha256Hex(utf8ToBytes("notifications test delivery note")),
};

const mailsTo = (address: string) => smtp.textsTo(address);

async function submit<K extends TransactionType>(orgId: string, type: K, body: TransactionBodies[K]): Promise<string> {
  const wire = toWire(buildSigned(demoIdentity(orgId), type, body, { nonce: randomBytes(16).toString("hex"), createdAtMs: Date.now() }));
  return requireAccepted(await submitWire(database.db, wire)).txId;
}

/** Who was told of one thing (by its dedupe key), as user ids, sorted. */
async function toldOf(dedupeKey: string): Promise<string[]> {
  const rows = await database.db.select({ userId: notifications.userId }).from(notifications).where(eq(notifications.dedupeKey, dedupeKey));
  return rows.map((r) => r.userId).sort();
}
const outboxKey = (txId: string, index = 0) => `outbox:${txId}:${index}`;
const total = async () => (await database.db.select({ n: sql<number>`count(*)::int` }).from(notifications))[0]!.n;

const fx = { rootId: "", offerTx: "", financingId: "", offerDecisionTx: "", disburseTx: "", declinedFinancingId: "", declineTx: "", repaymentTx: "" };

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
  smtp = await startSmtpReceiver(SMTP_PORT);
  // The seed's events are told first, with no SMTP: the tests' emails are their own. (The day's
  // maturity check is left to the run after the test's own events.)
  while ((await notifyFromOutbox(database.db, Date.now())).events > 0);
  await sendNotificationEmails(database.db, noMail, Date.now());

  // Choices made before the events: Pearl River's admin wants no email at all; Lingnan's reads English.
  await savePreferences(database.db, (await loadActor(database.db, "usr_pearl_1"))!, { inApp: ["offer", "decision", "money", "maturity", "overdue", "organisation"], email: [], locale: "zh-CN" }, Date.now());
  await savePreferences(database.db, (await loadActor(database.db, "usr_lingnan_1"))!, { inApp: ["offer", "decision", "money", "maturity", "overdue", "organisation"], email: ["offer", "decision", "money", "overdue"], locale: "en" }, Date.now());

  // Huaxin issues 50,000.00 to Pearl River, due in 5 days on the bank's line.
  const [line] = await database.db.select().from(creditLines).where(and(eq(creditLines.coreEnterpriseOrgId, "org_huaxin"), eq(creditLines.lenderOrgId, "org_cmtb")));
  fx.offerTx = await submit("org_huaxin", "claim.issue", { creditLineId: line!.id, toOrgId: "org_pearl", amountMinor: 5_000_000n, currency: "CNY", maturityDate: addDays(Date.now(), 5), documents: DOCUMENTS });
  const [root] = await database.db.select().from(claims).where(eq(claims.createdTxId, fx.offerTx));
  fx.rootId = root!.id;
  await submit("org_pearl", "claim.accept", { claimId: fx.rootId });
  // Pearl River finances it with the bank: offered, accepted, paid.
  const requestTx = await submit("org_pearl", "financing.request", { claimId: fx.rootId, lenderOrgId: "org_cmtb" });
  const [financing] = await database.db.select().from(financings).where(eq(financings.createdTxId, requestTx));
  fx.financingId = financing!.id;
  fx.offerDecisionTx = await submit("org_cmtb", "financing.offer", { financingId: fx.financingId, rateBps: 420, feeMinor: 0n, disbursementDate: addDays(Date.now(), 0), recourse: false, checkpointHash: (await latestCheckpointTextHash(database.db))! });
  await submit("org_pearl", "financing.accept", { financingId: fx.financingId });
  fx.disburseTx = await submit("org_cmtb", "financing.disburse", { financingId: fx.financingId, paymentReference: "CMTB-NOTIFY-1", checkpointHash: (await latestCheckpointTextHash(database.db))! });
  // Lingnan asks the bank to finance one of its pieces; the bank declines.
  const [held] = await database.db.select().from(claims).where(sql`${claims.holderOrgId} = 'org_lingnan' and ${claims.state} = 'held'`).limit(1);
  const declinedRequestTx = await submit("org_lingnan", "financing.request", { claimId: held!.id, lenderOrgId: "org_cmtb" });
  const [declined] = await database.db.select().from(financings).where(eq(financings.createdTxId, declinedRequestTx));
  fx.declinedFinancingId = declined!.id;
  fx.declineTx = await submit("org_cmtb", "financing.decline", { financingId: fx.declinedFinancingId, reason: "Outside our appetite this quarter." });
  // Huaxin repays 10,000.00 of the issuance early: the bank, which financed it, holds the piece.
  fx.repaymentTx = await submit("org_huaxin", "repayment.record", { rootClaimId: fx.rootId, amountMinor: 1_000_000n, paymentReference: "HX-REPAY-1" });

  await runNotifications(database.db, Date.now(), mail);
});
afterAll(async () => {
  await smtp.close();
  await database.close();
});

describe("notifications for people", () => {
  it("is a registered job of the schedule", () => {
    expect(JOBS.map((job) => job.name)).toContain("notifications");
  });

  it("tells an offer to the receiving organisation's makers and up only, and nobody elsewhere", async () => {
    expect(await toldOf(outboxKey(fx.offerTx))).toEqual(["usr_pearl_1"]);
  });

  it("tells the applicant of the lender's offer and of its decline, and of the money paid; the lender hears none of it", async () => {
    expect(await toldOf(outboxKey(fx.offerDecisionTx))).toEqual(["usr_pearl_1"]);
    expect(await toldOf(outboxKey(fx.disburseTx))).toEqual(["usr_pearl_1"]);
    expect(await toldOf(outboxKey(fx.declineTx))).toEqual(["usr_lingnan_1"]);
    const [paid] = await database.db.select().from(notifications).where(eq(notifications.dedupeKey, outboxKey(fx.disburseTx)));
    expect(paid).toMatchObject({ category: "money", kind: "financingDisbursed", subject: "financing", subjectId: fx.financingId, params: { org: "China Merchants Trade Bank" } });
  });

  it("tells each holder its repayment share: the bank, which financed the piece, and nobody else", async () => {
    expect(await toldOf(outboxKey(fx.repaymentTx))).toEqual(["usr_cmtb_1"]);
    const [share] = await database.db.select().from(notifications).where(eq(notifications.dedupeKey, outboxKey(fx.repaymentTx)));
    expect(share).toMatchObject({ kind: "repaymentReceived", params: { amountMinor: "1000000", org: "Huaxin Electronics Co., Ltd." } });
  });

  it("tells the issuer of an overdue issuance once, to its makers and up (not its viewer), and each holder of an overdue piece", async () => {
    const overdue = await database.db.select().from(notifications).where(eq(notifications.kind, "overdueIssuer"));
    const roots = [...new Set(overdue.map((n) => n.subjectId))];
    expect(roots.length).toBeGreaterThan(0);
    // Huaxin's admin and its approver (makers and up), not its viewer.
    for (const root of roots) expect(await toldOf(`overdue:${root}`)).toEqual(["usr_huaxin_1", "usr_huaxin_3"]);
    const holders = await database.db.select({ userId: notifications.userId }).from(notifications).where(eq(notifications.kind, "overdueHolder"));
    expect(holders.length).toBeGreaterThan(0);
    expect(holders.every((h) => h.userId !== "usr_huaxin_2")).toBe(true);
  });

  it("tells an organisation's admins of its keys: each demo organisation's admin heard of its key, the viewer did not", async () => {
    const keyNews = await database.db.select({ userId: notifications.userId, orgId: notifications.orgId }).from(notifications).where(eq(notifications.kind, "keyRegistered"));
    expect(keyNews.filter((n) => n.orgId === "org_pearl").map((n) => n.userId)).toEqual(["usr_pearl_1"]);
    // Huaxin's admin heard of both its keys (its own and its approver's), its viewer and approver of neither.
    expect(keyNews.filter((n) => n.orgId === "org_huaxin").map((n) => n.userId)).toEqual(["usr_huaxin_1", "usr_huaxin_1"]);
  });

  it("the daily maturity check tells the issuer's makers and the holder of an issuance due within 7 days, once a Beijing day", async () => {
    const key = (await database.db.select({ k: notifications.dedupeKey }).from(notifications).where(eq(notifications.subjectId, fx.rootId))).find((r) => r.k.startsWith("maturity:"))?.k;
    expect(key).toBe(`maturity:${fx.rootId}:${addDays(Date.now(), 5)}`);
    // The issuer (Huaxin's admin and approver, not its viewer) and the bank, which holds the financed piece.
    expect(await toldOf(key!)).toEqual(["usr_cmtb_1", "usr_huaxin_1", "usr_huaxin_3"]);
    expect(await notifyMaturities(database.db, Date.now())).toEqual({ checked: false, notified: 0 });
  });

  it("emails in the recipient's language, not when the person turned email off, and not in categories off by default", async () => {
    expect(mailsTo("tier1@demo.doublechain.cn")).toEqual([]);
    const lingnan = mailsTo("tier2@demo.doublechain.cn");
    expect(lingnan).toHaveLength(1);
    expect(lingnan[0]).toContain("China Merchants Trade Bank declined your financing application.");
    expect(lingnan[0]).toContain(`https://app.example.cn/financing/${fx.declinedFinancingId}`);
    // The bank: its repayment share (money), in Chinese by default; the maturity notice is in-app only by default.
    const bank = mailsTo("bank@demo.doublechain.cn");
    expect(bank).toHaveLength(1);
    expect(bank[0]).toContain("已还款");
    expect(bank[0]).toContain("¥10,000.00");
    const [maturity] = await database.db.select().from(notifications).where(and(eq(notifications.userId, "usr_cmtb_1"), like(notifications.dedupeKey, "maturity:%")));
    expect(maturity!.emailStatus).toBe("none");
    const [offer] = await database.db.select().from(notifications).where(eq(notifications.dedupeKey, outboxKey(fx.offerTx)));
    expect(offer).toMatchObject({ inApp: true, emailStatus: "none" });
  });

  it("a re-run adds nothing and sends nothing, even from the start of the outbox", async () => {
    const before = { rows: await total(), mails: smtp.received.length };
    await runNotifications(database.db, Date.now(), mail);
    await database.db.delete(notificationCursor);
    await runNotifications(database.db, Date.now(), mail);
    expect({ rows: await total(), mails: smtp.received.length }).toEqual(before);
  });

  it("tells the organisation's other admins of a change to its people or API keys, never the admin who made it", async () => {
    const admin = (await loadActor(database.db, "usr_huaxin_1"))!;
    await updateUser(database.db, admin, { userId: "usr_huaxin_2", permission: "admin" });
    const [promoted] = await database.db.select().from(notifications).where(and(eq(notifications.kind, "userPermissionChanged"), eq(notifications.orgId, "org_huaxin")));
    expect(promoted).toMatchObject({ userId: "usr_huaxin_2", params: { actor: "Chen Jing", name: "Zhou Min", permission: "admin" } });
    await inviteUser(database.db, admin, { orgId: "org_huaxin", email: "new.treasurer@huaxin.example", name: "Gao Fei", permission: "maker" });
    const invited = await database.db.select({ userId: notifications.userId }).from(notifications).where(eq(notifications.kind, "userInvited"));
    expect(invited.map((n) => n.userId)).toEqual(["usr_huaxin_2"]);
    // API keys act for the organisation: the other admin hears of a new one and of its revocation.
    const key = await createApiKey(database.db, admin, { name: "ERP", scopes: ["read"], expiresInDays: 30 });
    await revokeApiKey(database.db, admin, key.id);
    expect(await toldOf(`api-key:${key.id}:apiKeyCreated`)).toEqual(["usr_huaxin_2"]);
    expect(await toldOf(`api-key:${key.id}:apiKeyRevoked`)).toEqual(["usr_huaxin_2"]);
  });

  it("the inbox answers each person with their own notifications only: unread count, mark one read, mark all read", async () => {
    const pearl = callerFor(database.db, "usr_pearl_1");
    const unread = await pearl.notifications.unreadCount();
    expect(unread).toBeGreaterThanOrEqual(3);
    const page = await pearl.notifications.list({ limit: 100 });
    expect(page.items.map((n) => n.kind)).toEqual(expect.arrayContaining(["claimOffered", "financingOffered", "financingDisbursed"]));
    const own = await database.db.select({ id: notifications.id }).from(notifications).where(eq(notifications.userId, "usr_pearl_1"));
    expect(page.items.map((n) => n.id).sort()).toEqual(own.map((n) => n.id).sort());
    const offer = page.items.find((n) => n.kind === "claimOffered")!;
    expect(offer.href).toBe(`/claims/${fx.rootId}`);

    // Another person's notification is not found for them, and stays unread.
    const bank = callerFor(database.db, "usr_cmtb_1");
    expect(await codeOf(bank.notifications.markRead({ id: offer.id }))).toBe("NOT_FOUND");
    expect(await pearl.notifications.unreadCount()).toBe(unread);

    await pearl.notifications.markRead({ id: offer.id });
    expect(await pearl.notifications.unreadCount()).toBe(unread - 1);
    expect((await pearl.notifications.list({ limit: 100 })).items.find((n) => n.id === offer.id)!.readAtMs).not.toBeNull();
    // Mark all read covers what the page showed: a notification newer than that stays unread.
    const newest = Math.max(...page.items.map((n) => n.createdAtMs));
    await writeNotifications(database.db, [{ orgId: "org_pearl", category: "offer", kind: "claimOffered", subject: "claim", subjectId: fx.rootId, params: { org: "Huaxin", amountMinor: "1", date: "2026-12-31" }, dedupeKey: "test:later", occurredAtMs: newest + 1 }], newest + 1);
    expect(await pearl.notifications.markAllRead({ seenUpToMs: newest })).toEqual({ marked: unread - 1 });
    expect(await pearl.notifications.unreadCount()).toBe(1);
    expect(await pearl.notifications.markAllRead({ seenUpToMs: newest + 1 })).toEqual({ marked: 1 });
    expect(await pearl.notifications.unreadCount()).toBe(0);
    expect(await bank.notifications.unreadCount()).toBeGreaterThan(0);
    expect(await codeOf(callerFor(database.db, null).notifications.unreadCount())).toBe("UNAUTHORIZED");
  });

  it("keeps a person's choices: inbox off for a category keeps it out of the inbox and its count", async () => {
    const factor = callerFor(database.db, "usr_gbfactor_1");
    expect(await factor.notifications.preferences()).toMatchObject({ saved: false, email: ["offer", "decision", "money", "overdue"], locale: "zh-CN" });
    await factor.notifications.setPreferences({ inApp: ["offer"], email: ["money", "offer"], locale: "en" });
    expect(await factor.notifications.preferences()).toMatchObject({ saved: true, inApp: ["offer"], email: ["offer", "money"], locale: "en" });
    // The factor holds a financed piece of a matured issuance: its next overdue news would be email-less and out of the inbox.
    const [piece] = await database.db.select().from(claims).where(sql`${claims.holderOrgId} = 'org_gbfactor'`).limit(1);
    const written = await writeNotifications(database.db, [{ orgId: "org_gbfactor", category: "overdue", kind: "overdueHolder", subject: "claim", subjectId: piece!.id, params: { amountMinor: "1", date: "2026-01-01" }, dedupeKey: "test:overdue-off", occurredAtMs: Date.now() }], Date.now());
    expect(written).toBe(0);
    expect(await toldOf("test:overdue-off")).toEqual([]);
  });
});
