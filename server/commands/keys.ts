import { and, asc, count, desc, eq, ne, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db, DbOrTx } from "@/db/client";
import { keyRequests, ledgerOrganisations, organisations, signingKeys, users, type KeyRequestStatus } from "@/db/schema";
import { transactionId } from "@/contracts/transaction";
import { CREATED_AT_TOLERANCE_MS } from "@/contracts/ledger/apply";
import { registrationSignerProblem } from "@/contracts/ledger/keys";
import { decodeSignedTransaction, encodeSignedTransaction, sealTransaction, type WireSignedTransaction } from "@/contracts/ledger/schema";
import type { KeyRole, OrganisationRole, SignedLedgerTransaction } from "@/contracts/ledger/types";
import type { Actor } from "../actor";
import { assertAllowed, canConfirmKeyRequests, canDecideKeyRequests, canReadOrganisationKeys, canRequestKeyFor, canRequestKeyRegistration } from "../authz";
import { nodeVerifier } from "../crypto/node-verifier";
import { badRequest, conflict, notFound } from "../errors";
import { newId } from "../ids";
import { ledgerNetworkId } from "../network";
import { refusalText } from "@/contracts/ledger/refusals";
import { submitTransaction, type LedgerOptions, type LedgerSubmitter, type SubmitResult } from "../ledger/service";
import { operatorSigner } from "../platform/signer";
import { passkeyParametersProblem, relyingParty } from "../webauthn";

/*
 * Registering users' signing keys. A key is generated in the user's browser, which signs a
 * key.register with it (proving possession) and sends it here. The first key of an
 * organisation (its onboarding) waits for an operator approver, whose approval cosigns it
 * with the platform key; every later key waits for an admin of the organisation, whose
 * browser cosigns it with one of the organisation's active keys (the contracts refuse the
 * operator's cosignature on those). Either approval submits it to the ledger. The private
 * keys never reach the server, and nothing here can sign for a user or an organisation.
 */

export interface KeyServiceOptions extends LedgerOptions {
  /** The request clock (tests freeze it); also the ledger's commit clock unless LedgerOptions says otherwise. */
  clock?: () => number;
  /** The runtime's group-committing submitter (the API passes it); alone without it. */
  ledger?: LedgerSubmitter;
}

/** More pending requests than this per organisation is a mistake or abuse, never a need. */
export const MAX_PENDING_REQUESTS_PER_ORG = 5;

export interface KeyRequestDto {
  id: string;
  orgId: string;
  keyId: string;
  publicKeyHex: string;
  status: KeyRequestStatus;
  requestedBy: { userId: string; name: string; email: string };
  createdAt: Date;
  /** When the browser signed the key.register; the ledger accepts it for 24 hours from then. */
  signedAtMs: number;
  expiresAtMs: number;
  /** Pending, but signed too long ago for the ledger to accept: the owner must sign it again. */
  expired: boolean;
  decidedAt: Date | null;
  txId: string | null;
  /**
   * Who approves it: the operator (the organisation's first key, its onboarding) or the
   * organisation's own admin keys (every later key).
   */
  approver: "operator" | "organisation";
  /** The key.register as its key signed it: what an admin's key cosigns to confirm it. */
  registration: WireSignedTransaction;
}

export interface PendingKeyRequestDto extends KeyRequestDto {
  orgName: string;
  orgRole: OrganisationRole;
}

export interface RegisteredKeyDto {
  keyId: string;
  publicKeyHex: string;
  status: "active" | "revoked";
  registeredAtMs: number;
  revokedAtMs: number | null;
  /** What the key may sign on the ledger (contracts/ledger/roles.ts). */
  role: KeyRole;
  /** The person who holds it, as the ledger names him; his name when he is a user here. */
  holder: { userId: string; name: string | null };
}

export interface OrganisationKeysDto {
  keys: RegisteredKeyDto[];
  requests: KeyRequestDto[];
}

