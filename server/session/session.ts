import "server-only";
import NextAuth from "next-auth";
import { cookies, headers } from "next/headers";
import { getDb } from "@/db/client";
import type { Actor } from "../actor";
import { loadActor } from "../auth/accounts";
import { serverEnv } from "../env";
import { authOptions } from "./options";
import { sessionUserId } from "./token";

/*
 * The session, as app/ sees it: one of the few server modules app/ may import (the others are
 * the tRPC entries; eslint.config.mjs lists them). Server components ask who is signed in
 * here; everything else they read goes through the tRPC server caller.
 */

/**
 * The signed-in user's id, or null: the session cookie decrypted (token.ts), without the fresh
 * token getServerSession would encrypt and throw away. The actor itself is loaded fresh from
 * the database, once per request (trpc/init.ts).
 */
export async function currentUserId(): Promise<string | null> {
  return sessionUserId(await cookies(), serverEnv().NEXTAUTH_SECRET);
}

/** The client's address as the balancer saw it (haproxy's X-Forwarded-For), else one shared bucket. */
export async function currentClientAddress(): Promise<string> {
  const request = await headers();
  return request.get("x-forwarded-for")?.split(",", 1)[0]?.trim() || request.get("x-real-ip") || "unknown";
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
