"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/**
 * A financing approved under a policy waits for the lender's settlement agent to confirm the
 * disbursement (server/witness/lender-agent.ts), which comes a cosigning round later, in
 * seconds: the page looks again every second until then.
 */
export function RefreshWhileWaiting({ everyMs = 1000 }: { everyMs?: number }) {
  const router = useRouter();
  useEffect(() => {
    const timer = setInterval(() => router.refresh(), everyMs);
    return () => clearInterval(timer);
  }, [router, everyMs]);
  return null;
}
