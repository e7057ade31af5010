"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslations } from "next-intl";
import { toWire } from "@/contracts/client";
import { withTermsSalt } from "@/contracts/terms-commitments";
import type { TransactionBodies, TransactionType } from "@/contracts/ledger/types";
import { useTRPC } from "../_trpc/client";
import { errorMessage } from "./errors";
import type { RefusalCode } from "@/contracts/ledger/refusals";
import { refusalText } from "./refusal-text";
import { useSigner } from "./signing-context";

/**
 * A refusal keeps its result code, so a caller can react to one; the message is its text. A
 * transaction the organisation's policy says needs an approval is not refused: it is held for
 * the approvers (`held`, the queue item's id), and its message says so.
 */
export type ActionOutcome =
  | { ok: true; txId: string; leafIndex: number }
  | { ok: false; code: RefusalCode | null; message: string; held?: { approvalId: string } };


/**
 * Builds a ledger transaction in the browser, signs it with the user's key (signer.sign: a
 * passkey, or the unlocked Ed25519 key; no private key ever leaves the browser) and submits it. Returns what happened in words a
 * person can act on.
 */
export function useLedgerAction() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const signer = useSigner();
  const t = useTranslations();
  const submit = useMutation(trpc.ledger.submit.mutationOptions());
  const hold = useMutation(trpc.approvals.hold.mutationOptions());
  const [busy, setBusy] = useState(false);

  async function run<K extends TransactionType>(type: K, body: TransactionBodies[K]): Promise<ActionOutcome> {
    setBusy(true);
    try {
      // A kind with terms (a credit line's, a policy's, a financing's) is signed with a fresh terms
      // salt, so a provenance bundle shows them to anyone but the parties as a commitment only.
      const salted = withTermsSalt(type, body, (length) => crypto.getRandomValues(new Uint8Array(length)));
      const signed = await signer.sign(type, salted);
      const result = await submit.mutateAsync(toWire(signed));
      await queryClient.invalidateQueries({ queryKey: trpc.ledger.pathKey() });
      if (result.status === "accepted") return { ok: true, txId: result.txId, leafIndex: result.leafIndex };
      if (result.code === "approval_missing") {
        // The ledger wants an approver's cosignature: the same signed transaction waits in the
        // approvals queue (the ledger used none of it: a refusal records no nonce).
        const held = await hold.mutateAsync({ signed: toWire(signed) });
        await queryClient.invalidateQueries({ queryKey: trpc.approvals.pathKey() });
        return { ok: false, code: result.code, message: t("approvals.held"), held: { approvalId: held.id } };
      }
      return { ok: false, code: result.code, message: refusalText(t, result.code, result.text) };
    } catch (error) {
      return { ok: false, code: null, message: errorMessage(error, t) };
    } finally {
      setBusy(false);
    }
  }


  return { run, busy };
}
