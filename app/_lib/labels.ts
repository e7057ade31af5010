import type { OrgStatus } from "@/db/enums";

/** The badge colour of an organisation's review status; its words are in the catalogues (organisations.filter). */
export const STATUS_TONE: Record<OrgStatus, "amber" | "green" | "red"> = { pending: "amber", approved: "green", rejected: "red" };
