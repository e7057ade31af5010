import { readyzHandler } from "@/server/trpc/http";

export const dynamic = "force-dynamic";

export { readyzHandler as GET };
