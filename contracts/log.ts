/**
 * Log entries: what each Merkle leaf of the ledger contains (docs/ledger.md "Log").
 *
 * A leaf is the canonical bytes of the entry, so anyone holding the entry (with amounts as
 * bigints or as decimal strings, which canonicalise identically) recomputes the same leaf hash.
 */
import { canonicalJson, canonicalJsonAround } from "./canonical";
import { committedTransaction } from "./split-commitments";
import { utf8ToBytes } from "./hex";
import { leafHash } from "./merkle";
import type { SignedTransaction } from "./transaction";

export interface LogEntry {
  /** Position in the log, from 0, without gaps. */
  leafIndex: number;
  /** The server's commit time; never decreases along the log. */
  acceptedAtMs: number;
  signed: SignedTransaction;
}

/**
 * The canonical JSON text of the entry. When its transaction is sealed (decoded), the text is
 * built around the transaction's remembered canonical text instead of canonicalising it again.
 */
export function logEntryJson(entry: LogEntry): string {
  return canonicalJsonAround(entry);
}

export function logEntryBytes(entry: LogEntry): Uint8Array {
  return utf8ToBytes(logEntryJson(entry));
}

/**
 * RFC 9162 leaf hash (SHA-256 of 0x00 || canonical bytes), 32 bytes. A split whose parts carry
 * commitments is hashed in its committed form (split-commitments.ts): the leaf commits to the
 * parts through their commitments, which bind their openings, so a bundle may show a part as
 * its commitments alone and keep the same leaf. The entry as stored (logEntryJson) keeps the
 * openings: witnesses and the full replay need them.
 */
export function logEntryLeafHash(entry: LogEntry): Uint8Array {
  const transaction = entry.signed.transaction;
  const committed = committedTransaction(transaction);
  if (committed === transaction) return leafHash(logEntryBytes(entry));
  // Every member of the entry is kept (an entry given a member it never had must not hash as the original).
  const hashed = { ...entry, signed: { ...entry.signed, transaction: committed } };
  return leafHash(utf8ToBytes(canonicalJson(hashed)));
}

/**
 * The entry with its decoded (sealed) transaction in place of the wire form, which has the
 * same canonical bytes, so hashing it reuses the transaction's canonical text: the schema is
 * strict and its only transform (decimal amount strings without leading zeros to bigints)
 * canonicalises back to the same text. An entry with other members than these three is
 * returned as it is, and hashed as it is.
 */
export function entryWithDecoded(entry: LogEntry, signed: SignedTransaction): LogEntry {
  const keys = Object.keys(entry);
  const plain = keys.length === 3 && "leafIndex" in entry && "acceptedAtMs" in entry && "signed" in entry;
  return plain ? { leafIndex: entry.leafIndex, acceptedAtMs: entry.acceptedAtMs, signed } : entry;
}
