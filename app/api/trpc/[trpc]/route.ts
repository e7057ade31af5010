import { trpcHandler } from "@/server/trpc/http";

export const dynamic = "force-dynamic";

export { trpcHandler as GET, trpcHandler as POST };
