import { z } from "zod";
import { claimIdSchema, encodeSignedTransaction, financingIdSchema, signedTransactionSchema } from "@/contracts/ledger/schema";
import { quoteFinancing } from "@/contracts/pricing";
import type { Db } from "@/db/client";
import type { ApiCaller, ApiKeyScope } from "../commands/api-keys";
import { submitSigned } from "../commands/submit";
import { notFound, badRequest } from "../errors";
import { listOwnClaims, provenanceFor } from "../read/claims";
import { listCreditLines } from "../read/credit-lines";
import { listFinancings } from "../read/financing";
import { ledgerStatus, operatorKey } from "../read/log";
import { maturitiesFor } from "../read/maturities";
import { organisationKeys } from "../read/organisation-keys";
import { loadVisibleClaim } from "../read/visibility";
import type { Runtime } from "../runtime/runtime";
import * as S from "./schemas";

/*
 * The routes of /api/v1, each a thin adapter like a tRPC procedure: parse with zod, call one
 * read model or command, answer a DTO. The same zod schemas are the OpenAPI document
 * (openapi.ts), so the document cannot drift from what the handler parses.
 */

export interface RouteContext {
  runtime: Runtime;
  db: Db;
  caller: ApiCaller;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
}

export interface Answer {
  status: number;
  body: unknown;
}

export interface Route {
  method: "GET" | "POST";
  /** OpenAPI form: /claims/{claimId}. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  scope: ApiKeyScope;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Success answers; problems (400, 401, 403, 404, 429, and 409/422 on writes) are added for every route. */
  responses: Record<number, { description: string; schema: z.ZodType }>;
  handle(context: RouteContext): Promise<Answer>;
}

const ok = (body: unknown): Answer => ({ status: 200, body });
const CLAIM_STATES = ["offered", "held", "split", "pledged", "financed", "settled", "overdue", "withdrawn", "rejected"] as const;

