import { nextAuthHandler } from "@/server/auth/session";

export const dynamic = "force-dynamic";

export { nextAuthHandler as GET, nextAuthHandler as POST };
