import type { OrganisationRole } from "@/contracts/ledger/types";
import type { Permission } from "@/db/enums";

/** A nav entry names its label by key in the catalogue (messages/*.json, nav). */
export type NavKey =
  | "dashboard" | "issuances" | "issue" | "creditLines" | "claims" | "financing" | "financingDesk"
  | "autoFinancing" | "trust" | "organisations" | "keyRequests" | "jobs" | "keys" | "people" | "integrations" | "inbox"
  | "notificationSettings" | "approvals" | "signInSettings";

export interface NavItem {
  href: string;
  label: NavKey;
}

/** The navigation of each kind of organisation; pages of later releases join these lists. */
export function navFor(role: OrganisationRole, permission: Permission): NavItem[] {
  const items: NavItem[] = [{ href: "/dashboard", label: "dashboard" }, { href: "/inbox", label: "inbox" }];
  if (role === "core_enterprise") items.push({ href: "/issuances", label: "issuances" }, { href: "/issue", label: "issue" }, { href: "/credit-lines", label: "creditLines" });
  if (role === "supplier") items.push({ href: "/claims", label: "claims" }, { href: "/financing", label: "financing" });
  if (role === "lender") items.push({ href: "/financing", label: "financingDesk" }, { href: "/financing/policies", label: "autoFinancing" }, { href: "/claims", label: "claims" }, { href: "/credit-lines", label: "creditLines" });
  if (role === "lender" || role === "auditor") items.push({ href: "/trust", label: "trust" });
  // The approvals queue (复核): what makers prepared waits here for an approver; makers follow their own.
  if (role !== "operator" && role !== "auditor" && permission !== "viewer") items.push({ href: "/approvals", label: "approvals" });
  if (role === "operator") items.push({ href: "/operator/organisations", label: "organisations" });
  items.push(...(role === "operator" ? ([{ href: "/operator/keys", label: "keyRequests" }, { href: "/operator/jobs", label: "jobs" }] satisfies NavItem[]) : []), { href: "/keys", label: "keys" });
  if (permission === "admin") items.push({ href: "/settings/users", label: "people" }, { href: "/settings/integrations", label: "integrations" });
  items.push({ href: "/settings/notifications", label: "notificationSettings" }, { href: "/settings/sign-in", label: "signInSettings" });
  return items;
}
