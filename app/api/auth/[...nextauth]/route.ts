import { nextAuthHandler } from "@/server/session/session";

export const dynamic = "force-dynamic";

export { nextAuthHandler as GET, nextAuthHandler as POST };
