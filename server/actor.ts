import type { OrganisationRole } from "@/contracts/ledger/types";
import type { OrgStatus, Permission } from "@/db/schema";

/** Who is asking: loaded from the database on every request, never trusted from the cookie alone. */
export interface Actor {
  userId: string;
  email: string;
  name: string;
  permission: Permission;
  orgId: string;
  orgName: string;
  orgRole: OrganisationRole;
  orgStatus: OrgStatus;
}

const PERMISSION_RANK: Record<Permission, number> = { viewer: 0, maker: 1, approver: 2, admin: 3 };

export function hasPermission(actor: Actor, atLeast: Permission): boolean {
  return permissionAtLeast(actor.permission, atLeast);
}

export function permissionAtLeast(permission: Permission, atLeast: Permission): boolean {
  return PERMISSION_RANK[permission] >= PERMISSION_RANK[atLeast];
}
