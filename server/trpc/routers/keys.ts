import { z } from "zod";
import { encodeSignedTransaction, keyIdSchema, signatureHexSchema, signedTransactionSchema } from "@/contracts/ledger/schema";
import { confirmRequest, decideRequest, organisationKeys, pendingRequests, requestRegistration } from "../../commands/keys";
import { organisationKeySetProof } from "../../read/organisation-key-set";
import { orgProcedure, router } from "../init";

export const keysRouter = router({
  /** A key.register signed in the caller's browser by the new key itself (no cosignature). */
  requestRegistration: orgProcedure
    .input(z.object({ signed: signedTransactionSchema }))
    .mutation(({ ctx, input }) => requestRegistration(ctx.db, ctx.actor, encodeSignedTransaction(input.signed))),
  /** The caller's organisation's keys on the ledger and its key requests. */
  myKeys: orgProcedure.query(({ ctx }) => organisationKeys(ctx.db, ctx.actor)),
  /** The caller's organisation's state leaf and map proof under the last checkpoint, which the Keys page verifies. */
  keySetProof: orgProcedure.query(({ ctx }) => organisationKeySetProof(ctx.db, ctx.actor)),
  /** The operator's review queue. */
  pendingRequests: orgProcedure.query(({ ctx }) => pendingRequests(ctx.db, ctx.actor)),
  decide: orgProcedure
    .input(z.object({ requestId: z.string().min(1).max(64), decision: z.enum(["approved", "rejected"]) }))
    .mutation(({ ctx, input }) => decideRequest(ctx.db, ctx.actor, input, { ledger: ctx.runtime.ledger })),
  /** An admin of the organisation confirms a further key with a cosignature by one of its active keys. */
  confirm: orgProcedure
    .input(z.object({ requestId: z.string().min(1).max(64), keyId: keyIdSchema, signatureHex: signatureHexSchema }))
    .mutation(({ ctx, input }) => confirmRequest(ctx.db, ctx.actor, input, { ledger: ctx.runtime.ledger })),
});
