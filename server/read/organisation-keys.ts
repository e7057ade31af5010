import { asc } from "drizzle-orm";
import type { Db } from "@/db/client";
import { ledgerOrganisations, signingKeys } from "@/db/schema";

/**
 * Every organisation on the ledger with its registered public keys: public facts of the log
 * (key registrations are ledger transactions), which an integrator pins to verify signatures.
 */
export async function organisationKeys(db: Db) {
  const orgs = await db.select().from(ledgerOrganisations).orderBy(asc(ledgerOrganisations.name));
  const keys = await db.select().from(signingKeys).orderBy(asc(signingKeys.registeredAtMs));
  return orgs.map((org) => ({
    orgId: org.id,
    orgName: org.name,
    role: org.role,
    keys: keys
      .filter((key) => key.orgId === org.id)
      .map((key) => ({ keyId: key.keyId, publicKeyHex: key.publicKeyHex, status: key.status as "active" | "revoked", registeredAtMs: key.registeredAtMs, revokedAtMs: key.revokedAtMs })),
  }));
}
