import { and, count, desc, eq, gte, inArray, ne, or } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db, DbOrTx } from "@/db/client";
import { creditLines, ledgerEntries, organisations, pendingApprovals, signingKeys, users, type PendingApprovalStatus } from "@/db/schema";
import { CREATED_AT_TOLERANCE_MS } from "@/contracts/ledger/apply";
import { isApprovedType } from "@/contracts/ledger/approvals";
import { decodeSignedTransaction, encodeSignedTransaction, type SealedTransaction, type WireSignedTransaction } from "@/contracts/ledger/schema";
import type { RefusalCode } from "@/contracts/ledger/refusals";
import type { Cosignature } from "@/contracts/transaction";
import { transactionId } from "@/contracts/transaction";
import type { Actor } from "../actor";
import { assertAllowed, canApprove, canSeeApprovals, canSubmitFor, canSubmitType } from "../authz";
import { badRequest, conflict, forbidden, notFound } from "../errors";
import { newId } from "../ids";
import { dryRun, submitTransaction, type LedgerOptions, type LedgerSubmitter, type SubmitResult } from "../ledger/service";
import { writeNotifications, type NotificationDraft } from "./notifications";

/*
 * The approvals queue (maker-checker, 复核). A maker's browser signs a transaction as usual;
 * when the ledger would refuse it only for want of an approval (approval_missing, asked by a
 * dry run against the state now), the signed envelope waits here instead of on the ledger. An
 * approver (or admin) of the same organisation, another person, cosigns its transaction id
 * in his own browser; the server adds the cosignature and submits it through the normal path.
 * The contracts stay the judge of every approval: a refusal is shown with its code.
 *
 * Nonces: the held envelope's nonce is unused on the ledger until it is accepted, and the
 * maker's later transactions carry nonces of their own, so nothing held blocks him. It is
 * accepted at most once (the ledger answers a resubmission from the log), never after the
 * ledger's 24-hour window for its createdAtMs (expired), and never once the state moved so that
 * the ledger refuses it for another reason (superseded, with the refusal's code).
 */

export interface ApprovalServiceOptions extends LedgerOptions {
  clock?: () => number;
  /** The runtime's group-committing submitter (the API passes it); alone without it. */
  ledger?: LedgerSubmitter;
}

export interface ApprovalDto {
  id: string;
  orgId: string;
  txId: string;
  type: string;
  status: PendingApprovalStatus;
  preparedBy: { userId: string; name: string };
  /** True when the caller prepared it (he may withdraw it, never approve it). */
  mine: boolean;
  createdAtMs: number;
  signedAtMs: number;
  /** The ledger refuses the transaction after this (its createdAtMs plus 24 hours). */
  expiresAtMs: number;
  decidedAtMs: number | null;
  decidedBy: { userId: string; name: string } | null;
  reason: string | null;
  refusalCode: string | null;
  leafIndex: number | null;
  /** Names of the organisations its body refers to, by field (toOrgId -> name; creditLineId -> the lender's name). */
  summary: Record<string, string>;
  /** The approvals gathered so far (keys that cosigned). */
  cosignedBy: string[];
  /** Exactly what was signed, in wire form (amounts as decimal strings). */
  signed: WireSignedTransaction;
}

export interface ApprovalDecision {
  approval: ApprovalDto;
  /** The ledger's answer to this approval; null when nothing was submitted (a rejection, or an item already approved). */
  ledger: SubmitResult | null;
}

const preparer = alias(users, "preparer");
const decider = alias(users, "decider");

function approvalQuery(db: DbOrTx) {
  return db
    .select({ row: pendingApprovals, preparerName: preparer.name, deciderName: decider.name })
    .from(pendingApprovals)
    .innerJoin(preparer, eq(preparer.id, pendingApprovals.preparedByUserId))
    .leftJoin(decider, eq(decider.id, pendingApprovals.decidedByUserId))
    .$dynamic();
}

type ApprovalRow = { row: typeof pendingApprovals.$inferSelect; preparerName: string; deciderName: string | null };

