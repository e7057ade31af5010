import type { ReactNode } from "react";
import { getTranslations } from "next-intl/server";
import { AppShell } from "../_components/app-shell";
import { navFor } from "../_components/nav";
import { requireActor } from "../_lib/session";
import { SigningProvider } from "../_lib/signing-context";
import { ledgerNetworkId } from "@/server/network";
import { serverCaller } from "@/server/trpc/server-caller";

export const dynamic = "force-dynamic";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const actor = await requireActor();
  const t = await getTranslations();
  // The badge is a convenience: a failed count leaves it out instead of failing every page.
  const caller = await serverCaller();
  const unreadCount = await caller.notifications.unreadCount().catch(() => null);
  const approvalsWaiting = actor.orgStatus === "approved" && actor.permission !== "viewer" ? await caller.approvals.waitingCount().catch(() => null) : null;
  return (
    <AppShell
      nav={navFor(actor.orgRole, actor.permission)}
      orgName={actor.orgName}
      roleLabel={`${t(`roles.${actor.orgRole}`)} · ${t(`permissions.${actor.permission}`)}`}
      userName={actor.name}
      userEmail={actor.email}
      pendingReview={actor.orgStatus !== "approved"}
      unreadCount={unreadCount}
      approvalsWaiting={approvalsWaiting}
    >
      <SigningProvider userEmail={actor.email} orgId={actor.orgId} networkId={ledgerNetworkId()}>
        {children}
      </SigningProvider>
    </AppShell>
  );
}
