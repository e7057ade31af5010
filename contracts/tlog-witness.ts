/**
 * The body of a C2SP tlog-witness `add-checkpoint` request, both ways:
 *
 *   old <size of the last checkpoint the witness cosigned>
 *   <base64 consistency proof hash>          (0 to 63 lines; none when old is 0)
 *   <blank line>
 *   <the signed checkpoint note>
 *
 * Pure and isomorphic: the witness parses it, the app (and tests) format it.
 */
import { SHA256_BYTES } from "./hex";
import { base64Decode, base64Encode } from "./note";

export const MAX_CONSISTENCY_PROOF_LINES = 63;
/** Content type of a 409 answer that tells the caller the size the witness last cosigned. */
export const TLOG_SIZE_CONTENT_TYPE = "text/x.tlog.size";

export interface AddCheckpointRequest {
  oldSize: number;
  consistencyProof: Uint8Array[];
  /** The checkpoint note, signatures included. */
  checkpointNote: string;
}

export type AddCheckpointParse = { ok: true; request: AddCheckpointRequest } | { ok: false; detail: string };

export function formatAddCheckpointRequest(request: AddCheckpointRequest): string {
  const proofLines = request.consistencyProof.map((hash) => `${base64Encode(hash)}\n`).join("");
  return `old ${request.oldSize}\n${proofLines}\n${request.checkpointNote}`;
}

export function parseAddCheckpointRequest(body: string): AddCheckpointParse {
  const headerEnd = body.indexOf("\n\n");
  if (headerEnd < 0) return { ok: false, detail: "the request has no blank line before the checkpoint" };
  const [oldLine = "", ...proofLines] = body.slice(0, headerEnd).split("\n");
  const match = /^old (0|[1-9][0-9]*)$/.exec(oldLine);
  if (match === null || !Number.isSafeInteger(Number(match[1]))) return { ok: false, detail: "the first line is \"old\" and a decimal size without leading zeroes" };
  if (proofLines.length > MAX_CONSISTENCY_PROOF_LINES) return { ok: false, detail: `at most ${MAX_CONSISTENCY_PROOF_LINES} consistency proof lines` };
  const consistencyProof: Uint8Array[] = [];
  for (const [index, line] of proofLines.entries()) {
    const hash = base64Decode(line);
    if (hash === null || hash.length !== SHA256_BYTES) return { ok: false, detail: `consistency proof line ${index + 1} is not base64 of 32 bytes` };
    consistencyProof.push(hash);
  }
  const oldSize = Number(match[1]);
  if (oldSize === 0 && consistencyProof.length > 0) return { ok: false, detail: "the proof is empty when the old size is 0" };
  return { ok: true, request: { oldSize, consistencyProof, checkpointNote: body.slice(headerEnd + 2) } };
}
