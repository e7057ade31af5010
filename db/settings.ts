import { z } from "zod";

/*
 * The app's PostgreSQL pool and timeouts, from the environment (documented in the README,
 * "Using a PostgreSQL server"). server/env.ts validates them with the rest at start-up; the
 * database opener parses them again with the same schema, so a bad value stops the app at
 * its first open instead of being ignored.
 */
const integer = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

export const databaseSettingsSchema = z.object({
  /** Connections of the app's pool (readers and writers together). */
  DATABASE_POOL_MAX: integer(1, 1000, 10),
  /** Seconds to open a connection before the request is answered 503. */
  DATABASE_CONNECT_TIMEOUT_S: integer(1, 300, 5),
  /** Longest time one statement may run (PostgreSQL statement_timeout). */
  DATABASE_STATEMENT_TIMEOUT_MS: integer(100, 3_600_000, 15_000),
  /** Longest time a statement waits for a row or table lock (PostgreSQL lock_timeout). */
  DATABASE_LOCK_TIMEOUT_MS: integer(100, 3_600_000, 5_000),
});

export type DatabaseSettings = z.infer<typeof databaseSettingsSchema>;

/** Parses the settings; throws with every invalid one named. */
export function databaseSettingsFromEnv(env: Record<string, string | undefined>): DatabaseSettings {
  const parsed = databaseSettingsSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Invalid database settings: ${parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}`);
  }
  return parsed.data;
}