function toDto(actor: Actor, { row, preparerName, deciderName }: ApprovalRow, nowMs: number): ApprovalDto {
  const signed = row.signedTransaction as WireSignedTransaction;
  const expiresAtMs = row.signedAtMs + CREATED_AT_TOLERANCE_MS;
  return {
    id: row.id,
    orgId: row.orgId,
    txId: row.txId,
    type: row.type,
    // Past the ledger's window nobody can submit it; shown as expired before anyone tries.
    status: row.status === "pending" && nowMs > expiresAtMs ? "expired" : row.status,
    preparedBy: { userId: row.preparedByUserId, name: preparerName },
    mine: row.preparedByUserId === actor.userId,
    createdAtMs: row.createdAtMs,
    signedAtMs: row.signedAtMs,
    expiresAtMs,
    decidedAtMs: row.decidedAtMs,
    decidedBy: row.decidedByUserId === null ? null : { userId: row.decidedByUserId, name: deciderName ?? "" },
    reason: row.reason,
    refusalCode: row.refusalCode,
    leafIndex: row.leafIndex,
    summary: row.summary,
    cosignedBy: signed.cosignatures.map((c) => c.keyId),
    signed,
  };
}

async function loadApproval(db: DbOrTx, actor: Actor, id: string, nowMs: number): Promise<ApprovalDto> {
  const [row] = await approvalQuery(db).where(eq(pendingApprovals.id, id));
  // Another organisation's item is "not found", as if it did not exist.
  if (!row || !canSeeApprovals(actor, row.row.orgId)) throw notFound("approval_not_found", "No such transaction waiting for approval.");
  return toDto(actor, row, nowMs);
}

/** Names of the organisations a body refers to (every field ending in OrgId), for the queue's words. */
async function summaryOf(db: DbOrTx, signed: SealedTransaction): Promise<Record<string, string>> {
  const body = signed.transaction.body as unknown as Record<string, unknown>;
  const fields = Object.entries(body).filter((entry): entry is [string, string] => entry[0].endsWith("OrgId") && typeof entry[1] === "string");
  // A credit line is shown by its lender's name.
  if (typeof body.creditLineId === "string") {
    const [line] = await db.select({ lenderOrgId: creditLines.lenderOrgId }).from(creditLines).where(eq(creditLines.id, body.creditLineId));
    if (line) fields.push(["creditLineId", line.lenderOrgId]);
  }
  if (fields.length === 0) return {};
  const rows = await db.select({ id: organisations.id, name: organisations.name }).from(organisations).where(inArray(organisations.id, fields.map(([, id]) => id)));
  const names = new Map(rows.map((r) => [r.id, r.name]));
  return Object.fromEntries(fields.flatMap(([field, id]) => (names.has(id) ? [[field, names.get(id)!]] : [])));
}

/** What the notifications say the item is (notifications.kinds.approval*: a select on it). */
function subjectOf(type: string): string {
  return type.replace(".", "_");
}

/** The organisation's people who may approve an item of `type`, but not its maker. */
async function approversOf(db: DbOrTx, item: { orgId: string; type: string; preparedByUserId: string }): Promise<string[]> {
  const people = await db.select({ id: users.id, permission: users.permission }).from(users).where(and(eq(users.orgId, item.orgId), eq(users.status, "active"), ne(users.id, item.preparedByUserId)));
  const wanted = item.type === "key.revoke" || item.type === "approvalPolicy.set" ? ["admin"] : ["approver", "admin"];
  return people.filter((p) => wanted.includes(p.permission)).map((p) => p.id);
}

/**
 * Holds a transaction the caller's browser signed that needs an approval: it must be signed
 * by the caller's own key, of a kind that takes approvals, and the ledger, asked now, must
 * refuse it only with approval_missing. Holding the same transaction twice holds it once.
 */
