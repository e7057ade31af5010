import "server-only";
import { redirect } from "next/navigation";
import { loadActor } from "@/server/services/users";
import { getDb } from "@/db/client";
import { currentUserId } from "@/server/auth/options";
import type { Actor } from "@/server/actor";

/** The signed-in actor for a server component; unauthenticated visitors go to the sign-in page. */
export async function requireActor(): Promise<Actor> {
  const userId = await currentUserId();
  const actor = userId ? await loadActor(await getDb(), userId) : null;
  if (!actor) redirect("/signin");
  return actor;
}
