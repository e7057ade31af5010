import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentUserId } from "@/server/session/session";
import { AuthFrame } from "../_components/auth-frame";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function SignInPage() {
  if (await currentUserId()) redirect("/dashboard");
  return (
    <AuthFrame title="Sign in to Double-chain" subtitle="Receivables finance for every tier of your supply chain.">
      <SignInForm />
    </AuthFrame>
  );
}
