import { describe, expect, it } from "vitest";
import type { Actor } from "@/server/actor";
import { canConfirmKeyRequests, canDecideKeyRequests, canReadOrganisationKeys, canRequestKeyFor, canRequestKeyRegistration, keyRoleFor } from "@/server/authz";

function actor(overrides: Partial<Actor>): Actor {
  return { userId: "u", email: "u@x.cn", name: "U", permission: "maker", orgId: "org_a", orgName: "A", orgRole: "supplier", orgStatus: "approved", ...overrides };
}

describe("key authorisation rules", () => {
  it.each([
    ["viewer", null],
    ["maker", "maker"],
    ["approver", "approver"],
    ["admin", "admin"],
  ] as const)("keyRoleFor: a %s's key gets the role %s", (permission, role) => expect(keyRoleFor(permission)).toBe(role));

  it.each([
    ["a maker, his own key as a maker", actor({}), "u", "maker", true],
    ["a maker, his own key as an approver (above his permission)", actor({}), "u", "approver", false],
    ["an admin, his own key as a maker (not what his permission gives)", actor({ permission: "admin" }), "u", "maker", false],
    ["an admin, a key held by someone else", actor({ permission: "admin" }), "v", "admin", false],
    ["a viewer, any key", actor({ permission: "viewer" }), "u", "maker", false],
  ] as const)("canRequestKeyFor: %s -> %s", (_who, who, holderUserId, keyRole, expected) => expect(canRequestKeyFor(who, holderUserId, keyRole)).toBe(expected));

  it.each([
    ["a maker, for its own organisation", actor({}), "org_a", true],
    ["an admin, for its own organisation", actor({ permission: "admin" }), "org_a", true],
    ["a viewer (cannot sign anything)", actor({ permission: "viewer" }), "org_a", false],
    ["a maker, for another organisation", actor({}), "org_b", false],
    ["an operator admin, for another organisation", actor({ orgRole: "operator", permission: "admin" }), "org_b", false],
    ["a member of a pending organisation", actor({ permission: "admin", orgStatus: "pending" }), "org_a", false],
    ["a member of a rejected organisation", actor({ permission: "admin", orgStatus: "rejected" }), "org_a", false],
  ])("canRequestKeyRegistration: %s -> %s", (_who, who, orgId, expected) => expect(canRequestKeyRegistration(who, orgId)).toBe(expected));

  it.each([
    ["an admin, for its own organisation", actor({ permission: "admin" }), "org_a", true],
    ["an approver (not an admin), for its own organisation", actor({ permission: "approver" }), "org_a", false],
    ["an admin, for another organisation", actor({ permission: "admin" }), "org_b", false],
    ["an operator admin, for another organisation (key sets are the organisation's own)", actor({ orgRole: "operator", permission: "admin" }), "org_b", false],
    ["an admin of a pending organisation", actor({ permission: "admin", orgStatus: "pending" }), "org_a", false],
  ])("canConfirmKeyRequests: %s -> %s", (_who, who, orgId, expected) => expect(canConfirmKeyRequests(who, orgId)).toBe(expected));

  it.each([
    ["a viewer of the organisation", actor({ permission: "viewer" }), "org_a", true],
    ["a member of another organisation", actor({ permission: "admin" }), "org_b", false],
    ["the operator, for another organisation (it reviews requests, not keys lists)", actor({ orgRole: "operator", permission: "admin" }), "org_b", false],
    ["a member of a pending organisation", actor({ orgStatus: "pending" }), "org_a", false],
  ])("canReadOrganisationKeys: %s -> %s", (_who, who, orgId, expected) => expect(canReadOrganisationKeys(who, orgId)).toBe(expected));

  it.each([
    ["an operator approver", actor({ orgRole: "operator", permission: "approver" }), true],
    ["an operator admin", actor({ orgRole: "operator", permission: "admin" }), true],
    ["an operator maker", actor({ orgRole: "operator", permission: "maker" }), false],
    ["an operator of a pending organisation", actor({ orgRole: "operator", permission: "admin", orgStatus: "pending" }), false],
    ["a core enterprise admin", actor({ orgRole: "core_enterprise", permission: "admin" }), false],
    ["an auditor admin", actor({ orgRole: "auditor", permission: "admin" }), false],
    ["a lender admin", actor({ orgRole: "lender", permission: "admin" }), false],
  ])("canDecideKeyRequests: %s -> %s", (_who, who, expected) => expect(canDecideKeyRequests(who)).toBe(expected));
});
