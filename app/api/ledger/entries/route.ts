import { logEntriesHandler } from "@/server/trpc/log-http";

export const dynamic = "force-dynamic";

/** The log's entries [start, end) for witnesses (C2SP tlog-witness log source; docs/witness.md). */
export function GET(request: Request) {
  return logEntriesHandler(request);
}
