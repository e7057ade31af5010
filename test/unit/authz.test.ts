import { describe, expect, it } from "vitest";
import type { Actor } from "@/server/actor";
import { canChooseIssueRecipients, canManageCreditLines, canManageUsers, canReadNotification, canReadOrganisation, canReadUsers, canReviewOrganisations, canRevokeVoucherShare, canSeeAllOrganisations, canSeeOwnPortfolio, canSeeScheduledJobs, canShareVoucher, canUseDirectory, receivesNotifications } from "@/server/authz";

function actor(overrides: Partial<Actor>): Actor {
  return { userId: "u", email: "u@x.cn", name: "U", permission: "viewer", orgId: "org_a", orgName: "A", orgRole: "supplier", orgStatus: "approved", ...overrides };
}

describe("authorisation rules", () => {
  it.each([
    [actor({ permission: "maker" }), "org_a", true],
    [actor({ permission: "admin" }), "org_a", true],
    [actor({ permission: "viewer" }), "org_a", false],
    [actor({ permission: "admin" }), "org_b", false],
    [actor({ permission: "admin", orgRole: "operator" }), "org_b", false],
    [actor({ permission: "admin", orgRole: "auditor" }), "org_b", false],
    [actor({ permission: "admin", orgStatus: "pending" }), "org_a", false],
  ])("canShareVoucher and canRevokeVoucherShare %#: the holder's (sharer's) members who sign, nobody else", (a, orgId, expected) => {
    expect(canShareVoucher(a, { holderOrgId: orgId })).toBe(expected);
    expect(canRevokeVoucherShare(a, { orgId })).toBe(expected);
  });

  it.each([
    [actor({ orgRole: "operator", permission: "approver" }), true],
    [actor({ orgRole: "operator", permission: "admin" }), true],
    [actor({ orgRole: "operator", permission: "maker" }), false],
    [actor({ orgRole: "operator", permission: "admin", orgStatus: "pending" }), false],
    [actor({ orgRole: "auditor", permission: "admin" }), false],
    [actor({ orgRole: "lender", permission: "admin" }), false],
  ])("canReviewOrganisations %#", (a, expected) => expect(canReviewOrganisations(a)).toBe(expected));

  it("organisations: own, or operator/auditor for all", () => {
    expect(canReadOrganisation(actor({}), "org_a")).toBe(true);
    expect(canReadOrganisation(actor({}), "org_b")).toBe(false);
    expect(canReadOrganisation(actor({ orgRole: "auditor" }), "org_b")).toBe(true);
    expect(canSeeAllOrganisations(actor({ orgRole: "lender", permission: "admin" }))).toBe(false);
  });

  it("people: admins of the same organisation, or operator admins", () => {
    expect(canManageUsers(actor({ permission: "admin" }), "org_a")).toBe(true);
    expect(canManageUsers(actor({ permission: "approver" }), "org_a")).toBe(false);
    expect(canManageUsers(actor({ permission: "admin" }), "org_b")).toBe(false);
    expect(canManageUsers(actor({ orgRole: "operator", permission: "admin" }), "org_b")).toBe(true);
    expect(canReadUsers(actor({}), "org_a")).toBe(true);
    expect(canReadUsers(actor({}), "org_b")).toBe(false);
  });

  it.each([
    [actor({ orgRole: "lender", permission: "admin" }), true],
    [actor({ orgRole: "lender", permission: "approver" }), false],
    [actor({ orgRole: "lender", permission: "maker" }), false],
    [actor({ orgRole: "lender", permission: "viewer" }), false],
    [actor({ orgRole: "lender", permission: "admin", orgStatus: "pending" }), false],
    [actor({ orgRole: "core_enterprise", permission: "admin" }), false],
    [actor({ orgRole: "operator", permission: "admin" }), false],
  ])("canManageCreditLines %#: only a lender's admin", (a, expected) => expect(canManageCreditLines(a)).toBe(expected));

  it.each([
    [actor({ orgRole: "lender" }), true],
    [actor({ orgRole: "core_enterprise" }), true],
    [actor({ orgRole: "supplier" }), true],
    [actor({ orgRole: "supplier", orgStatus: "pending" }), false],
    [actor({ orgRole: "auditor" }), false],
    [actor({ orgRole: "operator", permission: "admin" }), false],
  ])("canSeeOwnPortfolio %#: approved business organisations, any permission", (a, expected) => expect(canSeeOwnPortfolio(a)).toBe(expected));

  it.each([
    [actor({ orgRole: "operator" }), true],
    [actor({ orgRole: "operator", permission: "admin" }), true],
    [actor({ orgRole: "operator", permission: "admin", orgStatus: "pending" }), false],
    [actor({ orgRole: "auditor", permission: "admin" }), false],
    [actor({ orgRole: "lender", permission: "admin" }), false],
    [actor({ orgRole: "core_enterprise", permission: "admin" }), false],
  ])("canSeeScheduledJobs %#", (a, expected) => expect(canSeeScheduledJobs(a)).toBe(expected));

  it("the directory needs an approved organisation", () => {
    expect(canUseDirectory(actor({ orgStatus: "pending" }))).toBe(false);
    expect(canUseDirectory(actor({ orgStatus: "rejected" }))).toBe(false);
    expect(canUseDirectory(actor({}))).toBe(true);
  });

  it.each([
    [actor({ orgRole: "core_enterprise" }), true],
    [actor({ orgRole: "core_enterprise", orgStatus: "pending" }), false],
    [actor({ orgRole: "supplier", permission: "admin" }), false],
    [actor({ orgRole: "lender", permission: "admin" }), false],
    [actor({ orgRole: "operator", permission: "admin" }), false],
  ])("canChooseIssueRecipients %#: only an approved core enterprise chooses whom to issue to", (a, expected) => expect(canChooseIssueRecipients(a)).toBe(expected));
});

