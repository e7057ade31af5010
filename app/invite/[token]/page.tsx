import type { Metadata } from "next";
import { AuthFrame } from "../../_components/auth-frame";
import { AcceptInviteForm } from "./accept-invite-form";

export const metadata: Metadata = { title: "Accept invitation" };

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return (
    <AuthFrame title="Accept your invitation" subtitle="Choose a password to activate your account.">
      <AcceptInviteForm token={token} />
    </AuthFrame>
  );
}
