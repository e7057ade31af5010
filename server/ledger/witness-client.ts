/**
 * The log's side of C2SP tlog-witness: asks a witness to cosign a checkpoint, as the app will
 * after each block (docs/witness.md, "What remains"). The caller says which size it believes
 * the witness last cosigned; a 409 text/x.tlog.size answer names the real one, and the request
 * is made once more with a consistency proof from there. A cosignature is returned only after
 * it verified under the witness's pinned key: a witness's answer is checked like anything else.
 */
import { formatSignatureLine, parseNote, parseSignatureLine, signaturesByKey, verifyNoteSignature, type NoteVerifierKey } from "@/contracts/note";
import type { SignatureVerifier } from "@/contracts/signing";
import { formatAddCheckpointRequest, TLOG_SIZE_CONTENT_TYPE } from "@/contracts/tlog-witness";

export interface WitnessEndpoint {
  /** The witness's submission prefix, e.g. http://127.0.0.1:4181 (add-checkpoint is appended). */
  url: string;
  key: NoteVerifierKey;
}

export type CosignatureAnswer =
  | { ok: true; line: string; timestampSeconds: number }
  | { ok: false; status: number; detail: string };

export async function requestCosignature(
  endpoint: WitnessEndpoint,
  checkpointNote: string,
  oldSize: number,
  consistencyProofFrom: (oldSize: number) => Uint8Array[] | Promise<Uint8Array[]>,
  verifier: SignatureVerifier,
  fetchImpl: typeof fetch = fetch,
): Promise<CosignatureAnswer> {
  let answer = await post(endpoint, checkpointNote, oldSize, consistencyProofFrom, fetchImpl);
  if (answer.status === 409 && answer.contentType?.startsWith(TLOG_SIZE_CONTENT_TYPE)) {
    const size = /^(0|[1-9][0-9]*)\n$/.exec(answer.body);
    if (size === null) return { ok: false, status: 409, detail: "the witness's size answer is malformed" };
    answer = await post(endpoint, checkpointNote, Number(size[1]), consistencyProofFrom, fetchImpl);
  }
  if (answer.status !== 200) return { ok: false, status: answer.status, detail: answer.body.trim() };
  return checkAnswer(endpoint.key, checkpointNote, answer.body, verifier);
}

async function post(endpoint: WitnessEndpoint, note: string, oldSize: number, proofFrom: (oldSize: number) => Uint8Array[] | Promise<Uint8Array[]>, fetchImpl: typeof fetch) {
  const body = formatAddCheckpointRequest({ oldSize, consistencyProof: oldSize === 0 ? [] : await proofFrom(oldSize), checkpointNote: note });
  const response = await fetchImpl(`${endpoint.url.replace(/\/+$/, "")}/add-checkpoint`, { method: "POST", body });
  return { status: response.status, contentType: response.headers.get("content-type"), body: await response.text() };
}

/** The witness's line among those it returned, verified over the checkpoint's text. */
function checkAnswer(key: NoteVerifierKey, checkpointNote: string, body: string, verifier: SignatureVerifier): CosignatureAnswer {
  const note = parseNote(checkpointNote);
  if (!note.ok) return { ok: false, status: 200, detail: `the checkpoint note does not parse: ${note.detail}` };
  const lines = body.split("\n").filter((line) => line.length > 0).map(parseSignatureLine);
  const signatures = lines.filter((line) => typeof line !== "string");
  const [mine] = signaturesByKey({ text: note.note.text, signatures }, key);
  if (mine === undefined) return { ok: false, status: 200, detail: `no cosignature by ${key.name} in the answer` };
  const check = verifyNoteSignature(note.note.text, mine, key, verifier);
  if (!check.ok || check.timestampSeconds === null) return { ok: false, status: 200, detail: check.ok ? "not a cosignature" : check.detail };
  return { ok: true, line: formatSignatureLine(mine), timestampSeconds: check.timestampSeconds };
}
