import { and, asc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import type { OrganisationRole } from "@/contracts/ledger/types";
import { organisations, users, type OrgStatus } from "@/db/schema";
import type { Actor } from "../actor";
import { assertAllowed, canReadOrganisation, canReviewOrganisations, canSeeAllOrganisations, canUseDirectory } from "../authz";
import { badRequest, conflict, notFound } from "../errors";
import { checkUscc } from "@/contracts/uscc";
import { newId } from "../ids";
import { hashPassword } from "../auth/password";

export interface OrganisationDto {
  id: string;
  name: string;
  role: OrganisationRole;
  status: OrgStatus;
  city: string;
  registrationNumber: string;
  reviewNote: string | null;
  reviewedAt: Date | null;
  createdAt: Date;
}

export interface DirectoryEntryDto {
  id: string;
  name: string;
  role: OrganisationRole;
  city: string;
}

/** Every organisation with its review status: the operator's and auditor's view. */
export async function listOrganisations(db: DbOrTx, actor: Actor, filter: { status?: OrgStatus } = {}): Promise<OrganisationDto[]> {
  assertAllowed(canSeeAllOrganisations(actor), "Only the platform operator and auditors see every organisation.");
  const rows = await db
    .select()
    .from(organisations)
    .where(filter.status ? eq(organisations.status, filter.status) : undefined)
    .orderBy(asc(organisations.createdAt), asc(organisations.name));
  return rows.map(toDto);
}

/** The directory of approved organisations that any approved member may address. */
export async function listDirectory(db: DbOrTx, actor: Actor, filter: { role?: OrganisationRole } = {}): Promise<DirectoryEntryDto[]> {
  assertAllowed(canUseDirectory(actor), "Your organisation is awaiting approval.");
  const rows = await db
    .select({ id: organisations.id, name: organisations.name, role: organisations.role, city: organisations.city })
    .from(organisations)
    .where(and(eq(organisations.status, "approved"), filter.role ? eq(organisations.role, filter.role) : undefined))
    .orderBy(asc(organisations.name));
  return rows;
}

export async function getOrganisation(db: DbOrTx, actor: Actor, orgId: string): Promise<OrganisationDto> {
  assertAllowed(canReadOrganisation(actor, orgId), "You can only see your own organisation.");
  const [row] = await db.select().from(organisations).where(eq(organisations.id, orgId));
  if (!row) throw notFound("organisation_not_found", "No such organisation.");
  return toDto(row);
}

export interface OnboardingApplication {
  organisationName: string;
  role: Exclude<OrganisationRole, "operator">;
  city: string;
  registrationNumber: string;
  adminName: string;
  adminEmail: string;
  adminPassword: string;
}

/** A new organisation applies; it stays pending until the operator reviews it. */
export async function applyForOnboarding(db: DbOrTx, input: OnboardingApplication): Promise<{ orgId: string; userId: string }> {
  const email = input.adminEmail.trim().toLowerCase();
  const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
  if (existing) throw conflict("email_taken", "An account with this email already exists. Sign in instead.");
  const orgId = newId("org");
  const userId = newId("usr");
  const passwordHash = await hashPassword(input.adminPassword);
  await db.transaction(async (tx) => {
    await tx.insert(organisations).values({
      id: orgId,
      name: input.organisationName.trim(),
      role: input.role,
      city: input.city.trim(),
      registrationNumber: input.registrationNumber.trim(),
      status: "pending",
    });
    await tx.insert(users).values({ id: userId, orgId, email, name: input.adminName.trim(), passwordHash, permission: "admin", status: "active" });
  });
  return { orgId, userId };
}

/**
 * The operator reviews an application. Approval is onboarding: the organisation must then have
 * a real unified social credit code (GB 32100 check character), the one it applied with or, when
 * that is missing or wrong, the one the operator reads off its business licence
 * (`registrationNumber`), which replaces it. A rejection needs no code.
 */
export async function reviewOrganisation(
  db: DbOrTx,
  actor: Actor,
  input: { orgId: string; decision: "approved" | "rejected"; note?: string; registrationNumber?: string },
): Promise<OrganisationDto> {
  assertAllowed(canReviewOrganisations(actor), "Only an operator approver can review organisations.");
  const registrationNumber = input.decision === "approved" ? await onboardingCode(db, input) : undefined;
  // The status guard in the WHERE clause makes the review a compare-and-set: two operators
  // deciding at once cannot both win.
  const [row] = await db
    .update(organisations)
    .set({ status: input.decision, reviewNote: input.note ?? null, reviewedAt: sql`now()`, reviewedByUserId: actor.userId, ...(registrationNumber ? { registrationNumber } : {}) })
    .where(and(eq(organisations.id, input.orgId), eq(organisations.status, "pending")))
    .returning();
  if (row) return toDto(row);
  const [current] = await db.select({ status: organisations.status }).from(organisations).where(eq(organisations.id, input.orgId));
  if (!current) throw notFound("organisation_not_found", "No such organisation.");
  throw conflict("organisation_already_reviewed", `This organisation was already ${current.status}.`);
}

/** The code an approval onboards the organisation with, checked; refused as registration_number_invalid (its reason in the message). */
async function onboardingCode(db: DbOrTx, input: { orgId: string; registrationNumber?: string }): Promise<string | undefined> {
  const given = input.registrationNumber?.trim() ?? "";
  const [current] = given === "" ? await db.select({ code: organisations.registrationNumber }).from(organisations).where(eq(organisations.id, input.orgId)) : [];
  // An unknown organisation is answered by the review itself (organisation_not_found).
  if (given === "" && current === undefined) return undefined;
  const check = checkUscc(given !== "" ? given : (current?.code ?? ""));
  if (!check.ok) {
    throw badRequest(
      "registration_number_invalid",
      `An organisation is approved with a valid unified social credit code (18 characters, GB 32100 check character): ${check.reason}. Enter the code from its business licence.`,
    );
  }
  return check.code;
}

function toDto(row: typeof organisations.$inferSelect): OrganisationDto {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    status: row.status,
    city: row.city,
    registrationNumber: row.registrationNumber,
    reviewNote: row.reviewNote,
    reviewedAt: row.reviewedAt,
    createdAt: row.createdAt,
  };
}