type Registration = SignedLedgerTransaction<"key.register">;

function decodeRegistration(wire: unknown): Registration {
  const decoded = decodeSignedTransaction(wire);
  if (!decoded.ok) {
    const detail = decoded.issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ");
    throw badRequest("malformed_transaction", `The transaction is malformed: ${detail}`);
  }
  if (decoded.value.transaction.type !== "key.register") {
    throw badRequest("not_a_key_registration", "Only key.register transactions can be sent as key requests.");
  }
  return decoded.value as Registration;
}

/**
 * The ledger's own signer checks of a key.register, run now so that the operator only ever
 * sees requests that prove possession of the key; cosignatures come only on approval.
 */
function assertSelfSigned(signed: Registration): void {
  const problem = registrationSignerProblem(signed, transactionId(signed.transaction), nodeVerifier);
  if (problem !== undefined) throw badRequest(problem, refusalText(problem));
  if (signed.cosignatures.length > 0) throw badRequest("unexpected_cosignature", refusalText("unexpected_cosignature"));
}

const signedAtOf = (signedTransaction: unknown) => (signedTransaction as { transaction: { createdAtMs: number } }).transaction.createdAtMs;
const isExpired = (signedAtMs: number, nowMs: number) => nowMs - signedAtMs > CREATED_AT_TOLERANCE_MS;

/**
 * Files a key registration signed in the caller's browser. A key id is requested once; the
 * one exception is a pending request the ledger would no longer accept (signed more than
 * 24 hours ago), which the same organisation renews by signing it again.
 */
export async function requestRegistration(db: Db, actor: Actor, wire: unknown, options: KeyServiceOptions = {}): Promise<KeyRequestDto> {
  const nowMs = (options.clock ?? Date.now)();
  const signed = decodeRegistration(wire);
  const { body, createdAtMs } = signed.transaction;
  assertAllowed(canRequestKeyRegistration(actor, body.orgId), "You can only request keys for your own organisation, with the maker permission or above.");
  assertAllowed(
    canRequestKeyFor(actor, body.holderUserId, body.keyRole),
    "A key request names you as the key's holder, with the role your permission gives (maker, approver or admin).",
  );
  assertSelfSigned(signed);
  const passkeyProblem = body.webauthn === undefined ? null : passkeyParametersProblem(body.webauthn, relyingParty());
  if (passkeyProblem !== null) throw badRequest("passkey_wrong_site", passkeyProblem);
  const [org] = await db.select().from(organisations).where(eq(organisations.id, body.orgId));
  if (!org || org.name !== body.orgName || org.role !== body.role) {
    throw badRequest("registration_organisation_mismatch", "The registration must name your organisation exactly as registered (name and role). Reload the page and try again.");
  }
  if (signed.transaction.networkId !== ledgerNetworkId()) throw badRequest("network_id_mismatch", refusalText("network_id_mismatch"));
  if (Math.abs(createdAtMs - nowMs) > CREATED_AT_TOLERANCE_MS) {
    throw badRequest("created_at_out_of_range", refusalText("created_at_out_of_range"));
  }
  const [registered] = await db.select({ keyId: signingKeys.keyId }).from(signingKeys).where(eq(signingKeys.keyId, body.keyId));
  if (registered) throw conflict("key_already_registered", refusalText("key_already_registered"));

  const storedWire = encodeSignedTransaction(signed);
  const [existing] = await db.select().from(keyRequests).where(eq(keyRequests.keyId, body.keyId));
  if (existing) return renewExpired(db, existing, body.orgId, storedWire, nowMs);
  const [pending] = await db.select({ n: count() }).from(keyRequests).where(and(eq(keyRequests.orgId, body.orgId), eq(keyRequests.status, "pending")));
  if ((pending?.n ?? 0) >= MAX_PENDING_REQUESTS_PER_ORG) {
    throw conflict("too_many_pending_requests", `Your organisation already has ${MAX_PENDING_REQUESTS_PER_ORG} key requests waiting; wait for the operator's review.`);
  }
  const [row] = await db
    .insert(keyRequests)
    .values({ id: newId("kreq"), orgId: body.orgId, userId: actor.userId, keyId: body.keyId, publicKeyHex: body.publicKeyHex, signedTransaction: storedWire })
    .onConflictDoNothing({ target: keyRequests.keyId })
    .returning();
  if (!row) throw conflict("key_already_requested", "This key has already been requested.");
  return (await loadRequest(db, row.id, nowMs))!;
}

