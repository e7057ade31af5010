import { forbidden } from "./errors";
import { hasPermission, permissionAtLeast, type Actor } from "./actor";
import type { NotificationCategory, Permission, UserStatus } from "@/db/enums";
import type { KeyRole } from "@/contracts/ledger/types";

/*
 * Authorisation: every rule, one named function per resource and action, in this one file.
 * Read models, commands and jobs call these (never an inline check of roles or
 * permissions), and pages use the same rules to decide what to show. Each is tested on its
 * own in test/unit/authz.test.ts and test/unit/keys-authz.test.ts.
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

// ---------------------------------------------------------------------------------------
// Signing keys (tested on their own in test/unit/keys-authz.test.ts).

/**
 * The role a person's key gets on the ledger (contracts/ledger/roles.ts): the same as his
 * permission; a viewer signs nothing, so he gets no key.
 */
export function keyRoleFor(permission: Permission): KeyRole | null {
  return permission === "viewer" ? null : permission;
}

/**
 * A person's key request is his own: it names him as the key's holder and the role his
 * permission gives (keyRoleFor), no more.
 */
export function canRequestKeyFor(actor: Actor, holderUserId: string, keyRole: KeyRole): boolean {
  return actor.userId === holderUserId && keyRoleFor(actor.permission) === keyRole;
}

/** A maker (or above) of an approved organisation asks for a key of its own organisation. */
export function canRequestKeyRegistration(actor: Actor, orgId: string): boolean {
  return actor.orgStatus === "approved" && actor.orgId === orgId && hasPermission(actor, "maker");
}

/** Every member of an approved organisation sees its keys and key requests. */
export function canReadOrganisationKeys(actor: Actor, orgId: string): boolean {
  return actor.orgStatus === "approved" && actor.orgId === orgId;
}

/**
 * Operator approvers review key requests of organisations being onboarded (their first key),
 * as they review onboarding; later keys are the organisation's own business.
 */
export function canDecideKeyRequests(actor: Actor): boolean {
  return isOperator(actor) && hasPermission(actor, "approver");
}

/**
 * An admin of an approved organisation confirms a further key of its own organisation by
 * cosigning the request with one of the organisation's active keys; the ledger checks the
 * cosignature, this rule only decides who may send it.
 */
export function canConfirmKeyRequests(actor: Actor, orgId: string): boolean {
  return actor.orgStatus === "approved" && actor.orgId === orgId && hasPermission(actor, "admin");
}

// ---------------------------------------------------------------------------------------
// The ledger. A signature proves which key signed; these rules decide whether the person
// asking may submit it or see a claim.
/** A maker of an approved organisation submits transactions signed by its own organisation. */
export function canSubmitFor(actor: Actor, signerOrgId: string): boolean {
  return actor.orgStatus === "approved" && actor.orgId === signerOrgId && hasPermission(actor, "maker");
}

/** Types that decide how much credit a lender extends, and on what terms without a person. */
const CREDIT_DECISION_PREFIXES = ["creditLine.", "financingPolicy."];

/**
 * Credit decisions (credit lines: grant, adjust, freeze, expire; auto-financing policies:
 * set, revoke) need the lender's admin permission: a maker may sign claims and financing
 * steps, not change how much credit a bank extends or what it pays out unattended.
 */
export function canSubmitType(actor: Actor, type: string): boolean {
  return !CREDIT_DECISION_PREFIXES.some((prefix) => type.startsWith(prefix)) || canManageCreditLines(actor);
}

/**
 * The approvals queue (复核, server/commands/approvals.ts): an organisation's prepared
 * transactions are its own business, seen by its people who prepare or check (makers and up);
 * nobody outside it, the operator included, sees them.
 */
export function canSeeApprovals(actor: Actor, orgId: string): boolean {
  return actor.orgStatus === "approved" && actor.orgId === orgId && hasPermission(actor, "maker");
}

/** Kinds whose approvals are admins' (contracts/ledger/approvals.ts: changes to the key set and to the policy). */
const ADMIN_APPROVED_TYPES = ["key.revoke", "approvalPolicy.set"];

/**
 * An approver or an admin of the organisation approves or rejects what its makers prepared; a
 * change to the key set or to the policy only an admin. The ledger checks the key's role again,
 * and that its holder is not the maker's.
 */
export function canApprove(actor: Actor, item: { orgId: string; type: string }): boolean {
  if (!(actor.orgStatus === "approved" && actor.orgId === item.orgId)) return false;
  return ADMIN_APPROVED_TYPES.includes(item.type) ? hasPermission(actor, "admin") : hasPermission(actor, "approver");
}

export interface ClaimVisibility {
  holderOrgId: string;
  offeredToOrgId: string | null;
  issuerOrgId: string;
  /** Organisations that held an ancestor of this claim (they passed it on). */
  ancestorHolderOrgIds: readonly string[];
  /** Organisations that held this very claim before (a holder that financed it away). */
  formerHolderOrgIds: readonly string[];
  /** Lenders this claim is pledged to or offered for financing to (active). */
  lenderOrgIds: readonly string[];
}

