import { z } from "zod";
import { EMAIL_LOCALES, NOTIFICATION_CATEGORIES } from "@/db/schema";
import { loadPreferences, markAllNotificationsRead, markNotificationRead, savePreferences } from "../../commands/notifications";
import { countUnread, listNotifications } from "../../read/notifications";
import { authedProcedure, router } from "../init";

/*
 * The inbox and each person's choices of what to receive. Every procedure is about the caller
 * alone (the actor's user id), so any signed-in person may call them, an organisation awaiting
 * review included: its admins hear of their own keys and people.
 */
const categories = z.array(z.enum(NOTIFICATION_CATEGORIES)).max(NOTIFICATION_CATEGORIES.length);

export const notificationsRouter = router({
  list: authedProcedure
    // `cursor` (the last row of the previous page) is the name tRPC's infinite queries page by.
    .input(z.object({ cursor: z.object({ createdAtMs: z.number().int().nonnegative(), id: z.string().min(1).max(64) }).nullish(), limit: z.number().int().min(1).max(100).optional() }).optional())
    .query(({ ctx, input }) => listNotifications(ctx.db, ctx.actor, { before: input?.cursor ?? undefined, limit: input?.limit })),
  unreadCount: authedProcedure.query(({ ctx }) => countUnread(ctx.db, ctx.actor)),
  markRead: authedProcedure.input(z.object({ id: z.string().min(1).max(64) })).mutation(({ ctx, input }) => markNotificationRead(ctx.db, ctx.actor, input.id, ctx.runtime.clock())),
  markAllRead: authedProcedure
    .input(z.object({ seenUpToMs: z.number().int().nonnegative() }))
    .mutation(({ ctx, input }) => markAllNotificationsRead(ctx.db, ctx.actor, input.seenUpToMs, ctx.runtime.clock())),
  preferences: authedProcedure.query(({ ctx }) => loadPreferences(ctx.db, ctx.actor)),
  setPreferences: authedProcedure
    .input(z.object({ inApp: categories, email: categories, locale: z.enum(EMAIL_LOCALES) }))
    .mutation(({ ctx, input }) => savePreferences(ctx.db, ctx.actor, input, ctx.runtime.clock())),
});