async function renewExpired(db: DbOrTx, existing: typeof keyRequests.$inferSelect, orgId: string, storedWire: unknown, nowMs: number): Promise<KeyRequestDto> {
  const renewable = existing.status === "pending" && existing.orgId === orgId && isExpired(signedAtOf(existing.signedTransaction), nowMs);
  if (!renewable) throw conflict("key_already_requested", `This key has already been requested (${existing.status}).`);
  await db
    .update(keyRequests)
    .set({ signedTransaction: storedWire })
    .where(and(eq(keyRequests.id, existing.id), eq(keyRequests.status, "pending")));
  return (await loadRequest(db, existing.id, nowMs))!;
}

/** The caller's organisation's keys on the ledger, and its key requests (newest first). */
export async function organisationKeys(db: DbOrTx, actor: Actor, options: KeyServiceOptions = {}): Promise<OrganisationKeysDto> {
  const nowMs = (options.clock ?? Date.now)();
  assertAllowed(canReadOrganisationKeys(actor, actor.orgId), "You can only see the keys of your own organisation.");
  const holder = alias(users, "holder");
  const keys = await db
    .select({
      keyId: signingKeys.keyId,
      publicKeyHex: signingKeys.publicKeyHex,
      status: signingKeys.status,
      registeredAtMs: signingKeys.registeredAtMs,
      revokedAtMs: signingKeys.revokedAtMs,
      role: signingKeys.role,
      holderUserId: signingKeys.holderUserId,
      holderName: holder.name,
    })
    .from(signingKeys)
    .leftJoin(holder, and(eq(holder.id, signingKeys.holderUserId), eq(holder.orgId, signingKeys.orgId)))
    .where(eq(signingKeys.orgId, actor.orgId))
    .orderBy(asc(signingKeys.registeredAtMs), asc(signingKeys.keyId));
  const requests = await requestQuery(db).where(eq(keyRequests.orgId, actor.orgId)).orderBy(desc(keyRequests.createdAt), asc(keyRequests.id));
  return {
    keys: keys.map(({ holderUserId, holderName, ...key }) => ({
      ...key,
      status: key.status === "revoked" ? "revoked" : "active",
      role: key.role as KeyRole,
      holder: { userId: holderUserId, name: holderName },
    })),
    requests: requests.map((row) => toDto(row, nowMs)),
  };
}

/** True once the organisation is on the ledger: its key set is then its own to change. */
async function isOnLedger(db: DbOrTx, orgId: string): Promise<boolean> {
  const [row] = await db.select({ id: ledgerOrganisations.id }).from(ledgerOrganisations).where(eq(ledgerOrganisations.id, orgId));
  return row !== undefined;
}

/** The operator's queue: every pending request of an organisation's first key (its onboarding), oldest first. */
export async function pendingRequests(db: DbOrTx, actor: Actor, options: KeyServiceOptions = {}): Promise<PendingKeyRequestDto[]> {
  assertAllowed(canDecideKeyRequests(actor), "Only an operator approver reviews key requests.");
  const nowMs = (options.clock ?? Date.now)();
  const rows = await requestQuery(db).where(eq(keyRequests.status, "pending")).orderBy(asc(keyRequests.createdAt), asc(keyRequests.id));
  return rows
    .map((row) => ({ ...toDto(row, nowMs), orgName: row.orgName, orgRole: row.orgRole as OrganisationRole }))
    .filter((request) => request.approver === "operator");
}

