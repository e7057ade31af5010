import { inArray, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { ledgerOrganisations, platformKeys, signingKeys, users } from "@/db/schema";
import { DEMO_NETWORK_ID } from "@/contracts/ledger/schema";
import { OPERATOR_KEY_ROLES } from "@/contracts/ledger/types";
import { OPERATOR_ROLE_KEY_ENV } from "../platform/key";
import { OPERATOR_ORG_ID } from "../platform/signer";
import { DEMO_ORGS } from "./demo-data";
import { demoIdentity } from "./ledger-seed";

/**
 * What a production deployment must not run with (issue 14): the operator's private keys kept
 * in the database instead of coming from the environment (a secret store or KMS): its admin key
 * and one key per duty (checkpoint, onboarding, overdue), all distinct; signing keys
 * derived from the demo's public labels (anyone can sign with them), the demo seed's
 * organisations and people, and the demo's network id (a transaction signed for the demo would
 * be valid here). Each refusal says what to do instead. The app refuses to start in production
 * while any holds (instrumentation.ts), unless DEMO_DEPLOYMENT=1 says the deployment is a demo
 * (the e2e and reliability suites, `npm start` of the demo).
 */
export interface ProductionRefusal {
  code:
    | "operator_key_not_from_environment"
    | "operator_role_keys_not_from_environment"
    | "operator_keys_not_distinct"
    | "operator_key_in_database"
    | "demo_signing_keys" | "demo_seed_present" | "demo_network_id";
  message: string;
}

/** Exit status of a process that refuses to start for its configuration (sysexits EX_CONFIG): supervisors do not restart it. */
export const EXIT_CONFIG = 78;

export function isDemoDeployment(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.DEMO_DEPLOYMENT === "1";
}

/** True when the production guard applies: a production process that is not a declared demo. */
export function productionGuardApplies(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.NODE_ENV === "production" && !isDemoDeployment(env);
}

export async function productionRefusals(db: DbOrTx, env: NodeJS.ProcessEnv = process.env): Promise<ProductionRefusal[]> {
  const refusals: ProductionRefusal[] = [];
  if (!env.OPERATOR_SIGNING_KEY_HEX) {
    refusals.push({ code: "operator_key_not_from_environment", message: "The operator's signing key must come from the environment: set OPERATOR_SIGNING_KEY_HEX from your secret store or key-management service." });
  }
  const missingRoles = OPERATOR_KEY_ROLES.filter((role) => !env[OPERATOR_ROLE_KEY_ENV[role]]);
  if (missingRoles.length > 0) {
    const names = missingRoles.map((role) => OPERATOR_ROLE_KEY_ENV[role]).join(", ");
    refusals.push({ code: "operator_role_keys_not_from_environment", message: `Each operator duty has its own key, from the environment: set ${names} (checkpoints, onboarding approvals, overdue marks; contracts/ledger/roles.ts) from your secret store or key-management service.` });
  }
  const given = [env.OPERATOR_SIGNING_KEY_HEX, ...OPERATOR_KEY_ROLES.map((role) => env[OPERATOR_ROLE_KEY_ENV[role]])].filter((hex): hex is string => Boolean(hex)).map((hex) => hex.toLowerCase());
  if (new Set(given).size < given.length) {
    refusals.push({ code: "operator_keys_not_distinct", message: "Two operator keys are the same: the admin key (OPERATOR_SIGNING_KEY_HEX) and each role's key must differ, or one stolen secret does every duty." });
  }
  const [stored] = await db.select({ n: sql<number>`count(*)::int` }).from(platformKeys);
  if ((stored?.n ?? 0) > 0) {
    refusals.push({ code: "operator_key_in_database", message: `A private operator key is stored in the database (platform_keys, ${stored!.n} row(s)): put it in OPERATOR_SIGNING_KEY_HEX and delete the row(s).` });
  }
  const demoKeyIds = DEMO_ORGS.map((org) => demoIdentity(org.id).keyId);
  const demoKeys = await db.select({ keyId: signingKeys.keyId, orgId: signingKeys.orgId }).from(signingKeys).where(inArray(signingKeys.keyId, demoKeyIds));
  if (demoKeys.length > 0) {
    refusals.push({ code: "demo_signing_keys", message: `Signing keys derived from the demo's public labels are on this ledger (${demoKeys.map((key) => key.orgId).join(", ")}): anyone can sign with them. Use a fresh database.` });
  }
  const demoOrgs = await db.select({ id: ledgerOrganisations.id }).from(ledgerOrganisations).where(inArray(ledgerOrganisations.id, DEMO_ORGS.filter((org) => org.id !== OPERATOR_ORG_ID).map((org) => org.id)));
  const demoUsers = await db.select({ email: users.email }).from(users).where(inArray(users.email, DEMO_ORGS.flatMap((org) => org.users.map((user) => user.email))));
  if (demoOrgs.length > 0 || demoUsers.length > 0) {
    refusals.push({ code: "demo_seed_present", message: `The demo seed's data is in the database (${demoOrgs.length} organisation(s), ${demoUsers.length} person(s) with demo logins): production starts from an empty database.` });
  }
  if ((env.NETWORK_ID ?? DEMO_NETWORK_ID) === DEMO_NETWORK_ID) {
    refusals.push({ code: "demo_network_id", message: `NETWORK_ID is the demo's (${DEMO_NETWORK_ID}): set this deployment's own, so that nothing signed for another deployment is valid here.` });
  }
  return refusals;
}

export function describeProductionRefusals(refusals: readonly ProductionRefusal[]): string {
  return [
    `Refusing to start in production (${refusals.length} problem(s); set DEMO_DEPLOYMENT=1 only for a demo):`,
    ...refusals.map((refusal) => `  - [${refusal.code}] ${refusal.message}`),
  ].join("\n");
}
