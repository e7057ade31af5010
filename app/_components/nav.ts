import type { OrgRole, Permission } from "@/db/enums";

export interface NavItem {
  href: string;
  label: string;
}

/** The navigation of each kind of organisation; pages of later releases join these lists. */
export function navFor(role: OrgRole, permission: Permission): NavItem[] {
  const items: NavItem[] = [{ href: "/dashboard", label: "Dashboard" }];
  if (role === "operator") items.push({ href: "/operator/organisations", label: "Organisations" });
  if (permission === "admin") items.push({ href: "/settings/users", label: "People" });
  return items;
}
