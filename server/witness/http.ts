/**
 * The witness's HTTP interface (node:http, no framework: a witness is a small service that
 * another organisation runs):
 *
 *   POST /add-checkpoint   C2SP tlog-witness; answers with the cosignature line
 *   GET  /key              the witness's verifier key (name+keyID+base64(0x04 || key))
 *   GET  /checkpoint       the last checkpoint it cosigned
 *   GET  /evidence         every refused signed checkpoint it kept, as JSON
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Witness } from "./witness";

const MAX_BODY_BYTES = 1 << 20;

export function createWitnessServer(witness: Witness): Server {
  return createServer((request, response) => {
    handle(witness, request, response).catch((error: unknown) => {
      console.error("witness request failed:", error instanceof Error ? error.message : error);
      if (!response.headersSent) send(response, 500, "text/plain; charset=utf-8", "internal error\n");
      else response.end();
    });
  });
}

async function handle(witness: Witness, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? "/", "http://witness");
  const route = `${request.method} ${url.pathname}`;
  if (route === "POST /add-checkpoint") {
    const body = await readBody(request);
    if (body === null) return send(response, 400, "text/plain; charset=utf-8", "the body is not UTF-8 text of at most 1 MiB\n");
    const answer = await witness.addCheckpoint(body);
    return send(response, answer.status, answer.contentType, answer.body);
  }
  if (route === "GET /key") return send(response, 200, "text/plain; charset=utf-8", `${witness.verifierKeyText}\n`);
  if (route === "GET /checkpoint") {
    const note = witness.latestNote;
    return note === null ? send(response, 404, "text/plain; charset=utf-8", "nothing cosigned yet\n") : send(response, 200, "text/plain; charset=utf-8", note);
  }
  if (route === "GET /evidence") return send(response, 200, "application/json", `${JSON.stringify({ evidence: await witness.evidence() }, null, 2)}\n`);
  send(response, 404, "text/plain; charset=utf-8", "not found\n");
}

/** The body as text, or null when it is too large or not valid UTF-8 (a note must be). */
async function readBody(request: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    return null;
  }
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body) });
  response.end(body);
}
