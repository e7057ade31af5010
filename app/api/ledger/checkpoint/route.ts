import { logCheckpointHandler } from "@/server/trpc/log-http";

export const dynamic = "force-dynamic";

/** The last checkpoint note (or ?size=N) with its witnesses' cosignatures and whether it is final for lending. */
export function GET(request: Request) {
  return logCheckpointHandler(request);
}
