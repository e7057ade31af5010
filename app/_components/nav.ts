import type { OrganisationRole } from "@/contracts/ledger/types";
import type { Permission } from "@/db/enums";

export interface NavItem {
  href: string;
  label: string;
}

/** The navigation of each kind of organisation; pages of later releases join these lists. */
export function navFor(role: OrganisationRole, permission: Permission): NavItem[] {
  const items: NavItem[] = [{ href: "/dashboard", label: "Dashboard" }];
  if (role === "core_enterprise") items.push({ href: "/issuances", label: "Issued claims" }, { href: "/issue", label: "Issue a claim" }, { href: "/credit-lines", label: "Credit lines" });
  if (role === "supplier") items.push({ href: "/claims", label: "Claims" }, { href: "/financing", label: "Financing" });
  if (role === "lender") items.push({ href: "/financing", label: "Financing desk" }, { href: "/financing/policies", label: "Auto-financing" }, { href: "/claims", label: "Claims" }, { href: "/credit-lines", label: "Credit lines" });
  if (role === "operator") items.push({ href: "/operator/organisations", label: "Organisations" });
  items.push(...(role === "operator" ? [{ href: "/operator/keys", label: "Key requests" }, { href: "/operator/jobs", label: "Scheduled jobs" }] : []), { href: "/keys", label: "Signing keys" });
  if (permission === "admin") items.push({ href: "/settings/users", label: "People" }, { href: "/settings/integrations", label: "API & webhooks" });
  return items;
}
