import { healthzHandler } from "@/server/trpc/http";

export const dynamic = "force-dynamic";

export { healthzHandler as GET };
