/**
 * What a bank's loan system does with Double-chain's API, using only the OpenAPI types
 * (docs/api/schema.d.ts, openapi-typescript), openapi-fetch, the isomorphic contracts (to
 * verify and to sign) and the standardwebhooks package. Nothing here imports server/.
 */
import createClient from "openapi-fetch";
import { Webhook } from "standardwebhooks";
import { randomBytes } from "node:crypto";
import { sha256 } from "@noble/hashes/sha2.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";
import { buildSigned, identityFor, toWire } from "@/contracts/client";
import { hexToBytes } from "@/contracts/hex";
import { verifyProvenance } from "@/contracts/provenance";
import { checkpointNoteTextHash } from "@/contracts/tlog-checkpoint";
import { termsSalt } from "@/contracts/terms-commitments";
import type { ProvenanceBundle } from "@/contracts/provenance";
import type { paths } from "../../docs/api/schema";

export type BankClient = ReturnType<typeof bankClient>;

/** A client of /api/v1 with the bank's API key; `fetch` may be swapped (tests call the handler directly). */
export function bankClient(baseUrl: string, apiKey: string, fetchImpl: typeof fetch = fetch) {
  return createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${apiKey}` }, fetch: fetchImpl });
}

/** The bank's demo signing key (README, Signing keys): derived from a public label, so it protects nothing. */
export const demoBankKey = () => identityFor("org_cmtb", sha256(utf8ToBytes("double-chain demo signing key org_cmtb")));

/** The lender's queue: applications waiting for an offer. */
export async function listApplications(client: BankClient) {
  const { data, error } = await client.GET("/financing/applications", { params: { query: { role: "lender", status: "requested" } } });
  if (error) throw new Error(`listApplications: ${error.code}: ${error.detail}`);
  return data.items;
}

/**
 * Fetches a claim's provenance bundle and verifies it with the contracts against the operator
 * key the bank pinned out of band (never one fetched from the party being checked). Also says
 * which checkpoint the bundle is proved against: the hash a decision on it names.
 */
export async function fetchAndVerifyBundle(client: BankClient, claimId: string, pinnedOperatorKeyHex: string) {
  const { data, error } = await client.GET("/claims/{claimId}/provenance", { params: { path: { claimId } } });
  if (error) throw new Error(`provenance: ${error.code}: ${error.detail}`);
  const bundle = data.bundle as unknown as ProvenanceBundle;
  return { ...verifyProvenance(bundle, hexToBytes(pinnedOperatorKeyHex)), checkpointHash: checkpointNoteTextHash(bundle.state?.checkpointNote) };
}

/** Prices an application, then signs the offer with the bank's own key and submits it (idempotently). */
export async function signAndSubmitOffer(client: BankClient, financingId: string, terms: { rateBps: number; disbursementDate: string; checkpointHash: string }, key = demoBankKey()) {
  const quote = await client.GET("/financing/applications/{financingId}/quote", { params: { path: { financingId }, query: { rateBps: terms.rateBps, disbursementDate: terms.disbursementDate } } });
  if (quote.error) throw new Error(`quote: ${quote.error.code}: ${quote.error.detail}`);
  // The terms salt keeps the offer's terms out of other lenders' bundles (contracts/terms-commitments.ts).
  const body = { financingId, rateBps: terms.rateBps, feeMinor: 0n, disbursementDate: terms.disbursementDate, recourse: false, checkpointHash: terms.checkpointHash, termsSaltHex: termsSalt(randomBytes) };
  const wire = toWire(buildSigned(key, "financing.offer", body, { nonce: randomBytes(16).toString("hex"), createdAtMs: Date.now() }));
  const submitted = await client.POST("/transactions", { body: wire as never, headers: { "idempotency-key": `offer-${financingId}-${wire.transaction.nonce}` } });
  return { quote: quote.data, submitted: submitted.data ?? null, problem: submitted.error ?? null, status: submitted.response.status };
}

/** Verifies a webhook as received (raw body, headers) with the endpoint's secret; throws when forged or stale. */
export function verifyWebhook(secret: string, rawBody: string, headers: Record<string, string>) {
  return new Webhook(secret).verify(rawBody, headers) as { type: string; timestamp: string; data: Record<string, unknown> };
}
