import "server-only";
import { logCheckpoint, logConsistency, logEntries, LogApiError } from "../ledger/log-api";
import { processRuntime } from "../runtime/process";

/*
 * The log's public, read-only HTTP entries for witnesses and verifying clients (issue 13), for
 * app/api/ledger/*: entries, the checkpoint note with its cosignatures, consistency proofs.
 * Their readers trust none of it: everything is checked against signed checkpoints.
 */

async function answer(run: () => Promise<unknown>): Promise<Response> {
  try {
    return Response.json(await run(), { headers: { "cache-control": "no-store" } });
  } catch (error) {
    if (error instanceof LogApiError) return Response.json({ error: error.message }, { status: error.status });
    throw error;
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
