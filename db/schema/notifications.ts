import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import type { EmailLocale, NotificationCategory, NotificationKind, NotificationSubject } from "../enums";
import { organisations } from "./organisations";
import { users } from "./users";

const ms = (name: string) => bigint(name, { mode: "number" });
const list = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(","));

/** How an email of a notification went: never wanted, waiting, handed to the sender (at most once), or its outcome. */
export const EMAIL_STATUSES = ["none", "pending", "sending", "sent", "failed", "not_configured"] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];

/**
 * What one person is told (issue 16, notifications for people): written by the notifications
 * job from the ledger's outbox and its daily maturity check, and by the commands that change an
 * organisation's people. One row per person and thing told: (user_id, dedupe_key) is unique, so
 * a run repeated after a crash or a lease taken over notifies nobody twice. A row the person
 * wants only by email has in_app false and stays out of the inbox.
 */
export const notifications = pgTable(
  "notifications",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    orgId: text("org_id")
      .notNull()
      .references(() => organisations.id),
    category: text("category").$type<NotificationCategory>().notNull(),
    kind: text("kind").$type<NotificationKind>().notNull(),
    subject: text("subject").$type<NotificationSubject>().notNull(),
    /** The claim, issuance root or financing the notification links to; null for keys and people. */
    subjectId: text("subject_id"),
    /** What the words need: names, amounts in minor units as decimal strings, dates. */
    params: jsonb("params").$type<Record<string, string>>().notNull(),
    /** What it is about, e.g. `outbox:<txId>:<index>` or `maturity:<rootId>:<date>`. */
    dedupeKey: text("dedupe_key").notNull(),
    inApp: boolean("in_app").notNull(),
    createdAtMs: ms("created_at_ms").notNull(),
    readAtMs: ms("read_at_ms"),
    emailStatus: text("email_status").$type<EmailStatus>().notNull(),
    emailedAtMs: ms("emailed_at_ms"),
  },
  (t) => [
    uniqueIndex("notifications_once").on(t.userId, t.dedupeKey),
    index("notifications_inbox_idx").on(t.userId, t.createdAtMs),
    index("notifications_unread_idx").on(t.userId).where(sql`${t.readAtMs} is null and ${t.inApp}`),
    index("notifications_email_due_idx").on(t.createdAtMs).where(sql`${t.emailStatus} = 'pending'`),
    check("notifications_category_check", sql`${t.category} in ('offer','decision','money','maturity','overdue','organisation')`),
    check("notifications_subject_check", sql`${t.subject} in ('claim','issuance','financing','keys','apiKeys','people','approvals')`),
    check("notifications_email_status_check", sql`${t.emailStatus} in (${list(EMAIL_STATUSES)})`),
    check("notifications_emailed_when_handed_over", sql`(${t.emailedAtMs} is null) = (${t.emailStatus} in ('none','pending'))`),
  ],
);

/**
 * Each person's choices: which categories reach the inbox and which are emailed, and the
 * language emails are written in. No row means the defaults (db/enums.ts DEFAULT_IN_APP,
 * DEFAULT_EMAIL) and emails in the interface's default language.
 */
export const notificationPreferences = pgTable(
  "notification_preferences",
  {
    userId: text("user_id")
      .primaryKey()
      .references(() => users.id),
    inApp: text("in_app").array().$type<NotificationCategory[]>().notNull(),
    email: text("email").array().$type<NotificationCategory[]>().notNull(),
    locale: text("locale").$type<EmailLocale>().notNull(),
    updatedAtMs: ms("updated_at_ms").notNull(),
  },
  (t) => [check("notification_preferences_locale_check", sql`${t.locale} in ('zh-CN','en')`)],
);

/**
 * The notifications job's own place in the ledger's outbox (not the webhooks' dispatched_at_ms,
 * so the two never wait for each other): the last row notified, by (leaf_index, id), and the
 * Beijing day of the last maturity check.
 */
export const notificationCursor = pgTable("notification_cursor", {
  name: text("name").primaryKey(),
  leafIndex: bigint("leaf_index", { mode: "number" }).notNull(),
  outboxId: text("outbox_id").notNull(),
  maturityCheckedOn: text("maturity_checked_on"),
});
