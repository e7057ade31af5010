import { eq, sql } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { isDatabaseFailure } from "@/db/availability";
import { ledgerCheckpoints, ledgerEntries, ledgerHead, signingKeys } from "@/db/schema";
import { canonicalJson } from "@/contracts/canonical";
import { checkpointHash, signCheckpoint, type Checkpoint, type SignedCheckpoint } from "@/contracts/checkpoint";
import { bytesToHex, hexToBytes, utf8ToBytes } from "@/contracts/hex";
import { logEntryJson, type LogEntry } from "@/contracts/log";
import { leafHash, MerkleFrontier, type SerializedFrontier } from "@/contracts/merkle";
import { transactionId } from "@/contracts/transaction";
import { applyTransaction, InvariantViolation, type ResultCode } from "@/contracts/ledger/apply";
import { decodeSignedTransaction, type WireSignedTransaction } from "@/contracts/ledger/schema";
import { mergePrefetchKeys, prefetchKeys, type MemoryState } from "@/contracts/ledger/state";
import type { LedgerEvent, SignedLedgerTransaction, StateChange } from "@/contracts/ledger/types";
import type { BatchSignatureVerifier, SignatureToCheck, SignatureVerifier } from "@/contracts/signing";
import { nodeVerifier } from "../crypto/node-verifier";
import { badRequest, DomainError } from "../errors";
import { loadPlatformKey, type PlatformKey } from "./platform-key";
import { GroupCommit } from "./group-commit";
import { inList, prefetchState, touchedClaimIds, writeChanges, writeRows } from "./repository";

/*
 * The ledger service: decode, verify signatures (before taking the lock), then, inside one
 * database transaction holding the log head's row lock, load what the block's contracts need,
 * apply them, append the log entries, write the new state and close the block with a signed
 * checkpoint. Appends are serialised by that lock, so of two transactions spending the
 * same claim exactly one wins and the other gets the contract's code.
 */

export type SubmitResult =
  | { status: "accepted"; txId: string; leafIndex: number; acceptedAtMs: number; events: LedgerEvent[]; duplicate: boolean }
  | { status: "refused"; txId: string | null; code: ResultCode | "malformed_transaction" | "transaction_id_conflict"; detail?: string };

export interface LedgerOptions {
  /** The commit clock; tests freeze it. Never decreases along the log (see nextAcceptedAtMs). */
  clock?: () => number;
  verifier?: SignatureVerifier;
}

interface Prepared {
  /** Decoded, so sealed: its id, signature digest and log leaf share one canonicalisation. */
  signed: SignedLedgerTransaction;
  txId: string;
}

/**
 * Submits one signed transaction (wire JSON); see submitBatch. Concurrent submissions in this
 * process are committed together (group commit): one that arrives while a block is being
 * committed waits for it and goes into the next block with every other one that arrived
 * meanwhile, so they share one lock, one commit and one checkpoint instead of queueing for
 * the head lock one by one. Each still gets its own answer.
 */
export function submitTransaction(db: Db, wire: unknown, options: LedgerOptions = {}): Promise<SubmitResult> {
  let queue = groupCommits.get(db);
  if (queue === undefined) groupCommits.set(db, (queue = new GroupCommit((wires, batchOptions) => submitBatch(db, wires, batchOptions), 500, isDatabaseFailure)));
  return queue.submit(wire, options);
}

const groupCommits = new WeakMap<Db, GroupCommit<unknown, LedgerOptions, SubmitResult>>();

/**
 * Submits signed transactions in order as one block: each is accepted or refused on its own
 * (a refusal writes nothing), and the accepted ones are committed together and closed by one
 * checkpoint. Resubmitting an accepted transaction returns its original leaf (idempotent).
 *
 * Inside the head lock the block's rows are loaded once (the union of what its transactions
 * need), the transactions are applied in order to that in-memory state, and what they wrote
 * goes to the database as one statement per table, with the log entries and the checkpoint,
 * in the same database transaction.
 */
