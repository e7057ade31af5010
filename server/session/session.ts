import "server-only";
import NextAuth, { getServerSession } from "next-auth";
import { getDb } from "@/db/client";
import type { Actor } from "../actor";
import { loadActor } from "../auth/accounts";
import { authOptions } from "./options";

/*
 * The session, as app/ sees it: one of the few server modules app/ may import (the others are
 * the tRPC entries; eslint.config.mjs lists them). Server components ask who is signed in
 * here; everything else they read goes through the tRPC server caller.
 */

/** The signed-in user's id, or null. The actor itself is loaded fresh from the database. */
export async function currentUserId(): Promise<string | null> {
  const session = (await getServerSession(authOptions())) as { userId?: string } | null;
  return session?.userId ?? null;
}

/** The signed-in actor, re-read from the database (a disabled user or organisation has none), or null. */
export async function currentActor(): Promise<Actor | null> {
  const userId = await currentUserId();
  return userId ? loadActor(await getDb(), userId) : null;
}

/** next-auth's route handler (/api/auth/*). */
export function nextAuthHandler(req: Request, ctx: { params: Promise<{ nextauth: string[] }> }) {
  return NextAuth(authOptions())(req, ctx);
}
