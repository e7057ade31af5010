import type { OrgStatus } from "@/db/enums";
import type { ClaimState } from "@/contracts/ledger/types";

/** The badge colour of an organisation's review status; its words are in the catalogues (organisations.filter). */
export const STATUS_TONE: Record<OrgStatus, "amber" | "green" | "red"> = { pending: "amber", approved: "green", rejected: "red" };

/**
 * The badge colour of a claim's state, one table for every page: overdue is a danger (it is
 * money not paid), an open offer waits (amber), a lender's holding is blue, what is consumed or
 * closed is grey, and an offer that did not happen is red.
 */
export const CLAIM_STATE_TONE: Record<ClaimState, "amber" | "green" | "red" | "blue" | "slate"> = {
  offered: "amber",
  held: "green",
  split: "slate",
  pledged: "blue",
  financed: "blue",
  settled: "slate",
  overdue: "red",
  withdrawn: "red",
  rejected: "red",
};

/** The tone of a state as the DTOs carry it (a string); an unknown state reads neutral. */
export function claimStateTone(state: string): (typeof CLAIM_STATE_TONE)[ClaimState] {
  return (CLAIM_STATE_TONE as Record<string, (typeof CLAIM_STATE_TONE)[ClaimState]>)[state] ?? "slate";
}
