import { eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { organisations, users } from "@/db/schema";
import type { Actor } from "../actor";
import { dummyPasswordHash, verifyPassword } from "./password";

/* Who signs in, and who is asking: read from the database at sign-in and on every request. */

/** Checks a password; unknown emails cost the same time as wrong passwords. */
export async function authenticate(db: DbOrTx, email: string, password: string): Promise<{ userId: string } | null> {
  const [row] = await db
    .select({ id: users.id, passwordHash: users.passwordHash, status: users.status })
    .from(users)
    .where(eq(users.email, email.trim().toLowerCase()));
  const ok = await verifyPassword(password, row?.passwordHash ?? (await dummyPasswordHash()));
  if (!row || !ok || row.status !== "active") return null;
  return { userId: row.id };
}

function actorQuery(db: DbOrTx) {
  return db
    .select({
      userId: users.id,
      email: users.email,
      name: users.name,
      permission: users.permission,
      status: users.status,
      orgId: organisations.id,
      orgName: organisations.name,
      orgRole: organisations.role,
      orgStatus: organisations.status,
    })
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.orgId))
    .where(eq(users.id, sql.placeholder("userId")))
    .prepare("load_actor");
}

/*
 * Every authenticated request reads its actor (trpc/init.ts), so the query is built once per
 * database handle (drizzle's prepare: no query building per request; postgres.js prepares it on
 * the server once per connection). A transaction's handle is a new object: prepared again there.
 */
const preparedActor = new WeakMap<object, ReturnType<typeof actorQuery>>();

export async function loadActor(db: DbOrTx, userId: string): Promise<Actor | null> {
  let query = preparedActor.get(db);
  if (!query) {
    query = actorQuery(db);
    preparedActor.set(db, query);
  }
  const [row] = await query.execute({ userId });
  if (!row || row.status !== "active") return null;
  return {
    userId: row.userId,
    email: row.email,
    name: row.name,
    permission: row.permission,
    orgId: row.orgId,
    orgName: row.orgName,
    orgRole: row.orgRole,
    orgStatus: row.orgStatus,
  };
}