export async function holdForApproval(db: Db, actor: Actor, wire: unknown, options: ApprovalServiceOptions = {}): Promise<ApprovalDto> {
  const nowMs = (options.clock ?? Date.now)();
  const decoded = decodeSignedTransaction(wire);
  if (!decoded.ok) throw badRequest("malformed_transaction", decoded.issues.map((i) => `${i.path}: ${i.message}`).join("; "));
  const signed = decoded.value;
  const { type, signer } = signed.transaction;
  assertAllowed(canSubmitFor(actor, signer.orgId), "You can only prepare transactions signed for your own organisation, with the maker permission or above.");
  assertAllowed(canSubmitType(actor, type), "Only an admin of the lender can change its credit lines or auto-financing policies.");
  if (!isApprovedType(type)) throw badRequest("approval_not_applicable", "This kind of transaction takes no approvals: submit it directly.");
  const [key] = await db.select({ holderUserId: signingKeys.holderUserId }).from(signingKeys).where(eq(signingKeys.keyId, signer.keyId));
  if (key?.holderUserId !== actor.userId) throw forbidden("approval_not_your_key", "Only the person whose key signed a transaction can hold it for approval.");
  const txId = transactionId(signed.transaction);
  const [existing] = await db.select({ id: pendingApprovals.id }).from(pendingApprovals).where(eq(pendingApprovals.txId, txId));
  if (existing) return loadApproval(db, actor, existing.id, nowMs);
  const answer = await dryRun(db, signed, nowMs, options.verifier);
  if ("ok" in answer) throw badRequest("approval_not_needed", "Your organisation's policy needs no approval for this: submit it directly.");
  if (answer.code !== "approval_missing") throw badRequest(`ledger_${answer.code}`, answer.text);
  const id = newId("apr");
  const summary = await summaryOf(db, signed);
  await db.transaction(async (tx) => {
    const inserted = await tx
      .insert(pendingApprovals)
      .values({ id, orgId: signer.orgId, preparedByUserId: actor.userId, txId, type, signedTransaction: encodeSignedTransaction(signed), summary, signedAtMs: signed.transaction.createdAtMs, createdAtMs: nowMs })
      .onConflictDoNothing({ target: pendingApprovals.txId })
      .returning({ id: pendingApprovals.id });
    if (inserted.length === 0) return;
    const approvers = await approversOf(tx, { orgId: signer.orgId, type, preparedByUserId: actor.userId });
    await writeNotifications(tx, [notice(signer.orgId, "approvalRequested", txId, { maker: actor.name, subject: subjectOf(type) }, nowMs, approvers)], nowMs);
  });
  const [row] = await db.select({ id: pendingApprovals.id }).from(pendingApprovals).where(eq(pendingApprovals.txId, txId));
  return loadApproval(db, actor, row!.id, nowMs);
}

function notice(orgId: string, kind: NotificationDraft["kind"], txId: string, params: Record<string, string>, nowMs: number, onlyUserIds: readonly string[]): NotificationDraft {
  return { orgId, category: "decision", kind, subject: "approvals", subjectId: null, params, dedupeKey: `approval:${txId}:${kind}`, occurredAtMs: nowMs, onlyUserIds };
}

export interface ApprovalLists {
  /** What waits for the caller's approval (others' items, pending); empty for a maker. */
  waiting: ApprovalDto[];
  /** What the caller prepared, newest first. */
  mine: ApprovalDto[];
  /** The organisation's items decided lately, newest first. */
  decided: ApprovalDto[];
}

const RECENT = 50;

/** The caller's organisation's queue: only its own people see it. */
export async function listApprovals(db: DbOrTx, actor: Actor, nowMs: number): Promise<ApprovalLists> {
  assertAllowed(canSeeApprovals(actor, actor.orgId), "Only the people of an organisation who prepare or approve transactions see its approvals.");
  const pending = await approvalQuery(db)
    .where(and(eq(pendingApprovals.orgId, actor.orgId), eq(pendingApprovals.status, "pending")))
    .orderBy(desc(pendingApprovals.createdAtMs))
    .limit(200);
  const recent = await approvalQuery(db)
    .where(and(eq(pendingApprovals.orgId, actor.orgId), or(eq(pendingApprovals.preparedByUserId, actor.userId), ne(pendingApprovals.status, "pending"))))
    .orderBy(desc(pendingApprovals.createdAtMs))
    .limit(RECENT * 2);
  const pendingDtos = pending.map((row) => toDto(actor, row, nowMs));
  const recentDtos = recent.map((row) => toDto(actor, row, nowMs));
  return {
    waiting: pendingDtos.filter((item) => !item.mine && item.status === "pending" && canApprove(actor, item)).map((item) => item),
    mine: [...pendingDtos.filter((item) => item.mine), ...recentDtos.filter((item) => item.mine && !pendingDtos.some((p) => p.id === item.id))].slice(0, RECENT),
    decided: recentDtos.filter((item) => item.status !== "pending").slice(0, RECENT),
  };
}

