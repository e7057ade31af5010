import { forbidden } from "./errors";
import { hasPermission, type Actor } from "./actor";

/*
 * Authorisation: one named rule per resource and action. Services call these; each is
 * tested on its own in test/unit/authz.test.ts.
 */

const isOperator = (actor: Actor) => actor.orgRole === "operator" && actor.orgStatus === "approved";
const isAuditor = (actor: Actor) => actor.orgRole === "auditor" && actor.orgStatus === "approved";

export function canReviewOrganisations(actor: Actor): boolean {
  return isOperator(actor) && hasPermission(actor, "approver");
}

export function canSeeAllOrganisations(actor: Actor): boolean {
  return isOperator(actor) || isAuditor(actor);
}

export function canReadOrganisation(actor: Actor, orgId: string): boolean {
  return actor.orgId === orgId || canSeeAllOrganisations(actor);
}

export function canManageUsers(actor: Actor, orgId: string): boolean {
  if (isOperator(actor) && hasPermission(actor, "admin")) return true;
  return actor.orgId === orgId && hasPermission(actor, "admin");
}

export function canReadUsers(actor: Actor, orgId: string): boolean {
  return canManageUsers(actor, orgId) || (actor.orgId === orgId && hasPermission(actor, "viewer"));
}

export function canUseDirectory(actor: Actor): boolean {
  return actor.orgStatus === "approved";
}

/**
 * Granting, adjusting, freezing and expiring credit lines is a credit decision of the
 * lender: only its admins sign them. Its other members see the lines read-only.
 */
export function canManageCreditLines(actor: Actor): boolean {
  return actor.orgRole === "lender" && actor.orgStatus === "approved" && hasPermission(actor, "admin");
}

const BUSINESS_ROLES: readonly Actor["orgRole"][] = ["lender", "core_enterprise", "supplier"];

/**
 * Portfolio figures (dashboard charts) and CSV exports: members of an approved business
 * organisation, always about their own organisation only. Auditors and the operator have
 * their own ledger-wide views instead.
 */
export function canSeeOwnPortfolio(actor: Actor): boolean {
  return actor.orgStatus === "approved" && BUSINESS_ROLES.includes(actor.orgRole);
}

/** The schedule of background jobs (last runs, failures, instance names) is the platform operator's business. */
export function canSeeScheduledJobs(actor: Actor): boolean {
  return isOperator(actor);
}

export function assertAllowed(allowed: boolean, message = "You are not allowed to do this."): void {
  if (!allowed) throw forbidden("not_allowed", message);
}
