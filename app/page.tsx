import { redirect } from "next/navigation";
import { currentUserId } from "@/server/auth/session";

export const dynamic = "force-dynamic";

export default async function Home() {
  redirect((await currentUserId()) ? "/dashboard" : "/signin");
}
