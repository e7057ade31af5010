import { and, asc, eq, inArray, isNull, lte } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import {
  DEFAULT_EMAIL,
  DEFAULT_IN_APP,
  NOTIFICATION_CATEGORIES,
  notificationPath,
  notificationPreferences,
  notifications,
  users,
  type EmailLocale,
  type NotificationCategory,
  type NotificationKind,
  type NotificationSubject,
} from "@/db/schema";
import type { Actor } from "../actor";
import { canReadNotification, receivesNotifications } from "../authz";
import { badRequest, notFound } from "../errors";
import { newId } from "../ids";
import type { MailSettings } from "../mail/mailer";
import { notificationEmail } from "../mail/texts";

/*
 * Notifications for people: who is told (the organisation's people whose permission acts on the
 * category, authz.ts receivesNotifications, as each chose in their preferences), the inbox's
 * "read" marks, the preferences themselves, and the emails, sent at most once per notification.
 * The notifications job (server/jobs/notifications.ts) turns ledger events into drafts; the
 * commands that change an organisation's people write theirs in their own transaction.
 */

/** Something to tell an organisation's people, before it is known who they are. */
export interface NotificationDraft {
  orgId: string;
  category: NotificationCategory;
  kind: NotificationKind;
  subject: NotificationSubject;
  subjectId: string | null;
  params: Record<string, string>;
  /** What it is about, unique per person: the same draft written twice notifies nobody twice. */
  dedupeKey: string;
  /** When it happened: an event older than EMAIL_STALE_MS when it is written goes to the inbox only. */
  occurredAtMs: number;
  /** The person whose own action it tells of: not told of it. */
  exceptUserId?: string;
  /** When set, only these people of the organisation (still as the category and their choices allow): a maker told of his own item. */
  onlyUserIds?: readonly string[];
}

/** Events found late (a backlog, a first run over an old outbox) are not emailed: an email about last week's offer helps nobody. */
export const EMAIL_STALE_MS = 24 * 3_600_000;

export interface Preferences {
  inApp: NotificationCategory[];
  email: NotificationCategory[];
  locale: EmailLocale;
}

export const DEFAULT_PREFERENCES: Preferences = { inApp: [...DEFAULT_IN_APP], email: [...DEFAULT_EMAIL], locale: "zh-CN" };

function preferencesOf(row: typeof notificationPreferences.$inferSelect | undefined): Preferences {
  return row ? { inApp: row.inApp, email: row.email, locale: row.locale } : DEFAULT_PREFERENCES;
}

/** Writes the drafts for every person who should receive them and wants them somewhere; returns how many rows were new. */
export async function writeNotifications(db: DbOrTx, drafts: readonly NotificationDraft[], nowMs: number): Promise<number> {
  if (drafts.length === 0) return 0;
  const orgIds = [...new Set(drafts.map((draft) => draft.orgId))];
  const people = await db
    .select({ id: users.id, orgId: users.orgId, permission: users.permission, status: users.status, preferences: notificationPreferences })
    .from(users)
    .leftJoin(notificationPreferences, eq(notificationPreferences.userId, users.id))
    .where(and(inArray(users.orgId, orgIds), eq(users.status, "active")));
  const rows = drafts.flatMap((draft) =>
    people
      .filter((person) => person.orgId === draft.orgId && person.id !== draft.exceptUserId && (draft.onlyUserIds === undefined || draft.onlyUserIds.includes(person.id)) && receivesNotifications(person, draft.category))
      .flatMap((person) => {
        const chosen = preferencesOf(person.preferences ?? undefined);
        const inApp = chosen.inApp.includes(draft.category);
        const email = chosen.email.includes(draft.category) && nowMs - draft.occurredAtMs <= EMAIL_STALE_MS;
        if (!inApp && !email) return [];
        return [
          {
            id: newId("ntf"),
            userId: person.id,
            orgId: draft.orgId,
            category: draft.category,
            kind: draft.kind,
            subject: draft.subject,
            subjectId: draft.subjectId,
            params: draft.params,
            dedupeKey: draft.dedupeKey,
            inApp,
            createdAtMs: nowMs,
            emailStatus: email ? ("pending" as const) : ("none" as const),
          },
        ];
      }),
  );
  if (rows.length === 0) return 0;
  const written = await db
    .insert(notifications)
    .values(rows)
    .onConflictDoNothing({ target: [notifications.userId, notifications.dedupeKey] })
    .returning({ id: notifications.id });
  return written.length;
}

