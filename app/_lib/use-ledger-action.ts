"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslations } from "next-intl";
import { toWire } from "@/contracts/client";
import type { TransactionBodies, TransactionType } from "@/contracts/ledger/types";
import { useTRPC } from "../_trpc/client";
import { errorMessage } from "./errors";
import type { RefusalCode } from "@/contracts/ledger/refusals";
import { refusalText } from "./refusal-text";
import { useSigner } from "./signing-context";

/** A refusal keeps its result code, so a caller can react to one; the message is its text. */
export type ActionOutcome = { ok: true; txId: string; leafIndex: number } | { ok: false; code: RefusalCode | null; message: string };


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
  const [busy, setBusy] = useState(false);

  async function run<K extends TransactionType>(type: K, body: TransactionBodies[K]): Promise<ActionOutcome> {
    setBusy(true);
    try {
      const signed = await signer.sign(type, body);
      const result = await submit.mutateAsync(toWire(signed));
      await queryClient.invalidateQueries({ queryKey: trpc.ledger.pathKey() });
      if (result.status === "accepted") return { ok: true, txId: result.txId, leafIndex: result.leafIndex };
      return { ok: false, code: result.code, message: refusalText(t, result.code, result.text) };
    } catch (error) {
      return { ok: false, code: null, message: errorMessage(error, t) };
    } finally {
      setBusy(false);
    }
  }


  return { run, busy };
}