/**
 * A claim and its provenance are visible to: its holder and the receiver of a pending
 * offer; the core enterprise that issued the root (the whole tree); organisations it passed
 * through on its way here (its lineage); lenders it is pledged or offered to; auditors and
 * the operator. Not to siblings: a supplier never sees what its peers hold.
 */
export function canSeeClaim(actor: Actor, claim: ClaimVisibility): boolean {
  if (actor.orgStatus !== "approved") return false;
  if (actor.orgRole === "auditor" || actor.orgRole === "operator") return true;
  const org = actor.orgId;
  return (
    claim.holderOrgId === org ||
    claim.offeredToOrgId === org ||
    claim.issuerOrgId === org ||
    claim.ancestorHolderOrgIds.includes(org) ||
    claim.formerHolderOrgIds.includes(org) ||
    claim.lenderOrgIds.includes(org)
  );
}

export type PolicyScope = "none" | "lender" | "core_enterprise" | "all";

/**
 * Auto-financing policies: a lender sees its own (and sets them by signing), a core
 * enterprise sees which lenders stand ready for its claims, the operator and auditors see
 * all. Suppliers see only the offers for claims they hold (policyOffersForClaim).
 */
export function canSeePolicies(actor: Actor): PolicyScope {
  if (actor.orgStatus !== "approved") return "none";
  if (actor.orgRole === "lender") return "lender";
  if (actor.orgRole === "core_enterprise") return "core_enterprise";
  if (actor.orgRole === "operator" || actor.orgRole === "auditor") return "all";
  return "none";
}

/** Whom to issue a claim to is a core enterprise's choice: the suppliers it trades with. */
export function canChooseIssueRecipients(actor: Actor): boolean {
  return actor.orgStatus === "approved" && actor.orgRole === "core_enterprise";
}

/** What falls due on an issuance is its issuer's business (the tree page shows it to auditors too). */
export function canSeeMaturities(actor: Actor): boolean {
  return actor.orgStatus === "approved" && actor.orgRole === "core_enterprise";
}

/** The whole tree of one issuance (穿透): its core enterprise, auditors and the operator. */
export function canSeeIssuanceTree(actor: Actor, root: { issuerOrgId: string }): boolean {
  return actor.orgStatus === "approved" && (root.issuerOrgId === actor.orgId || actor.orgRole === "auditor" || actor.orgRole === "operator");
}

/** A dashboard's figures: any member of an approved organisation, about what its role sees. */
export function canSeeDashboard(actor: Actor): boolean {
  return actor.orgStatus === "approved";
}

export function assertAllowed(allowed: boolean, message = "You are not allowed to do this."): void {
  if (!allowed) throw forbidden("not_allowed", message);
}

/** API keys (machine credentials) and their audit log: the organisation's admins, once it is approved. */
export function canManageApiKeys(actor: Actor): boolean {
  return actor.permission === "admin" && actor.orgStatus === "approved";
}

/**
 * Sharing a claim's voucher with outsiders (issue 15) is the holder's choice: a member of the
 * organisation holding the claim now, with more than view permission, since a share shows the
 * claim to anyone with the link. Revoking a share is for the organisation that made it.
 */
export function canShareVoucher(actor: Actor, claim: { holderOrgId: string }): boolean {
  return actor.orgStatus === "approved" && actor.orgId === claim.holderOrgId && actor.permission !== "viewer";
}

export function canRevokeVoucherShare(actor: Actor, share: { orgId: string }): boolean {
  return actor.orgStatus === "approved" && actor.orgId === share.orgId && actor.permission !== "viewer";
}

/**
 * Who in an organisation is told of each category of notification: the people whose permission
 * can act on it. Offers and financing decisions are answered by a signed transaction (makers and
 * up); a maturity is met by the core enterprise's repayment and an overdue piece is chased by
 * its holder (makers and up); money received is the organisation's cash, which every member,
 * viewers (accountants) too, follows; keys and people are managed by the admins.
 */
export const NOTIFIED_FROM_PERMISSION: Record<NotificationCategory, Permission> = {
  offer: "maker",
  decision: "maker",
  money: "viewer",
  maturity: "maker",
  overdue: "maker",
  organisation: "admin",
};

/** A person is told of a category when active and holding at least the permission that acts on it. */
export function receivesNotifications(person: { permission: Permission; status: UserStatus }, category: NotificationCategory): boolean {
  return person.status === "active" && permissionAtLeast(person.permission, NOTIFIED_FROM_PERMISSION[category]);
}

/** A notification is its recipient's alone: nobody else reads it or marks it read, admins and the operator included. */
export function canReadNotification(actor: Actor, notification: { userId: string }): boolean {
  return actor.userId === notification.userId;
}
