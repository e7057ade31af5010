import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";

/*
 * What the API returns, as the router declares it (superjson keeps bigint and Date). app/
 * takes its types from here, never from a server module: the router is the contract between
 * the two sides.
 */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type RouterInputs = inferRouterInputs<AppRouter>;

export type ClaimRowDto = RouterOutputs["ledger"]["claimRows"][number];
export type CreditLineDto = RouterOutputs["ledger"]["creditLines"][number];
export type MaturityDto = RouterOutputs["ledger"]["maturities"][number];
export type IssueRecipientsDto = RouterOutputs["ledger"]["issueRecipients"];
export type FinancingDto = RouterOutputs["financing"]["list"][number];
export type PolicyOfferDto = RouterOutputs["financing"]["policyOffers"][number];
export type Chart = RouterOutputs["reports"]["portfolio"][number];
