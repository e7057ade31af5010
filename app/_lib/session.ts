import "server-only";
import { redirect } from "next/navigation";
import { currentActor } from "@/server/session/session";
import type { Actor } from "@/server/actor";

/** The signed-in actor for a server component; unauthenticated visitors go to the sign-in page. */
export async function requireActor(): Promise<Actor> {
  const actor = await currentActor();
  if (!actor) redirect("/signin");
  return actor;
}
