import { z } from "zod";
import { databaseSettingsSchema } from "@/db/settings";
import { DEMO_NETWORK_ID, networkIdSchema } from "@/contracts/ledger/schema";

const schema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  DATABASE_URL: z.string().url().optional(),
  PGLITE_DIR: z.string().optional(),
  NEXTAUTH_SECRET: z.string().min(16).optional(),
  // The network (deployment) id every signed transaction names (server/network.ts).
  NETWORK_ID: networkIdSchema.default(DEMO_NETWORK_ID),
  // The pool's size and timeouts (db/settings.ts).
  ...databaseSettingsSchema.shape,
});

export type ServerEnv = z.infer<typeof schema> & { NEXTAUTH_SECRET: string };

// The development secret only signs sessions of the local demo; production refuses to start without one.
const DEV_SECRET = "double-chain-local-development-secret";

function load(): ServerEnv {
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    throw new Error(`Invalid environment: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  const env = parsed.data;
  if (!env.NEXTAUTH_SECRET && env.NODE_ENV === "production" && process.env.NEXT_PHASE !== "phase-production-build") {
    throw new Error("NEXTAUTH_SECRET must be set in production (at least 16 characters).");
  }
  return { ...env, NEXTAUTH_SECRET: env.NEXTAUTH_SECRET ?? DEV_SECRET };
}

let cached: ServerEnv | undefined;
export function serverEnv(): ServerEnv {
  cached ??= load();
  return cached;
}
