import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentUserId } from "@/server/session/session";
import { AuthFrame } from "../_components/auth-frame";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ error?: string | string[] }> }) {
  if (await currentUserId()) redirect("/dashboard");
  // next-auth sends failed sign-ins here with ?error=<code>; the form shows only fixed texts for it.
  const { error } = await searchParams;
  return (
    <AuthFrame title="Sign in to Double-chain" subtitle="Receivables finance for every tier of your supply chain.">
      <SignInForm errorCode={typeof error === "string" ? error : undefined} />
    </AuthFrame>
  );
}
