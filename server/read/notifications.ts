import { and, count, desc, eq, isNull, lt, or } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { notificationPath, notifications, type NotificationCategory, type NotificationKind } from "@/db/schema";
import type { Actor } from "../actor";

/*
 * The inbox: a person's own notifications (written by the notifications job and the people
 * commands, server/commands/notifications.ts), never anyone else's. Each query names the
 * caller's user id, so there is nothing else to ask for (canReadNotification in authz.ts is the
 * rule the commands apply to a notification named by id).
 */

export interface NotificationDto {
  id: string;
  category: NotificationCategory;
  kind: NotificationKind;
  params: Record<string, string>;
  /** The app's page it is about. */
  href: string;
  createdAtMs: number;
  readAtMs: number | null;
}

export const INBOX_PAGE = 30;

/** The caller's inbox, newest first, a page at a time: `before` is the last row of the previous page. */
export async function listNotifications(db: DbOrTx, actor: Actor, input: { before?: { createdAtMs: number; id: string } | undefined; limit?: number | undefined }): Promise<{ items: NotificationDto[]; more: boolean }> {
  const limit = input.limit ?? INBOX_PAGE;
  const before = input.before;
  const rows = await db
    .select()
    .from(notifications)
    .where(
      and(
        eq(notifications.userId, actor.userId),
        eq(notifications.inApp, true),
        before ? or(lt(notifications.createdAtMs, before.createdAtMs), and(eq(notifications.createdAtMs, before.createdAtMs), lt(notifications.id, before.id))) : undefined,
      ),
    )
    .orderBy(desc(notifications.createdAtMs), desc(notifications.id))
    .limit(limit + 1);
  return {
    items: rows.slice(0, limit).map((row) => ({
      id: row.id,
      category: row.category,
      kind: row.kind,
      params: row.params,
      href: notificationPath(row.subject, row.subjectId),
      createdAtMs: row.createdAtMs,
      readAtMs: row.readAtMs,
    })),
    more: rows.length > limit,
  };
}

/** How many of the caller's inbox notifications are unread (the shell's badge). */
export async function countUnread(db: DbOrTx, actor: Actor): Promise<number> {
  const [row] = await db
    .select({ unread: count() })
    .from(notifications)
    .where(and(eq(notifications.userId, actor.userId), eq(notifications.inApp, true), isNull(notifications.readAtMs)));
  return row?.unread ?? 0;
}
