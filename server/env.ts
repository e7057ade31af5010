import { z } from "zod";
import { databaseSettingsSchema } from "@/db/settings";
import { DEMO_NETWORK_ID, networkIdSchema } from "@/contracts/ledger/schema";

export const DEFAULT_LEDGER_ORIGIN = "double-chain.example/ledger";

const schema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  DATABASE_URL: z.string().url().optional(),
  PGLITE_DIR: z.string().optional(),
  NEXTAUTH_SECRET: z.string().min(16).optional(),
  // Email to people (server/mail/): smtp://user:password@host:587 or smtps://…; unset, nothing is sent.
  SMTP_URL: z.string().url().refine((url) => /^smtps?:\/\//.test(url), "an smtp:// or smtps:// URL").optional(),
  MAIL_FROM: z.string().min(3).max(200).optional(),
  // The network (deployment) id every signed transaction names (server/network.ts).
  NETWORK_ID: networkIdSchema.default(DEMO_NETWORK_ID),
  // The pool's size and timeouts (db/settings.ts).
  ...databaseSettingsSchema.shape,
  /**
   * Passkeys (WebAuthn): the relying party id and the exact origins whose pages may create
   * and use them. Default: the host and origin of NEXTAUTH_URL (server/webauthn.ts).
   */
  WEBAUTHN_RP_ID: z.string().min(1).max(253).optional(),
  WEBAUTHN_ORIGINS: z.string().min(1).max(2000).optional(),
  /** "off": every instance on the database commits its own blocks instead of electing one writer (server/ledger/writer.ts). */
  LEDGER_SINGLE_WRITER: z.enum(["on", "off"]).default("on"),
  /** The log's origin line in its C2SP checkpoints (issue 13); witnesses and trust policies pin it. */
  LEDGER_ORIGIN: z
    .string()
    .regex(/^[^\s+]+$/, "one word with no '+' (it names the checkpoint key)")
    .default(DEFAULT_LEDGER_ORIGIN),
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

/** The origin of the ledger's checkpoints, validated; read without the rest of the environment so scripts can sign. */
export function ledgerOrigin(env: NodeJS.ProcessEnv = process.env): string {
  const parsed = schema.shape.LEDGER_ORIGIN.safeParse(env.LEDGER_ORIGIN);
  if (!parsed.success) throw new Error(`Invalid environment: LEDGER_ORIGIN: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  return parsed.data;
}

export interface WitnessConfig {
  url: string;
  /** The witness's C2SP verifier key (name+hash+base64), cosignature/v1. */
  key: string;
}

const witnessList = z.array(z.object({ url: z.string().url(), key: z.string().min(1) }).strict());

/**
 * The witnesses this deployment asks for cosignatures after each block (issue 13):
 * LEDGER_WITNESSES, a JSON list of {url, key}, and LEDGER_WITNESS_QUORUM, how many must cosign
 * for a checkpoint to be final for lending (default: a majority). None configured: no cosigning.
 */
export function witnessConfig(env: NodeJS.ProcessEnv = process.env): { witnesses: WitnessConfig[]; quorum: number } {
  let json: unknown = [];
  try {
    json = env.LEDGER_WITNESSES ? JSON.parse(env.LEDGER_WITNESSES) : [];
  } catch {
    throw new Error("Invalid environment: LEDGER_WITNESSES is not JSON (a list of {url, key})");
  }
  const parsed = witnessList.safeParse(json);
  if (!parsed.success) throw new Error(`Invalid environment: LEDGER_WITNESSES: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const witnesses = parsed.data;
  const quorum = env.LEDGER_WITNESS_QUORUM === undefined ? Math.floor(witnesses.length / 2) + 1 : Number(env.LEDGER_WITNESS_QUORUM);
  if (witnesses.length === 0) return { witnesses, quorum: 0 };
  if (!Number.isInteger(quorum) || quorum < 1 || quorum > witnesses.length) {
    throw new Error(`Invalid environment: LEDGER_WITNESS_QUORUM must be between 1 and the ${witnesses.length} witnesses`);
  }
  return { witnesses, quorum };
}