export async function submitBatch(db: Db, wires: readonly unknown[], options: LedgerOptions = {}): Promise<SubmitResult[]> {
  const clock = options.clock ?? Date.now;
  const prepared = wires.map(prepare);
  const verified = await preverifySignatures(db, prepared, options.verifier);
  const platformKey = await loadPlatformKey(db);
  try {
    return await db.transaction(async (tx) => {
      const head = await lockHead(tx);
      const block = await openBlock(tx, prepared.filter((item): item is Prepared => !("status" in item)));
      const results = prepared.map((item) => ("status" in item ? item : appendOne(block, head, item, clock, verified)));
      await writeRows(tx, ledgerEntries, block.entries);
      await writeChanges(tx, block.changes);
      await closeBlock(tx, head, platformKey, clock);
      return results;
    });
  } catch (error) {
    throw translateDatabaseError(error);
  }
}

function prepare(wire: unknown): Prepared | SubmitResult {
  const decoded = decodeSignedTransaction(wire);
  if (!decoded.ok) {
    return { status: "refused", txId: null, code: "malformed_transaction", detail: decoded.issues.map((i) => `${i.path}: ${i.message}`).join("; ") };
  }
  const signed = decoded.value;
  return { signed, txId: transactionId(signed.transaction) };
}

/**
 * Where the signature checks before the lock run when the caller names no verifier: this
 * thread (nodeVerifier), or a pool of worker threads (setBatchSignatureVerifier), so that a
 * block's checks run on another core while this one applies the block in flight.
 */
let batchVerifier: BatchSignatureVerifier | null = null;

/** Sends the service's signature checks to `verifier` (openVerifyPool's), or back to this thread with null. */
export function setBatchSignatureVerifier(verifier: BatchSignatureVerifier | null): void {
  batchVerifier = verifier;
}

/**
 * Checks the signatures outside the lock, where they cost no one else time. The contract
 * checks them again inside through this cache, so nothing unverified is ever applied.
 */
async function preverifySignatures(db: Db, items: readonly (Prepared | SubmitResult)[], verifier: SignatureVerifier | undefined): Promise<SignatureVerifier> {
  const fallback = verifier ?? nodeVerifier;
  const cacheKey = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) =>
    `${bytesToHex(publicKey)}:${bytesToHex(message)}:${bytesToHex(signature)}`;
  const keyIds = items.flatMap((item) => ("status" in item ? [] : [item.signed.transaction.signer.keyId, ...item.signed.cosignatures.map((c) => c.keyId)]));
  const rows = keyIds.length ? await db.select({ keyId: signingKeys.keyId, publicKeyHex: signingKeys.publicKeyHex }).from(signingKeys).where(inList(signingKeys.keyId, [...new Set(keyIds)])) : [];
  const publicKeys = new Map(rows.map((r) => [r.keyId, r.publicKeyHex]));
  const checks: SignatureToCheck[] = [];
  for (const item of items) {
    if ("status" in item) continue;
    const body = item.signed.transaction.body as { publicKeyHex?: string; keyId?: string; newKeyId?: string; newPublicKeyHex?: string };
    if (body.keyId && body.publicKeyHex) publicKeys.set(body.keyId, body.publicKeyHex);
    if (body.newKeyId && body.newPublicKeyHex) publicKeys.set(body.newKeyId, body.newPublicKeyHex);
    const message = hexToBytes(item.txId, 32); // the id is the hex of the digest that is signed
    const signatures = [{ keyId: item.signed.transaction.signer.keyId, signatureHex: item.signed.signatureHex }, ...item.signed.cosignatures];
    for (const { keyId, signatureHex } of signatures) {
      const publicKeyHex = publicKeys.get(keyId);
      if (!publicKeyHex || !/^[0-9a-f]{64}$/.test(publicKeyHex)) continue;
      checks.push({ publicKey: hexToBytes(publicKeyHex, 32), message, signature: hexToBytes(signatureHex, 64) });
    }
  }
  const answers = await checkSignatures(checks, verifier === undefined ? batchVerifier : null, fallback);
  const ok = new Set(checks.filter((_, index) => answers[index]).map((check) => cacheKey(check.publicKey, check.message, check.signature)));
  return (publicKey, message, signature) => ok.has(cacheKey(publicKey, message, signature)) || fallback(publicKey, message, signature);
}

