/**
 * The ledger export: the whole log and every checkpoint in one JSON file, which an auditor
 * replays with verifyLog (contracts/verify-log.ts) without trusting the platform.
 *
 * Entries stay in their wire form (amounts as decimal strings), exactly as their leaves were
 * hashed, so the parser checks shapes but never transforms a value: a value changed while
 * reading would change the leaf hash it is checked against. A malformed file is answered
 * with a failure naming the entry or checkpoint at fault, in the shape verifyLog uses, so a
 * CLI prints one kind of error whether the file is broken or the history is.
 */
import { z } from "zod";
import { canonicalJson } from "./canonical";
import type { SignedCheckpoint } from "./checkpoint";
import type { LogEntry } from "./log";
import { signedTransactionSchema } from "./ledger/schema";

export const LEDGER_EXPORT_FORMAT = "double-chain-ledger-export/1";

export interface LedgerExport {
  format: typeof LEDGER_EXPORT_FORMAT;
  /** The operator's Ed25519 public key: it signed the genesis entry and every checkpoint. */
  operatorPublicKeyHex: string;
  /** Every log entry, by leafIndex (wire form: amounts are decimal strings). */
  entries: LogEntry[];
  /** Every signed checkpoint, oldest first (one per committed block). */
  checkpoints: SignedCheckpoint[];
  /**
   * The same checkpoints as C2SP signed notes committing to the state root (issue 13), by
   * position in `checkpoints`; null for a checkpoint written before state roots. verifyLog
   * checks each note's signature, size, root and state root against its own replay.
   */
  notes?: (string | null)[];
}

/** Where a verification failed: the file as a whole, one entry (by position) or one checkpoint. */
export interface VerifyFailure {
  where: "entry" | "checkpoint" | "file";
  index: number;
  code: string;
  detail: string;
}

export type ParseExportResult = { ok: true; value: LedgerExport } | { ok: false; failure: VerifyFailure };

const hex = (length: number) => z.string().regex(new RegExp(`^[0-9a-f]{${length}}$`), `expected ${length} lowercase hex characters`);
const count = z.int().min(0);

const fileSchema = z
  .object({
    format: z.literal(LEDGER_EXPORT_FORMAT),
    operatorPublicKeyHex: hex(64),
    entries: z.array(z.unknown()),
    checkpoints: z.array(z.unknown()),
    notes: z.array(z.string().nullable()).optional(),
  })
  .strict();

// Strict objects: an unknown member would be hashed with the entry, yet dropped by any reader
// that decodes the schema, so two readers would disagree about the same leaf.
export const logEntryWireSchema = z.object({ leafIndex: count, acceptedAtMs: count, signed: signedTransactionSchema }).strict();

export const signedCheckpointSchema = z
  .object({
    checkpoint: z
      .object({ size: count, rootHash: hex(64), timestampMs: count, previousCheckpointHash: hex(64).nullable() })
      .strict(),
    keyId: hex(32),
    signatureHex: hex(128),
  })
  .strict();

/** Parses export JSON text; see parseLedgerExport. */
export function parseLedgerExportText(text: string): ParseExportResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, failure: { where: "file", index: 0, code: "file_not_json", detail } };
  }
  return parseLedgerExport(json);
}

/** Checks the shape of an untrusted export without changing any value it holds. */
export function parseLedgerExport(json: unknown): ParseExportResult {
  const file = fileSchema.safeParse(json);
  if (!file.success) return { ok: false, failure: { where: "file", index: 0, code: "file_malformed", detail: describeZodError(file.error) } };
  for (const [index, entry] of file.data.entries.entries()) {
    const parsed = logEntryWireSchema.safeParse(entry);
    if (!parsed.success) return { ok: false, failure: { where: "entry", index, code: "entry_malformed", detail: describeZodError(parsed.error) } };
  }
  for (const [index, checkpoint] of file.data.checkpoints.entries()) {
    const parsed = signedCheckpointSchema.safeParse(checkpoint);
    if (!parsed.success) {
      return { ok: false, failure: { where: "checkpoint", index, code: "checkpoint_malformed", detail: describeZodError(parsed.error) } };
    }
  }
  if (file.data.notes !== undefined && file.data.notes.length !== file.data.checkpoints.length) {
    return { ok: false, failure: { where: "file", index: 0, code: "file_malformed", detail: "notes: one per checkpoint (null where there is none)" } };
  }
  // Every member was validated above; the original values are kept untouched (see top).
  return { ok: true, value: json as LedgerExport };
}

/**
 * The export as file text: canonical JSON, so two exports of the same log are the same bytes
 * and can be compared or hashed. Entries hold wire strings, never bigints.
 */
export function serializeLedgerExport(exported: LedgerExport): string {
  return `${canonicalJson(exported)}\n`;
}

export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${formatPath(issue.path)}: ${issue.message}`)
    .join("; ");
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === "number" ? `${text}[${key}]` : `${text}.${String(key)}`), "$");
}
