import { z } from "zod";
import { claimIdSchema, encodeSignedTransaction, signedTransactionSchema } from "@/contracts/ledger/schema";
import { submitSigned } from "../../commands/submit";
import { CLAIM_PAGE_DEFAULT, CLAIM_PAGE_MAX, issuanceTree, listOwnClaims, provenanceFor, tradeDocumentsFor } from "../../read/claims";
import { grantableCoreEnterprises, listCreditLines } from "../../read/credit-lines";
import { claimRowsFor, dashboardFor } from "../../read/dashboard";
import { issueRecipients } from "../../read/issue-recipients";
import { history, HISTORY_PAGE_MAX, ledgerStatus, operatorKey } from "../../read/log";
import { maturitiesFor } from "../../read/maturities";
import { loadVisibleClaim } from "../../read/visibility";
import { orgProcedure, router } from "../init";

export const ledgerRouter = router({
  /** A transaction built and signed in the caller's browser. */
  submit: orgProcedure.input(signedTransactionSchema).mutation(({ ctx, input }) => submitSigned(ctx.runtime, ctx.actor, encodeSignedTransaction(input))),
  /** The caller's figures (aggregates) and the first rows of its list. */
  dashboard: orgProcedure.query(({ ctx }) => dashboardFor(ctx.db, ctx.actor)),
  /** The caller's whole list, as the dashboard's rows: holdings and offers, financed claims, issuances (each speaking for its pieces), or the live claims for an auditor. */
  claimRows: orgProcedure.query(({ ctx }) => claimRowsFor(ctx.db, ctx.actor)),
  /** What falls due on the caller's issuances (core enterprises). */
  maturities: orgProcedure.query(({ ctx }) => maturitiesFor(ctx.db, ctx.actor)),
  /** The suppliers a core enterprise's issue form offers: its tier-1 suppliers, and new ones. */
  issueRecipients: orgProcedure.query(({ ctx }) => issueRecipients(ctx.db, ctx.actor)),
  creditLines: orgProcedure.query(({ ctx }) => listCreditLines(ctx.db, ctx.actor)),
  /** Core enterprises on the ledger, for a lender's admin granting a credit line. */
  grantableCoreEnterprises: orgProcedure.query(({ ctx }) => grantableCoreEnterprises(ctx.db, ctx.actor)),
  issuanceTree: orgProcedure.input(z.object({ rootId: claimIdSchema })).query(({ ctx, input }) => issuanceTree(ctx.db, ctx.actor, input.rootId)),
  /** Newest first, a page at a time: `before` is the last entry's leafIndex of the previous page. */
  history: orgProcedure
    .input(z.object({ limit: z.number().int().min(1).max(HISTORY_PAGE_MAX).default(50), before: z.number().int().min(0).optional() }).default({ limit: 50 }))
    .query(({ ctx, input }) => history(ctx.db, ctx.actor, input.limit, input.before)),
  provenance: orgProcedure.input(z.object({ claimId: claimIdSchema })).query(({ ctx, input }) => provenanceFor(ctx.db, ctx.runtime.provenance, ctx.actor, input.claimId)),
  operatorKey: orgProcedure.query(({ ctx }) => operatorKey(ctx.db)),
  status: orgProcedure.query(({ ctx }) => ledgerStatus(ctx.db)),
  /** By maturity date then id, a page at a time: `after` is the last claim (its maturityDate and id) of the previous page. */
  myClaims: orgProcedure
    .input(
      z
        .object({
          limit: z.number().int().min(1).max(CLAIM_PAGE_MAX).default(CLAIM_PAGE_DEFAULT),
          after: z.object({ maturityDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), id: claimIdSchema }).optional(),
        })
        .default({ limit: CLAIM_PAGE_DEFAULT }),
    )
    .query(({ ctx, input }) => listOwnClaims(ctx.db, ctx.actor, input)),
  claim: orgProcedure.input(z.object({ claimId: claimIdSchema })).query(({ ctx, input }) => loadVisibleClaim(ctx.db, ctx.actor, input.claimId)),
  /** The document hashes an issuance committed to, for a claim of it the caller may see (a piece shows its root's). */
  tradeDocuments: orgProcedure.input(z.object({ claimId: claimIdSchema })).query(({ ctx, input }) => tradeDocumentsFor(ctx.db, ctx.actor, input.claimId)),
});
