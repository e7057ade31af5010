import { trustPolicyHandler } from "@/server/trpc/voucher-http";

export const dynamic = "force-dynamic";

/** The operator and witness keys this deployment publishes, in the trust policy file format (README, Trust). */
export function GET() {
  return trustPolicyHandler();
}