/** Opaque to callers: the (maturityDate, id) of the last item of the page, base64url. */
const encodeCursor = (claim: { maturityDate: string; id: string }) => Buffer.from(`${claim.maturityDate}|${claim.id}`, "utf8").toString("base64url");
function decodeCursor(cursor: string): { maturityDate: string; id: string } {
  const [maturityDate, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  if (!maturityDate || !id) throw badRequest("cursor_invalid", "The cursor is not one this API gave out.");
  return { maturityDate, id };
}

export const ROUTES: readonly Route[] = [
  {
    method: "GET",
    path: "/claims",
    operationId: "listClaims",
    summary: "Claims your organisation holds or is offered, soonest maturity first",
    tag: "Claims",
    scope: "read",
    query: z.object({
      state: z.enum(CLAIM_STATES).optional(),
      issuerOrgId: z.string().max(64).optional(),
      cursor: z.string().max(200).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    responses: { 200: { description: "One page of claims.", schema: S.claimPageSchema } },
    async handle({ db, caller, query }) {
      const q = query as { state?: string; issuerOrgId?: string; cursor?: string; limit: number };
      const after = q.cursor ? decodeCursor(q.cursor) : null;
      // The read model orders by (maturityDate, id); the page starts after the cursor's item.
      const all = (await listOwnClaims(db, caller.actor)).filter(
        (c) => (!q.state || c.state === q.state) && (!q.issuerOrgId || c.issuerOrgId === q.issuerOrgId) && (!after || c.maturityDate > after.maturityDate || (c.maturityDate === after.maturityDate && c.id > after.id)),
      );
      const items = all.slice(0, q.limit);
      const last = items.at(-1);
      return ok({ items, nextCursor: all.length > q.limit && last ? encodeCursor(last) : null });
    },
  },
  {
    method: "GET",
    path: "/claims/{claimId}",
    operationId: "getClaim",
    summary: "One claim you may see",
    tag: "Claims",
    scope: "read",
    params: z.object({ claimId: claimIdSchema }),
    responses: { 200: { description: "The claim.", schema: S.claimSchema } },
    handle: async ({ db, caller, params }) => ok(await loadVisibleClaim(db, caller.actor, params.claimId!)),
  },
  {
    method: "GET",
    path: "/claims/{claimId}/provenance",
    operationId: "getProvenance",
    summary: "A claim's provenance bundle: lineage transactions, key registrations, inclusion proofs and the signed checkpoint",
    tag: "Claims",
    scope: "read",
    params: z.object({ claimId: claimIdSchema }),
    responses: { 200: { description: "Verify it with contracts/provenance.ts verifyProvenance against your pinned operator key.", schema: S.provenanceSchema } },
    handle: async ({ runtime, db, caller, params }) => ok(await provenanceFor(db, runtime.provenance, caller.actor, params.claimId!)),
  },
  {
    method: "POST",
    path: "/transactions",
    operationId: "submitTransaction",
    summary: "Submit a transaction signed with your organisation's own key (the API key only authenticates)",
    tag: "Ledger",
    scope: "submit",
    body: signedTransactionSchema,
    responses: {
      201: { description: "Accepted and appended to the log.", schema: S.acceptedSchema },
      200: { description: "Already on the ledger: the original answer (duplicate is true).", schema: S.acceptedSchema },
    },
    async handle({ runtime, caller, body }) {
      const result = await submitSigned(runtime, caller.actor, encodeSignedTransaction(body as z.infer<typeof signedTransactionSchema>));
      if (result.status === "refused") return { status: refusalStatus(result.code), body: result };
      return { status: result.duplicate ? 200 : 201, body: result };
    },
  },
  {
    method: "GET",
    path: "/financing/applications",
    operationId: "listApplications",
    summary: "Financing applications you take part in; as a lender, your queue (status=requested)",
    tag: "Financing",
    scope: "read",
    query: z.object({ status: z.string().max(40).optional(), role: z.enum(["lender", "holder"]).optional() }),
    responses: { 200: { description: "Applications, newest first.", schema: S.listOf(S.financingSchema) } },
    async handle({ db, caller, query }) {
      const q = query as { status?: string; role?: "lender" | "holder" };
      const items = (await listFinancings(db, caller.actor)).filter(
        (f) => (!q.status || f.status === q.status) && (!q.role || (q.role === "lender" ? f.lenderOrgId : f.holderOrgId) === caller.actor.orgId),
      );
      return ok({ items });
    },
  },
  {
    method: "GET",
    path: "/financing/applications/{financingId}",
    operationId: "getApplication",
    summary: "One financing application",
    tag: "Financing",
    scope: "read",
    params: z.object({ financingId: financingIdSchema }),
    responses: { 200: { description: "The application.", schema: S.financingSchema } },
    handle: async ({ db, caller, params }) => ok(await loadFinancing(db, caller, params.financingId!)),
  },
  {
    method: "GET",
    path: "/financing/applications/{financingId}/quote",
    operationId: "quoteApplication",
    summary: "Price an application (discount interest ACT/360, half-up) before signing an offer",
    tag: "Financing",
    scope: "read",
    params: z.object({ financingId: financingIdSchema }),
    query: z.object({
      rateBps: z.coerce.number().int().min(0).max(100_000),
      feeMinor: z.string().regex(/^[0-9]{1,18}$/).default("0"),
      disbursementDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    }),
    responses: { 200: { description: "The quote, as the contract prices it.", schema: S.quoteSchema } },
    async handle({ db, caller, params, query }) {
      const q = query as { rateBps: number; feeMinor: string; disbursementDate: string };
      const financing = await loadFinancing(db, caller, params.financingId!);
      const faceMinor = financing.outstandingMinor;
      const quote = quoteFinancing({ faceMinor, rateBps: q.rateBps, feeMinor: BigInt(q.feeMinor), disbursementDate: q.disbursementDate, maturityDate: financing.maturityDate });
      if (!quote.ok) throw badRequest(quote.code, `The contract cannot price these terms: ${quote.code}.`);
      return ok({ financingId: financing.id, faceMinor, rateBps: q.rateBps, disbursementDate: q.disbursementDate, maturityDate: financing.maturityDate, days: quote.days, interestMinor: quote.interestMinor, feesMinor: quote.feesMinor, netMinor: quote.netMinor });
    },
  },
  {
    method: "GET",
    path: "/credit-lines",
    operationId: "listCreditLines",
    summary: "Credit lines your organisation granted (lender) or received (core enterprise)",
    tag: "Credit lines",
    scope: "read",
    responses: { 200: { description: "Credit lines.", schema: S.listOf(S.creditLineSchema) } },
    handle: async ({ runtime, db, caller }) => ok({ items: await listCreditLines(db, caller.actor, runtime.clock()) }),
  },
  {
    method: "GET",
    path: "/repayments/falling-due",
    operationId: "listFallingDue",
    summary: "What falls due on your issuances (core enterprises): outstanding, repaid, overdue, holders",
    tag: "Repayments",
    scope: "read",
    responses: { 200: { description: "Issuances still owed, soonest first.", schema: S.listOf(S.maturitySchema) } },
    handle: async ({ runtime, db, caller }) => ok({ items: await maturitiesFor(db, caller.actor, runtime.clock()) }),
  },
  {
    method: "GET",
    path: "/checkpoints/latest",
    operationId: "getLatestCheckpoint",
    summary: "The latest checkpoint signed by the operator, with the operator's public key",
    tag: "Ledger",
    scope: "read",
    responses: { 200: { description: "Verify its signature against an operator key you pinned out of band.", schema: S.checkpointSchema } },
    async handle({ db }) {
      const [status, key] = await Promise.all([ledgerStatus(db), operatorKey(db)]);
      if (!status.checkpoint) throw notFound("checkpoint_not_found", "The ledger has no checkpoint yet.");
      return ok({ ...status.checkpoint, operatorPublicKeyHex: key.publicKeyHex });
    },
  },
  {
    method: "GET",
    path: "/organisations/keys",
    operationId: "listOrganisationKeys",
    summary: "Every organisation on the ledger with its registered public signing keys",
    tag: "Organisations",
    scope: "read",
    responses: { 200: { description: "Organisations and keys.", schema: S.organisationKeysSchema } },
    handle: async ({ db }) => ok({ items: await organisationKeys(db) }),
  },
];

async function loadFinancing(db: Db, caller: ApiCaller, financingId: string) {
  const [financing] = await listFinancings(db, caller.actor, { financingId });
  if (!financing) throw notFound("financing_not_found", "No such financing application among yours.");
  return financing;
}

/**
 * A refused transaction's HTTP status: 422 when the transaction itself can never be accepted
 * as sent (its form, its signatures, its keys), 409 when it conflicts with the ledger's
 * current state (the claim moved on, the nonce was used). The body carries the contract's code.
 */
const UNPROCESSABLE = new Set([
  "malformed_transaction",
  "network_id_mismatch",
  "created_at_out_of_range",
  "public_key_invalid",
  "key_id_mismatch",
  "registration_not_self_signed",
  "signer_key_wrong_organisation",
  "signature_invalid",
  "unexpected_cosignature",
  "operator_cosignature_missing",
  "operator_cosignature_invalid",
  "signer_key_unknown",
  "signer_key_revoked",
  "amount_not_positive",
  "split_part_not_positive",
  "split_amounts_do_not_sum",
  "split_changes_nothing",
  "credit_line_limit_not_positive",
  "policy_max_amount_not_positive",
]);
export const refusalStatus = (code: string) => (UNPROCESSABLE.has(code) ? 422 : 409);
