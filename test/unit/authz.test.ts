import { describe, expect, it } from "vitest";
import type { Actor } from "@/server/actor";
import { canManageUsers, canReadOrganisation, canReadUsers, canReviewOrganisations, canSeeAllOrganisations, canUseDirectory } from "@/server/authz";

function actor(overrides: Partial<Actor>): Actor {
  return { userId: "u", email: "u@x.cn", name: "U", permission: "viewer", orgId: "org_a", orgName: "A", orgRole: "supplier", orgStatus: "approved", ...overrides };
}

describe("authorisation rules", () => {
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

  it("the directory needs an approved organisation", () => {
    expect(canUseDirectory(actor({ orgStatus: "pending" }))).toBe(false);
    expect(canUseDirectory(actor({ orgStatus: "rejected" }))).toBe(false);
    expect(canUseDirectory(actor({}))).toBe(true);
  });
});
