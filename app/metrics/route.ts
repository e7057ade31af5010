import { metricsHandler } from "@/server/trpc/http";

export const dynamic = "force-dynamic";

export { metricsHandler as GET };
