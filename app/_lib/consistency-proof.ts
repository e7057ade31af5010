import { bytesToHex } from "@/contracts/hex";
import { base64Decode, parseNote } from "@/contracts/note";
import { parseCheckpointBody } from "@/contracts/tlog-checkpoint";
import type { AcceptedCheckpoint } from "@/contracts/trust-policy";

/**
 * The consistency proof from the last checkpoint this browser accepted to the one in
 * `checkpointNote`, from the log's public endpoint. Nothing in it is trusted (the check verifies
 * it against both roots); when there is nothing to prove, or it cannot be fetched, null, and the
 * check says the proof is missing. The financing desk and the Signing keys page both ask it.
 */
export async function fetchConsistencyProofHex(lastAccepted: AcceptedCheckpoint | null, checkpointNote: unknown): Promise<string[] | null> {
  const note = typeof checkpointNote === "string" ? parseNote(checkpointNote) : null;
  const body = note?.ok ? parseCheckpointBody(note.note.text) : null;
  if (lastAccepted === null || !body?.ok || body.checkpoint.size <= lastAccepted.size) return null;
  try {
    const response = await fetch(`/api/ledger/consistency?old=${lastAccepted.size}&new=${body.checkpoint.size}`, { cache: "no-store" });
    if (!response.ok) return null;
    const answer = (await response.json()) as { proof?: unknown };
    if (!Array.isArray(answer.proof)) return null;
    const hashes = answer.proof.map((hash) => (typeof hash === "string" ? base64Decode(hash) : null));
    return hashes.every((hash) => hash !== null) ? hashes.map((hash) => bytesToHex(hash as Uint8Array)) : null;
  } catch {
    return null;
  }
}