/** Marks one of the caller's own notifications read; another person's is "not found", as if it did not exist. */
export async function markNotificationRead(db: DbOrTx, actor: Actor, notificationId: string, nowMs: number): Promise<{ id: string; readAtMs: number }> {
  const [row] = await db.select({ id: notifications.id, userId: notifications.userId, readAtMs: notifications.readAtMs }).from(notifications).where(eq(notifications.id, notificationId));
  if (!row || !canReadNotification(actor, row)) throw notFound("notification_not_found", "No such notification.");
  if (row.readAtMs !== null) return { id: row.id, readAtMs: row.readAtMs };
  await db.update(notifications).set({ readAtMs: nowMs }).where(and(eq(notifications.id, row.id), isNull(notifications.readAtMs)));
  return { id: row.id, readAtMs: nowMs };
}

/**
 * Marks the caller's unread notifications read, up to the newest one the person was shown
 * (`seenUpToMs`, its createdAtMs): one that arrived while the page was open stays unread.
 */
export async function markAllNotificationsRead(db: DbOrTx, actor: Actor, seenUpToMs: number, nowMs: number): Promise<{ marked: number }> {
  const marked = await db
    .update(notifications)
    .set({ readAtMs: nowMs })
    .where(and(eq(notifications.userId, actor.userId), isNull(notifications.readAtMs), lte(notifications.createdAtMs, seenUpToMs)))
    .returning({ id: notifications.id });
  return { marked: marked.length };
}

/** The caller's own choices (the defaults until saved once). */
export async function loadPreferences(db: DbOrTx, actor: Actor): Promise<Preferences & { saved: boolean }> {
  const [row] = await db.select().from(notificationPreferences).where(eq(notificationPreferences.userId, actor.userId));
  return { ...preferencesOf(row), saved: row !== undefined };
}

/** Saves the caller's own choices: which categories reach the inbox, which are emailed, and in which language. */
export async function savePreferences(db: DbOrTx, actor: Actor, input: Preferences, nowMs: number): Promise<Preferences> {
  const known = (list: readonly string[]) => list.every((c) => (NOTIFICATION_CATEGORIES as readonly string[]).includes(c));
  if (!known(input.inApp) || !known(input.email)) throw badRequest("notification_category_unknown", "Choose among the listed kinds of notification.");
  const ordered = (list: readonly NotificationCategory[]) => NOTIFICATION_CATEGORIES.filter((c) => list.includes(c));
  const values = { inApp: ordered(input.inApp), email: ordered(input.email), locale: input.locale };
  await db
    .insert(notificationPreferences)
    .values({ userId: actor.userId, ...values, updatedAtMs: nowMs })
    .onConflictDoUpdate({ target: notificationPreferences.userId, set: { ...values, updatedAtMs: nowMs } });
  return values;
}

/**
 * Emails the notifications waiting for it, oldest first, each at most once: a row is handed
 * over (email_status 'sending') by a conditional update before the message goes out, so a run
 * repeated after a crash mid-send skips it rather than sending it again. Without SMTP the
 * waiting rows are closed as not_configured (not kept for a later blast of stale news).
 */
export async function sendNotificationEmails(db: Db, mail: MailSettings, nowMs: number, limit = 50): Promise<{ sent: number; failed: number; notConfigured: number }> {
  const tally = { sent: 0, failed: 0, notConfigured: 0 };
  if (!mail.mailer.configured) {
    const closed = await db.update(notifications).set({ emailStatus: "not_configured", emailedAtMs: nowMs }).where(eq(notifications.emailStatus, "pending")).returning({ id: notifications.id });
    tally.notConfigured = closed.length;
    return tally;
  }
  const due = await db
    .select({ notification: notifications, email: users.email, name: users.name, locale: notificationPreferences.locale })
    .from(notifications)
    .innerJoin(users, eq(users.id, notifications.userId))
    .leftJoin(notificationPreferences, eq(notificationPreferences.userId, notifications.userId))
    .where(eq(notifications.emailStatus, "pending"))
    .orderBy(asc(notifications.createdAtMs), asc(notifications.id))
    .limit(limit);
  for (const { notification, email, name, locale } of due) {
    const [handed] = await db
      .update(notifications)
      .set({ emailStatus: "sending", emailedAtMs: nowMs })
      .where(and(eq(notifications.id, notification.id), eq(notifications.emailStatus, "pending")))
      .returning({ id: notifications.id });
    if (!handed) continue;
    const text = notificationEmail(locale ?? DEFAULT_PREFERENCES.locale, {
      name,
      kind: notification.kind,
      category: notification.category,
      params: notification.params,
      link: `${mail.baseUrl}${notificationPath(notification.subject, notification.subjectId)}`,
      settingsLink: `${mail.baseUrl}/settings/notifications`,
    });
    const outcome = await mail.mailer.send({ to: email, ...text });
    await db.update(notifications).set({ emailStatus: outcome }).where(eq(notifications.id, notification.id));
    if (outcome === "sent") tally.sent += 1;
    else if (outcome === "failed") tally.failed += 1;
    else tally.notConfigured += 1;
  }
  return tally;
}
