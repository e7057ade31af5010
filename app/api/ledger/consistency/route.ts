import { logConsistencyHandler } from "@/server/trpc/log-http";

export const dynamic = "force-dynamic";

/** The RFC 9162 consistency proof between two checkpointed sizes (?old=A&new=B), base64 hashes. */
export function GET(request: Request) {
  return logConsistencyHandler(request);
}
