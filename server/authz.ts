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

/** The schedule of background jobs (last runs, failures, instance names) is the platform operator's business. */
export function canSeeScheduledJobs(actor: Actor): boolean {
  return isOperator(actor);
}

export function assertAllowed(allowed: boolean, message = "You are not allowed to do this."): void {
  if (!allowed) throw forbidden("not_allowed", message);
}
