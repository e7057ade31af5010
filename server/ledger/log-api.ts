import { and, asc, desc, eq, gte, lt } from "drizzle-orm";
import type { Db } from "@/db/client";
import { badRequest, notFound } from "../errors";
import { checkpointCosignatures, ledgerCheckpoints, ledgerEntries } from "@/db/schema";
import type { LogEntry } from "@/contracts/log";
import { base64Encode } from "@/contracts/note";
import { consistencyProofBetween, type ProvenanceStore } from "./provenance";

/*
 * What witnesses and verifying clients read from the app (issue 13), public and read-only:
 * nothing here is trusted by its reader, which checks it against signed checkpoints.
 *
 *   entries(start, end)      the log entries [start, end), wire form, at most 1,000
 *   checkpoint(size?)        the checkpoint note (the last one, or of that size) with its cosignatures
 *   consistency(old, new)    the RFC 9162 consistency proof between two sizes
 */

export const ENTRIES_PAGE_LIMIT = 1000;


function size(value: string | null, name: string): number {
  if (value === null || !/^(0|[1-9][0-9]{0,15})$/.test(value)) throw badRequest("log_size_invalid", `${name} is a non-negative integer`);
  return Number(value);
}

export async function logEntries(db: Db, params: URLSearchParams): Promise<{ entries: LogEntry[] }> {
  const start = size(params.get("start"), "start");
  const end = size(params.get("end"), "end");
  if (end < start) throw badRequest("log_range_invalid", "end is at least start");
  const rows = await db
    .select({ entryCanonical: ledgerEntries.entryCanonical })
    .from(ledgerEntries)
    .where(and(gte(ledgerEntries.leafIndex, start), lt(ledgerEntries.leafIndex, Math.min(end, start + ENTRIES_PAGE_LIMIT))))
    .orderBy(asc(ledgerEntries.leafIndex));
  return { entries: rows.map((row) => JSON.parse(row.entryCanonical) as LogEntry) };
}

export interface CheckpointAnswer {
  size: number;
  /** The signed note followed by every stored cosignature line. */
  note: string;
  cosigners: { name: string; timestampSeconds: number }[];
  /** Whether the deployment's quorum of configured witnesses cosigned it (final for lending). */
  final: boolean;
  quorum: number;
}

export async function logCheckpoint(db: Db, params: URLSearchParams, quorum: number): Promise<CheckpointAnswer> {
  const asked = params.get("size");
  const query = db.select().from(ledgerCheckpoints);
  const [row] = asked === null ? await query.orderBy(desc(ledgerCheckpoints.size)).limit(1) : await query.where(eq(ledgerCheckpoints.size, size(asked, "size")));
  if (!row || row.note === null) throw notFound("checkpoint_note_not_found", asked === null ? "the log has no checkpoint note yet" : `no checkpoint note of size ${asked}`);
  const lines = await db.select().from(checkpointCosignatures).where(eq(checkpointCosignatures.size, row.size)).orderBy(asc(checkpointCosignatures.witnessName));
  return {
    size: row.size,
    note: row.note + lines.map((line) => line.line).join(""),
    cosigners: lines.map((line) => ({ name: line.witnessName, timestampSeconds: line.timestampSeconds })),
    final: quorum > 0 && lines.length >= quorum,
    quorum,
  };
}

export async function logConsistency(db: Db, subtrees: ProvenanceStore, params: URLSearchParams): Promise<{ oldSize: number; newSize: number; proof: string[] }> {
  const oldSize = size(params.get("old"), "old");
  const newSize = size(params.get("new"), "new");
  const [head] = await db.select({ size: ledgerCheckpoints.size }).from(ledgerCheckpoints).orderBy(desc(ledgerCheckpoints.size)).limit(1);
  if (oldSize > newSize || newSize > (head?.size ?? 0)) throw badRequest("log_range_invalid", `need old <= new <= ${head?.size ?? 0} (the last checkpoint)`);
  const proof = oldSize === 0 || oldSize === newSize ? [] : await consistencyProofBetween(db, subtrees, oldSize, newSize);
  return { oldSize, newSize, proof: proof.map(base64Encode) };
}
