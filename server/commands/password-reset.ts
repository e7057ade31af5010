import { createHash } from "node:crypto";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { passwordResets, users } from "@/db/schema";
import { notFound } from "../errors";
import { newToken } from "../ids";
import { hashPassword } from "../auth/password";
import type { MailSettings } from "../mail/mailer";
import { passwordResetEmail } from "../mail/texts";

/*
 * Password reset by email: a one-time link, kept as the SHA-256 of its token, valid for 30
 * minutes, used at most once; at most 3 links per account an hour. The request answers the
 * same whether or not an account has that address, so it tells nobody who is registered.
 */

export const RESET_VALID_MS = 30 * 60_000;
export const RESETS_PER_HOUR = 3;
const HOUR_MS = 60 * 60_000;

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");
const invalid = () => notFound("reset_invalid", "This reset link is invalid, used or expired. Ask for a new one.");

/** Sends a reset link to an active account with this address, unless it was sent 3 in the last hour; otherwise does nothing. */
export async function requestPasswordReset(db: DbOrTx, mail: MailSettings, email: string, nowMs = Date.now()): Promise<void> {
  const address = email.trim().toLowerCase();
  const issued = await db.transaction(async (tx) => {
    // The user's row, locked: two requests at once count each other.
    const [user] = await tx.select({ id: users.id, name: users.name, email: users.email }).from(users).where(and(eq(users.email, address), eq(users.status, "active"))).for("update");
    if (!user) return null;
    const [recent] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(passwordResets)
      .where(and(eq(passwordResets.userId, user.id), gt(passwordResets.createdAtMs, nowMs - HOUR_MS)));
    if ((recent?.n ?? 0) >= RESETS_PER_HOUR) return null;
    const token = newToken();
    await tx.insert(passwordResets).values({ tokenHash: hashToken(token), userId: user.id, createdAtMs: nowMs, expiresAtMs: nowMs + RESET_VALID_MS });
    return { user, token };
  });
  if (!issued) return;
  const link = `${mail.baseUrl}/reset-password?token=${encodeURIComponent(issued.token)}`;
  await mail.mailer.send({ to: issued.user.email, ...passwordResetEmail({ name: issued.user.name, link, validMinutes: RESET_VALID_MS / 60_000 }) });
}

/** Sets a new password with a reset link's token: once, before it expires; the account's other open links stop working. */
export async function resetPassword(db: DbOrTx, input: { token: string; password: string }, nowMs = Date.now()): Promise<{ email: string }> {
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const [reset] = await tx
      .update(passwordResets)
      .set({ usedAtMs: nowMs })
      .where(and(eq(passwordResets.tokenHash, hashToken(input.token)), isNull(passwordResets.usedAtMs), gt(passwordResets.expiresAtMs, nowMs)))
      .returning();
    if (!reset) throw invalid();
    const [user] = await tx.update(users).set({ passwordHash }).where(and(eq(users.id, reset.userId), eq(users.status, "active"))).returning({ email: users.email });
    if (!user) throw invalid();
    await tx.update(passwordResets).set({ usedAtMs: nowMs }).where(and(eq(passwordResets.userId, reset.userId), isNull(passwordResets.usedAtMs)));
    return user;
  });
}
