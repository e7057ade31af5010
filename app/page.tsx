import { redirect } from "next/navigation";
import { currentUserId } from "@/server/session/session";

export const dynamic = "force-dynamic";

export default async function Home() {
  redirect((await currentUserId()) ? "/dashboard" : "/signin");
}
