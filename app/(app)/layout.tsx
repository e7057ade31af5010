import type { ReactNode } from "react";
import { AppShell } from "../_components/app-shell";
import { navFor } from "../_components/nav";
import { ROLE_LABEL } from "../_lib/labels";
import { requireActor } from "../_lib/session";
import { SigningProvider } from "../_lib/signing-context";

export const dynamic = "force-dynamic";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const actor = await requireActor();
  return (
    <AppShell
      nav={navFor(actor.orgRole, actor.permission)}
      orgName={actor.orgName}
      roleLabel={`${ROLE_LABEL[actor.orgRole]} · ${actor.permission}`}
      userName={actor.name}
      userEmail={actor.email}
      pendingReview={actor.orgStatus !== "approved"}
    >
      <SigningProvider userEmail={actor.email} orgId={actor.orgId}>
        {children}
      </SigningProvider>
    </AppShell>
  );
}