/** How many items wait for the caller's approval (the navigation's count). */
export async function countWaiting(db: DbOrTx, actor: Actor, nowMs: number): Promise<number> {
  if (!canSeeApprovals(actor, actor.orgId)) return 0;
  // Asked every 30 s by every open page: counted in the database, by type (whether the caller may approve depends on it), not by building the queue.
  const byType = await db
    .select({ type: pendingApprovals.type, n: count() })
    .from(pendingApprovals)
    .where(and(eq(pendingApprovals.orgId, actor.orgId), eq(pendingApprovals.status, "pending"), ne(pendingApprovals.preparedByUserId, actor.userId), gte(pendingApprovals.signedAtMs, nowMs - CREATED_AT_TOLERANCE_MS)))
    .groupBy(pendingApprovals.type);
  return byType.reduce((sum, { type, n }) => sum + (canApprove(actor, { orgId: actor.orgId, type }) ? n : 0), 0);
}

export async function getApproval(db: DbOrTx, actor: Actor, id: string, nowMs: number): Promise<ApprovalDto> {
  return loadApproval(db, actor, id, nowMs);
}

async function pendingRow(db: DbOrTx, actor: Actor, id: string): Promise<typeof pendingApprovals.$inferSelect> {
  const [row] = await db.select().from(pendingApprovals).where(eq(pendingApprovals.id, id));
  if (!row || !canSeeApprovals(actor, row.orgId)) throw notFound("approval_not_found", "No such transaction waiting for approval.");
  return row;
}

/** Refusals that are the approver's to fix (his key, its role, his signature): the item stays pending. */
const APPROVER_PROBLEMS: readonly RefusalCode[] = ["approval_wrong_organisation", "approver_key_not_active", "cosigner_role_not_allowed", "approval_by_signer", "approval_invalid"];

/**
 * An approver's approval: his browser's cosignature over the transaction id, added to the
 * stored envelope and submitted. Approving an item already approved answers with it and
 * submits nothing; the maker never approves his own.
 */
export async function approveTransaction(db: Db, actor: Actor, input: { id: string; cosignature: Cosignature }, options: ApprovalServiceOptions = {}): Promise<ApprovalDecision> {
  const nowMs = (options.clock ?? Date.now)();
  const row = await pendingRow(db, actor, input.id);
  assertAllowed(canApprove(actor, row), row.type === "key.revoke" || row.type === "approvalPolicy.set" ? "Only an admin of the organisation approves changes to its keys and its approval policy." : "Only an approver or an admin of the organisation approves what its makers prepared.");
  if (row.preparedByUserId === actor.userId) throw forbidden("approval_by_maker", "You prepared this transaction: another person of your organisation must approve it.");
  if (row.status === "approved") return { approval: await loadApproval(db, actor, row.id, nowMs), ledger: null };
  if (row.status !== "pending") throw conflict("approval_already_decided", `This transaction was already ${row.status}.`);
  if (input.cosignature.orgId !== row.orgId) throw badRequest("approval_wrong_organisation", "An approval is signed with a key of the organisation that prepared the transaction.");
  const [key] = await db.select({ holderUserId: signingKeys.holderUserId }).from(signingKeys).where(eq(signingKeys.keyId, input.cosignature.keyId));
  if (key?.holderUserId !== actor.userId) throw forbidden("approval_not_your_key", "Approve with your own signing key.");
  const stored = decodeSignedTransaction(row.signedTransaction);
  if (!stored.ok) throw new Error(`pending approval ${row.id}: stored transaction does not decode`);
  const cosignatures = [...stored.value.cosignatures.filter((c) => c.keyId !== input.cosignature.keyId), input.cosignature];
  const cosigned = decodeSignedTransaction(encodeSignedTransaction({ ...stored.value, cosignatures }));
  if (!cosigned.ok) throw badRequest("malformed_transaction", cosigned.issues.map((i) => `${i.path}: ${i.message}`).join("; "));
  const { ledger, ...ledgerOptions } = options;
  const result = ledger ? await ledger.submit(cosigned.value, ledgerOptions) : await submitTransaction(db, cosigned.value, ledgerOptions);
  await recordAnswer(db, actor, row, encodeSignedTransaction(cosigned.value), result, nowMs);
  return { approval: await loadApproval(db, actor, row.id, nowMs), ledger: result };
}