export interface DecisionResult {
  request: KeyRequestDto;
  /**
   * The ledger's answer to an approval: accepted (the key is registered), or the typed
   * refusal, in which case the request stays pending. Null for a rejection.
   */
  ledger: SubmitResult | null;
}

/**
 * Approves or rejects a pending request. Approval cosigns the stored key.register with the
 * platform key and submits it; the request records the transaction id only once the ledger
 * has accepted it, and a refusal leaves the request pending and names the contract's code.
 */
export async function decideRequest(
  db: Db,
  actor: Actor,
  input: { requestId: string; decision: "approved" | "rejected" },
  options: KeyServiceOptions = {},
): Promise<DecisionResult> {
  assertAllowed(canDecideKeyRequests(actor), "Only an operator approver can decide key requests.");
  const nowMs = (options.clock ?? Date.now)();
  const [request] = await db.select().from(keyRequests).where(eq(keyRequests.id, input.requestId));
  if (!request) throw notFound("key_request_not_found", "No such key request.");
  if (request.status !== "pending") throw conflict("key_request_already_decided", `This request was already ${request.status}.`);
  if (input.decision === "rejected") return { request: await reject(db, actor, request.id, nowMs), ledger: null };
  return approve(db, actor, request, options);
}

async function reject(db: DbOrTx, actor: Actor, requestId: string, nowMs: number): Promise<KeyRequestDto> {
  // Compare-and-set on the status: of two operators deciding at once, one wins.
  const [row] = await db
    .update(keyRequests)
    .set({ status: "rejected", decidedAt: new Date(), decidedByUserId: actor.userId })
    .where(and(eq(keyRequests.id, requestId), eq(keyRequests.status, "pending")))
    .returning();
  if (!row) throw conflict("key_request_already_decided", "Another operator decided this request meanwhile.");
  return (await loadRequest(db, requestId, nowMs))!;
}

async function approve(db: Db, actor: Actor, request: typeof keyRequests.$inferSelect, options: KeyServiceOptions): Promise<DecisionResult> {
  const [org] = await db.select({ status: organisations.status }).from(organisations).where(eq(organisations.id, request.orgId));
  if (org?.status !== "approved") throw conflict("organisation_not_approved", "The organisation is not approved; its keys cannot be registered.");
  if (await isOnLedger(db, request.orgId)) {
    throw conflict("organisation_confirms_its_keys", "This organisation already has keys on the ledger: an admin of the organisation confirms its further keys with one of its own keys, not the operator.");
  }
  const signed = decodeRegistration(request.signedTransaction);
  // The operator's onboarding key (its admin key while the ledger holds none) cosigns.
  const platform = await operatorSigner(db, "onboarding");
  const [operatorKey] = await db.select().from(signingKeys).where(eq(signingKeys.keyId, platform.key.keyId));
  if (operatorKey?.status !== "active" || operatorKey.orgId !== platform.orgId) {
    throw conflict("platform_key_not_registered", "The platform's onboarding key is not an active key on the ledger, so it cannot cosign.");
  }
  return submitApproved(db, actor, request.id, platform.cosign(signed), options);
}

/**
 * Submits a request's registration with its approving cosignature. The ledger decides: a
 * refusal leaves the request pending and names the contract's code.
 */
