import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { creditLines, ledgerOrganisations } from "@/db/schema";
import type { Actor } from "../actor";
import { assertAllowed, canManageCreditLines } from "../authz";
import { organisationNames } from "../ledger/repository";

/**
 * Credit lines of the caller: received (core enterprise) or granted (lender). A line whose
 * expiry time has passed is shown as expired even before anyone signs creditLine.expire,
 * because the contracts already treat it so.
 */
export async function listCreditLines(db: Db, actor: Actor, nowMs = Date.now()) {
  const column = actor.orgRole === "lender" ? creditLines.lenderOrgId : creditLines.coreEnterpriseOrgId;
  const rows = await db.select().from(creditLines).where(eq(column, actor.orgId)).orderBy(creditLines.expiresAtMs);
  const names = await organisationNames(db);
  return rows.map((r) => ({
    id: r.id,
    lenderOrgId: r.lenderOrgId,
    lenderName: names.get(r.lenderOrgId) ?? r.lenderOrgId,
    coreEnterpriseOrgId: r.coreEnterpriseOrgId,
    coreEnterpriseName: names.get(r.coreEnterpriseOrgId) ?? r.coreEnterpriseOrgId,
    limitMinor: r.limitMinor,
    usedMinor: r.usedMinor,
    availableMinor: r.limitMinor - r.usedMinor,
    expiresAtMs: r.expiresAtMs,
    status: (r.status !== "expired" && nowMs >= r.expiresAtMs ? "expired" : r.status) as "active" | "frozen" | "expired",
  }));
}

/** The core enterprises registered on the ledger: whom a lender can grant a credit line to. */
export async function grantableCoreEnterprises(db: Db, actor: Actor) {
  assertAllowed(canManageCreditLines(actor), "Only an admin of a lender grants credit lines.");
  return db
    .select({ id: ledgerOrganisations.id, name: ledgerOrganisations.name })
    .from(ledgerOrganisations)
    .where(eq(ledgerOrganisations.role, "core_enterprise"))
    .orderBy(ledgerOrganisations.name);
}