async function checkSignatures(checks: readonly SignatureToCheck[], batch: BatchSignatureVerifier | null, verifier: SignatureVerifier): Promise<boolean[]> {
  const here = () => checks.map((check) => verifier(check.publicKey, check.message, check.signature));
  if (batch === null || checks.length === 0) return here();
  try {
    const run = batch();
    for (const check of checks) run.add(check);
    return await run.answers();
  } catch (error) {
    // A pool that fails (a worker died) costs time, never a submission: check them here.
    console.error("[ledger] signature pool failed; checking on this thread:", error instanceof Error ? error.message : error);
    return here();
  }
}

interface Head {
  size: number;
  frontier: MerkleFrontier;
  lastAcceptedAtMs: number;
  lastCheckpointHash: string | null;
  lastCheckpointSize: number;
}

async function lockHead(tx: Tx): Promise<Head> {
  const [row] = await tx.select().from(ledgerHead).where(eq(ledgerHead.id, 1)).for("update");
  if (!row) throw new Error("ledger_head row missing: run the migrations");
  return {
    size: row.size,
    frontier: MerkleFrontier.deserialize(row.frontier as SerializedFrontier),
    lastAcceptedAtMs: row.lastAcceptedAtMs,
    lastCheckpointHash: row.lastCheckpointHash,
    lastCheckpointSize: row.lastCheckpointSize,
  };
}

/** What one block holds while it is built: the state its transactions see and what they wrote. */
interface Block {
  state: MemoryState;
  /** Entries already in the log, by txId, among those submitted (resubmissions). */
  existing: Map<string, EntryRow>;
  /** Accepted in this block, by txId: a second copy in the same block is a resubmission. */
  accepted: Map<string, EntryRow>;
  entries: EntryRow[];
  changes: StateChange[];
}

/** Loads, in one set of queries, what the block's new transactions need. */
async function openBlock(tx: Tx, items: readonly Prepared[]): Promise<Block> {
  const txIds = [...new Set(items.map((item) => item.txId))];
  const rows = txIds.length ? await tx.select().from(ledgerEntries).where(inList(ledgerEntries.txId, txIds)) : [];
  const existing = new Map(rows.map((row) => [row.txId, row]));
  const fresh = items.filter((item) => !existing.has(item.txId));
  const state = await prefetchState(tx, mergePrefetchKeys(fresh.map((item) => prefetchKeys(item.signed))));
  return { state, existing, accepted: new Map(), entries: [], changes: [] };
}

function appendOne(block: Block, head: Head, item: Prepared, clock: () => number, verifier: SignatureVerifier): SubmitResult {
  const earlier = block.existing.get(item.txId) ?? block.accepted.get(item.txId);
  if (earlier) return replayResult(earlier, item);
  const acceptedAtMs = Math.max(clock(), head.lastAcceptedAtMs);
  const outcome = applyTransaction(block.state, item.signed, { nowMs: acceptedAtMs, txId: item.txId, verifier });
  if (!outcome.ok) return { status: "refused", txId: item.txId, code: outcome.code, ...(outcome.detail ? { detail: outcome.detail } : {}) };
  block.state.applyChanges(outcome.changes);
  // The sealed transaction canonicalises exactly as its wire form (amounts become decimal strings).
  const entry: LogEntry = { leafIndex: head.size, acceptedAtMs, signed: item.signed };
  const entryCanonical = logEntryJson(entry);
  const hash = leafHash(utf8ToBytes(entryCanonical)); // the leaf is the entry's canonical bytes
  const row: EntryRow = {
    leafIndex: entry.leafIndex,
    txId: item.txId,
    type: item.signed.transaction.type,
    signerOrgId: item.signed.transaction.signer.orgId,
    signerKeyId: item.signed.transaction.signer.keyId,
    acceptedAtMs,
    entryCanonical,
    leafHash: bytesToHex(hash),
    claimIds: touchedClaimIds(outcome.changes),
  };
  block.entries.push(row);
  block.accepted.set(item.txId, row);
  block.changes.push(...outcome.changes);
  head.frontier.append(hash);
  head.size += 1;
  head.lastAcceptedAtMs = acceptedAtMs;
  return { status: "accepted", txId: item.txId, leafIndex: entry.leafIndex, acceptedAtMs, events: outcome.events, duplicate: false };
}

