import type { OrganisationRole } from "@/contracts/ledger/types";
import type { OrgStatus, Permission } from "@/db/enums";

export const ROLE_LABEL: Record<OrganisationRole, string> = {
  core_enterprise: "Core enterprise",
  supplier: "Supplier",
  lender: "Lender",
  operator: "Platform operator",
  auditor: "Auditor",
};

export const STATUS_TONE: Record<OrgStatus, "amber" | "green" | "red"> = { pending: "amber", approved: "green", rejected: "red" };

export const PERMISSION_LABEL: Record<Permission, string> = { viewer: "Viewer", maker: "Maker", approver: "Approver", admin: "Admin" };

export const PERMISSION_HINT: Record<Permission, string> = {
  viewer: "Sees the organisation's data",
  maker: "Prepares and signs transactions",
  approver: "Approves what makers prepare",
  admin: "Manages people and settings",
};
