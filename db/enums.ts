// Plain constants shared by the schema, the server and the browser (no drizzle imports here).
// Organisation roles are the ledger's: ORGANISATION_ROLES in contracts/ledger/types.ts.
export const ORG_STATUSES = ["pending", "approved", "rejected"] as const;
export type OrgStatus = (typeof ORG_STATUSES)[number];

export const PERMISSIONS = ["viewer", "maker", "approver", "admin"] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const USER_STATUSES = ["invited", "active", "disabled"] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/**
 * What a person may be told of (the inbox and email, server/commands/notifications.ts). Each
 * person chooses per category whether it reaches the inbox and whether it is emailed.
 */
export const NOTIFICATION_CATEGORIES = ["offer", "decision", "money", "maturity", "overdue", "organisation"] as const;
export type NotificationCategory = (typeof NOTIFICATION_CATEGORIES)[number];
/** Until a person chooses: everything in the inbox; email for what needs an answer or moves money. */
export const DEFAULT_IN_APP: readonly NotificationCategory[] = NOTIFICATION_CATEGORIES;
export const DEFAULT_EMAIL: readonly NotificationCategory[] = ["offer", "decision", "money", "overdue"];

/** What exactly a notification says; each has its words in the catalogues (notifications.kinds.*, email). */
export const NOTIFICATION_KINDS = [
  "claimOffered",
  "financingOffered",
  "financingDeclined",
  "financingDisbursed",
  "repaymentReceived",
  "maturitySoonIssuer",
  "maturitySoonHolder",
  "overdueIssuer",
  "overdueHolder",
  "keyRegistered",
  "keyRotated",
  "keyRevoked",
  "apiKeyCreated",
  "apiKeyRevoked",
  "userInvited",
  "userJoined",
  "userPermissionChanged",
  "userDisabled",
  "userEnabled",
  "approvalRequested",
  "approvalApproved",
  "approvalRejected",
  "approvalSuperseded",
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** The page a notification links to: a claim, an issuance tree, a financing, the signing keys, the API keys, the people page or the approvals queue. */
export const NOTIFICATION_SUBJECTS = ["claim", "issuance", "financing", "keys", "apiKeys", "people", "approvals"] as const;
export type NotificationSubject = (typeof NOTIFICATION_SUBJECTS)[number];

/** The languages an email may be written in (the interface's). */
export const EMAIL_LOCALES = ["zh-CN", "en"] as const;
export type EmailLocale = (typeof EMAIL_LOCALES)[number];

/** The app's page a notification opens (the inbox links there, and so does its email). */
export function notificationPath(subject: NotificationSubject, subjectId: string | null): string {
  const id = encodeURIComponent(subjectId ?? "");
  switch (subject) {
    case "claim":
      return `/claims/${id}`;
    case "issuance":
      return `/issuances/${id}`;
    case "financing":
      return `/financing/${id}`;
    case "keys":
      return "/keys";
    case "apiKeys":
      return "/settings/integrations";
    case "people":
      return "/settings/users";
    case "approvals":
      return "/approvals";
  }
}

/** The longest name a person gives a sign-in passkey (the settings page's input takes as many). */
export const PASSKEY_NAME_MAX_LENGTH = 80;