type EntryRow = typeof ledgerEntries.$inferSelect;

/** The same transaction again gets its original answer; the same id with other signatures is refused. */
function replayResult(existing: EntryRow, item: Prepared): SubmitResult {
  const stored = JSON.parse(existing.entryCanonical) as { signed: WireSignedTransaction };
  const sameSignatures = canonicalJson({ s: stored.signed.signatureHex, c: stored.signed.cosignatures }) === canonicalJson({ s: item.signed.signatureHex, c: item.signed.cosignatures });
  if (!sameSignatures) {
    return { status: "refused", txId: item.txId, code: "transaction_id_conflict", detail: `transaction ${item.txId} is already in the log with other signatures` };
  }
  return { status: "accepted", txId: item.txId, leafIndex: existing.leafIndex, acceptedAtMs: existing.acceptedAtMs, events: [], duplicate: true };
}

/** Ends the block: a checkpoint over the new size, signed by the operator key and linked to the previous one. */
async function closeBlock(tx: Tx, head: Head, platformKey: PlatformKey, clock: () => number): Promise<void> {
  if (head.size === head.lastCheckpointSize) return;
  const checkpoint: Checkpoint = {
    size: head.size,
    rootHash: bytesToHex(head.frontier.root()),
    timestampMs: Math.max(clock(), head.lastAcceptedAtMs),
    previousCheckpointHash: head.lastCheckpointHash,
  };
  const signed = signCheckpoint(checkpoint, platformKey.keyId, platformKey.privateKey);
  const hash = checkpointHash(checkpoint);
  await tx.insert(ledgerCheckpoints).values({ ...checkpoint, checkpointHash: hash, keyId: signed.keyId, signatureHex: signed.signatureHex });
  await tx
    .update(ledgerHead)
    .set({ size: head.size, frontier: head.frontier.serialize(), lastAcceptedAtMs: head.lastAcceptedAtMs, lastCheckpointHash: hash, lastCheckpointSize: head.size })
    .where(eq(ledgerHead.id, 1));
}

export async function latestCheckpoint(db: Db): Promise<SignedCheckpoint | null> {
  const [row] = await db.select().from(ledgerCheckpoints).orderBy(sql`${ledgerCheckpoints.size} desc`).limit(1);
  if (!row) return null;
  return {
    checkpoint: { size: row.size, rootHash: row.rootHash, timestampMs: row.timestampMs, previousCheckpointHash: row.previousCheckpointHash },
    keyId: row.keyId,
    signatureHex: row.signatureHex,
  };
}

/**
 * A database constraint refusing a write means the service and the contracts disagree: a
 * bug, never a user error. It surfaces as its own code so nobody mistakes it for bad input.
 */
function translateDatabaseError(error: unknown): unknown {
  if (error instanceof DomainError || error instanceof InvariantViolation) return error;
  const message = error instanceof Error ? `${error.message} ${String((error as { cause?: unknown }).cause ?? "")}` : String(error);
  if (/invariant_violated|violates (check|unique|foreign key) constraint|ledger_append_only/.test(message)) {
    return new DomainError("conflict", "invariant_violated", "The ledger refused a write that would break an invariant. Nothing was changed.", { reason: message.slice(0, 300) });
  }
  return error;
}

export function requireAccepted(result: SubmitResult): Extract<SubmitResult, { status: "accepted" }> {
  if (result.status !== "accepted") throw badRequest(result.code, `The ledger refused the transaction: ${result.code}${result.detail ? ` (${result.detail})` : ""}`);
  return result;
}