/** What the ledger's answer makes of the item; every write is a compare-and-set on "pending", so of two approvers one records it. */
async function recordAnswer(db: Db, actor: Actor, row: typeof pendingApprovals.$inferSelect, cosigned: WireSignedTransaction, result: SubmitResult, nowMs: number): Promise<void> {
  const stillPending = and(eq(pendingApprovals.id, row.id), eq(pendingApprovals.status, "pending"));
  const tell = (kind: NotificationDraft["kind"], params: Record<string, string> = {}) =>
    writeNotifications(db, [notice(row.orgId, kind, row.txId, { approver: actor.name, subject: subjectOf(row.type), ...params }, nowMs, [row.preparedByUserId])], nowMs);
  if (result.status === "accepted") {
    const updated = await db.update(pendingApprovals).set({ status: "approved", signedTransaction: cosigned, decidedAtMs: nowMs, decidedByUserId: actor.userId, leafIndex: result.leafIndex }).where(stillPending).returning({ id: pendingApprovals.id });
    if (updated.length > 0) await tell("approvalApproved");
    return;
  }
  if (result.code === "transaction_id_conflict") {
    // Another approver's approval reached the ledger first (with other cosignatures): it is approved.
    const [entry] = await db.select({ leafIndex: ledgerEntries.leafIndex }).from(ledgerEntries).where(eq(ledgerEntries.txId, row.txId));
    if (entry) await db.update(pendingApprovals).set({ status: "approved", decidedAtMs: nowMs, decidedByUserId: actor.userId, leafIndex: entry.leafIndex }).where(stillPending);
    return;
  }
  // Too few admins yet (a change needing several): this approval is kept, every cosignature having verified.
  if (result.code === "approval_missing") return void (await db.update(pendingApprovals).set({ signedTransaction: cosigned }).where(stillPending));
  if (APPROVER_PROBLEMS.includes(result.code)) return;
  const status = result.code === "created_at_out_of_range" ? "expired" : "superseded";
  const updated = await db.update(pendingApprovals).set({ status, refusalCode: result.code, decidedAtMs: nowMs, decidedByUserId: actor.userId }).where(stillPending).returning({ id: pendingApprovals.id });
  if (updated.length > 0) await tell("approvalSuperseded", { code: result.code });
}

/** An approver's rejection, with his reason: the transaction is never submitted. */
export async function rejectTransaction(db: Db, actor: Actor, input: { id: string; reason: string }, options: ApprovalServiceOptions = {}): Promise<ApprovalDecision> {
  const nowMs = (options.clock ?? Date.now)();
  const row = await pendingRow(db, actor, input.id);
  assertAllowed(canApprove(actor, row), "Only an approver or an admin of the organisation rejects what its makers prepared.");
  if (row.preparedByUserId === actor.userId) throw forbidden("approval_by_maker", "You prepared this transaction: withdraw it instead.");
  const reason = input.reason.trim();
  if (reason.length === 0) throw badRequest("approval_reason_missing", "Say why you reject it: the maker reads your reason.");
  const updated = await db
    .update(pendingApprovals)
    .set({ status: "rejected", reason, decidedAtMs: nowMs, decidedByUserId: actor.userId })
    .where(and(eq(pendingApprovals.id, row.id), eq(pendingApprovals.status, "pending")))
    .returning({ id: pendingApprovals.id });
  if (updated.length === 0) throw conflict("approval_already_decided", "This transaction was already decided.");
  await writeNotifications(db, [notice(row.orgId, "approvalRejected", row.txId, { approver: actor.name, subject: subjectOf(row.type), reason }, nowMs, [row.preparedByUserId])], nowMs);
  return { approval: await loadApproval(db, actor, row.id, nowMs), ledger: null };
}

/** The maker withdraws what he prepared: it is never submitted. */
export async function withdrawTransaction(db: Db, actor: Actor, input: { id: string }, options: ApprovalServiceOptions = {}): Promise<ApprovalDecision> {
  const nowMs = (options.clock ?? Date.now)();
  const row = await pendingRow(db, actor, input.id);
  assertAllowed(row.preparedByUserId === actor.userId, "Only the person who prepared a transaction withdraws it.");
  const updated = await db
    .update(pendingApprovals)
    .set({ status: "withdrawn", decidedAtMs: nowMs, decidedByUserId: actor.userId })
    .where(and(eq(pendingApprovals.id, row.id), eq(pendingApprovals.status, "pending")))
    .returning({ id: pendingApprovals.id });
  if (updated.length === 0) throw conflict("approval_already_decided", "This transaction was already decided.");
  return { approval: await loadApproval(db, actor, row.id, nowMs), ledger: null };
}