import { canSeeClaim, canSubmitFor, canSubmitType } from "@/server/authz";

describe("ledger rules", () => {
  const claim = { holderOrgId: "org_t3", offeredToOrgId: null, issuerOrgId: "org_core", ancestorHolderOrgIds: ["org_t1", "org_t2"], formerHolderOrgIds: [], lenderOrgIds: ["org_bank"] };
  it.each([
    ["org_t3", "supplier", true],
    ["org_t1", "supplier", true],
    ["org_core", "core_enterprise", true],
    ["org_bank", "lender", true],
    ["org_factor", "lender", false],
    ["org_sibling", "supplier", false],
    ["org_audit", "auditor", true],
    ["org_op", "operator", true],
  ] as const)("canSeeClaim for %s (%s) = %s", (orgId, orgRole, expected) => {
    expect(canSeeClaim(actor({ orgId, orgRole }), claim)).toBe(expected);
  });

  it("a pending organisation sees nothing, even its own claim", () => {
    expect(canSeeClaim(actor({ orgId: "org_t3", orgStatus: "pending" }), claim)).toBe(false);
  });

  it("canSubmitFor: own organisation, maker or above, approved", () => {
    expect(canSubmitFor(actor({ permission: "maker" }), "org_a")).toBe(true);
    expect(canSubmitFor(actor({ permission: "viewer" }), "org_a")).toBe(false);
    expect(canSubmitFor(actor({ permission: "admin" }), "org_b")).toBe(false);
    expect(canSubmitFor(actor({ permission: "admin", orgStatus: "pending" }), "org_a")).toBe(false);
  });
});

describe("transaction types that need more than the maker permission", () => {
  it("credit decisions (credit lines, auto-financing policies) need the lender's admin; claim and financing steps do not", () => {
    for (const type of ["creditLine.grant", "creditLine.adjust", "creditLine.freeze", "creditLine.expire", "financingPolicy.set", "financingPolicy.revoke"]) {
      expect(canSubmitType(actor({ orgRole: "lender", permission: "admin" }), type)).toBe(true);
      expect(canSubmitType(actor({ orgRole: "lender", permission: "approver" }), type)).toBe(false);
      expect(canSubmitType(actor({ orgRole: "core_enterprise", permission: "admin" }), type)).toBe(false);
    }
    expect(canSubmitType(actor({ orgRole: "lender", permission: "maker" }), "financing.offer")).toBe(true);
    expect(canSubmitType(actor({ permission: "maker" }), "claim.split")).toBe(true);
    expect(canSubmitType(actor({ permission: "maker" }), "financing.requestUnderPolicy")).toBe(true);
  });
});

describe("who is told of what (notifications)", () => {
  // One row per category: the lowest permission told, then the permission just below it (not told).
  it.each([
    ["offer", "maker", "viewer"],
    ["decision", "maker", "viewer"],
    ["maturity", "maker", "viewer"],
    ["overdue", "maker", "viewer"],
    ["organisation", "admin", "approver"],
  ] as const)("%s: %s and up, not %s", (category, lowest, below) => {
    expect(receivesNotifications({ permission: lowest, status: "active" }, category)).toBe(true);
    expect(receivesNotifications({ permission: "admin", status: "active" }, category)).toBe(true);
    expect(receivesNotifications({ permission: below, status: "active" }, category)).toBe(false);
  });

  it("money received: every active member, viewers too; nobody disabled or only invited", () => {
    expect(receivesNotifications({ permission: "viewer", status: "active" }, "money")).toBe(true);
    expect(receivesNotifications({ permission: "admin", status: "disabled" }, "money")).toBe(false);
    expect(receivesNotifications({ permission: "admin", status: "invited" }, "offer")).toBe(false);
  });

  it("a notification is read only by its recipient: not a colleague, an admin or the operator", () => {
    expect(canReadNotification(actor({ userId: "u" }), { userId: "u" })).toBe(true);
    expect(canReadNotification(actor({ userId: "v", permission: "admin" }), { userId: "u" })).toBe(false);
    expect(canReadNotification(actor({ userId: "w", orgRole: "operator", permission: "admin" }), { userId: "u" })).toBe(false);
  });
});