async function submitApproved(db: Db, actor: Actor, requestId: string, cosigned: Registration, options: KeyServiceOptions): Promise<DecisionResult> {
  const { ledger, ...ledgerOptions } = options;
  const sealed = sealTransaction(cosigned);
  const result = ledger ? await ledger.submit(sealed, ledgerOptions) : await submitTransaction(db, sealed, ledgerOptions);
  if (result.status === "refused") return { request: (await loadRequest(db, requestId, (options.clock ?? Date.now)()))!, ledger: result };
  // The ledger is the truth: the key is registered now, so the request says so even if a
  // concurrent rejection landed between loading it and submitting (this approval won).
  await db
    .update(keyRequests)
    .set({ status: "approved", decidedAt: new Date(), decidedByUserId: actor.userId, txId: result.txId })
    .where(and(eq(keyRequests.id, requestId), ne(keyRequests.status, "approved")));
  return { request: (await loadRequest(db, requestId, (options.clock ?? Date.now)()))!, ledger: result };
}

export interface Confirmation {
  requestId: string;
  /** The admin's key of the organisation and its signature over the registration's transaction id (the digest). */
  keyId: string;
  signatureHex: string;
}

/**
 * An admin of the organisation confirms a further key: the admin's browser cosigns the
 * stored registration with one of the organisation's active keys, and the cosigned
 * registration goes to the ledger, whose contracts check that key and its signature.
 */
export async function confirmRequest(db: Db, actor: Actor, input: Confirmation, options: KeyServiceOptions = {}): Promise<DecisionResult> {
  const [request] = await db.select().from(keyRequests).where(eq(keyRequests.id, input.requestId));
  if (!request) throw notFound("key_request_not_found", "No such key request.");
  assertAllowed(canConfirmKeyRequests(actor, request.orgId), "Only an admin of the organisation confirms its key requests.");
  if (request.status !== "pending") throw conflict("key_request_already_decided", `This request was already ${request.status}.`);
  if (!(await isOnLedger(db, request.orgId))) {
    throw conflict("first_key_needs_operator", "This is the organisation's first key: the platform operator approves it as part of onboarding.");
  }
  const signed = decodeRegistration(request.signedTransaction);
  const cosigned: Registration = { ...signed, cosignatures: [{ orgId: request.orgId, keyId: input.keyId, signatureHex: input.signatureHex }] };
  return submitApproved(db, actor, request.id, cosigned, options);
}

// ---------------------------------------------------------------------------------------

const requester = alias(users, "requester");

function requestQuery(db: DbOrTx) {
  return db
    .select({
      request: keyRequests,
      requesterName: requester.name,
      requesterEmail: requester.email,
      orgName: organisations.name,
      orgRole: organisations.role,
      onLedger: sql<boolean>`${ledgerOrganisations.id} is not null`,
    })
    .from(keyRequests)
    .innerJoin(requester, eq(requester.id, keyRequests.userId))
    .innerJoin(organisations, eq(organisations.id, keyRequests.orgId))
    .leftJoin(ledgerOrganisations, eq(ledgerOrganisations.id, keyRequests.orgId))
    .$dynamic();
}

async function loadRequest(db: DbOrTx, id: string, nowMs: number): Promise<KeyRequestDto | undefined> {
  const [row] = await requestQuery(db).where(eq(keyRequests.id, id));
  return row ? toDto(row, nowMs) : undefined;
}

type RequestRow = { request: typeof keyRequests.$inferSelect; requesterName: string; requesterEmail: string; onLedger: boolean };

function toDto(row: RequestRow, nowMs: number): KeyRequestDto {
  const { request } = row;
  const signedAtMs = signedAtOf(request.signedTransaction);
  return {
    id: request.id,
    orgId: request.orgId,
    keyId: request.keyId,
    publicKeyHex: request.publicKeyHex,
    status: request.status,
    requestedBy: { userId: request.userId, name: row.requesterName, email: row.requesterEmail },
    createdAt: request.createdAt,
    signedAtMs,
    expiresAtMs: signedAtMs + CREATED_AT_TOLERANCE_MS,
    expired: request.status === "pending" && isExpired(signedAtMs, nowMs),
    decidedAt: request.decidedAt,
    txId: request.txId,
    approver: row.onLedger ? "organisation" : "operator",
    registration: request.signedTransaction as WireSignedTransaction,
  };
}
