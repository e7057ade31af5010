// Plain constants shared by the schema, the server and the browser (no drizzle imports here).
// Organisation roles are the ledger's: ORGANISATION_ROLES in contracts/ledger/types.ts.
export const ORG_STATUSES = ["pending", "approved", "rejected"] as const;
export type OrgStatus = (typeof ORG_STATUSES)[number];

export const PERMISSIONS = ["viewer", "maker", "approver", "admin"] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const USER_STATUSES = ["invited", "active", "disabled"] as const;
export type UserStatus = (typeof USER_STATUSES)[number];
