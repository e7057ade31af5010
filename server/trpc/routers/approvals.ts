import { z } from "zod";
import { cosignatureSchema, signedTransactionSchema, encodeSignedTransaction } from "@/contracts/ledger/schema";
import { approveTransaction, countWaiting, getApproval, holdForApproval, listApprovals, rejectTransaction, withdrawTransaction } from "../../commands/approvals";
import { orgProcedure, router } from "../init";

/*
 * The approvals queue (maker-checker): a maker holds a signed transaction that needs an
 * approval; an approver of the same organisation cosigns it in his browser (approve) or says
 * why not (reject); the maker may withdraw it. server/commands/approvals.ts decides who may.
 */
const approvalId = z.string().min(1).max(64);

export const approvalsRouter = router({
  /** A transaction the caller's browser signed that the ledger refused only for want of an approval. */
  hold: orgProcedure.input(z.object({ signed: signedTransactionSchema })).mutation(({ ctx, input }) => holdForApproval(ctx.db, ctx.actor, encodeSignedTransaction(input.signed), { clock: ctx.runtime.clock })),
  list: orgProcedure.query(({ ctx }) => listApprovals(ctx.db, ctx.actor, ctx.runtime.clock())),
  waitingCount: orgProcedure.query(({ ctx }) => countWaiting(ctx.db, ctx.actor, ctx.runtime.clock())),
  get: orgProcedure.input(z.object({ id: approvalId })).query(({ ctx, input }) => getApproval(ctx.db, ctx.actor, input.id, ctx.runtime.clock())),
  /** The approver's cosignature over the transaction id, made in his browser with his own key. */
  approve: orgProcedure
    .input(z.object({ id: approvalId, cosignature: cosignatureSchema }))
    .mutation(({ ctx, input }) => approveTransaction(ctx.db, ctx.actor, input, { clock: ctx.runtime.clock, ledger: ctx.runtime.ledger })),
  reject: orgProcedure
    .input(z.object({ id: approvalId, reason: z.string().trim().min(1).max(500) }))
    .mutation(({ ctx, input }) => rejectTransaction(ctx.db, ctx.actor, input, { clock: ctx.runtime.clock })),
  withdraw: orgProcedure.input(z.object({ id: approvalId })).mutation(({ ctx, input }) => withdrawTransaction(ctx.db, ctx.actor, input, { clock: ctx.runtime.clock })),
});
