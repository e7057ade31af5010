import "server-only";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { reportDatabaseFailure, RETRY_AFTER_SECONDS } from "@/db/availability";
import { toDomainError } from "../errors";
import { logCheckpoint, logConsistency, logEntries } from "../ledger/log-api";
import { processRuntime } from "../runtime/process";
import { KIND_TO_TRPC } from "./init";

/*
 * The log's public, read-only HTTP entries for witnesses and verifying clients (issue 13), for
 * app/api/ledger/*: entries, the checkpoint note with its cosignatures, consistency proofs.
 * Their readers trust none of it: everything is checked against signed checkpoints.
 */

/**
 * The answer, or a domain error (server/errors.ts: bad input, no such checkpoint, the database
 * away or busy) as JSON with the HTTP status the API gives that kind; anything else is internal.
 */
async function answer(run: () => Promise<unknown>): Promise<Response> {
  try {
    return Response.json(await run(), { headers: { "cache-control": "no-store" } });
  } catch (error) {
    const domain = toDomainError(error);
    if (domain === null) throw error;
    if (domain.kind === "unavailable") reportDatabaseFailure(error);
    const status = getHTTPStatusCodeFromError(new TRPCError({ code: KIND_TO_TRPC[domain.kind], message: domain.message }));
    const headers: Record<string, string> = { "cache-control": "no-store" };
    if (domain.kind === "unavailable") headers["retry-after"] = String(RETRY_AFTER_SECONDS);
    return Response.json({ error: domain.message, code: domain.code }, { status, headers });
  }
}

/** GET /api/ledger/entries?start=A&end=B */
export async function logEntriesHandler(request: Request): Promise<Response> {
  const runtime = await processRuntime();
  return answer(() => logEntries(runtime.db, new URL(request.url).searchParams));
}

/** GET /api/ledger/checkpoint[?size=N] */
export async function logCheckpointHandler(request: Request): Promise<Response> {
  const runtime = await processRuntime();
  return answer(() => logCheckpoint(runtime.db, new URL(request.url).searchParams, runtime.cosigner.quorum));
}

/** GET /api/ledger/consistency?old=A&new=B */
export async function logConsistencyHandler(request: Request): Promise<Response> {
  const runtime = await processRuntime();
  return answer(() => logConsistency(runtime.db, runtime.provenance, new URL(request.url).searchParams));
}
