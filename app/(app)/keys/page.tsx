import { existsSync } from "node:fs";
import path from "node:path";
import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { Card, EmptyState, PageHeader } from "../../_components/ui";
import { canConfirmKeyRequests, canDecideKeyRequests, canRequestKeyRegistration, keyRoleFor } from "@/server/authz";
import { requireActor } from "../../_lib/session";
import { SigningProvider } from "../../_lib/signing-context";
import { ledgerNetworkId } from "@/server/network";
import { KeysWorkspace } from "./keys-workspace";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("keys"))("metaTitle") };
}
export const dynamic = "force-dynamic";

/**
 * The demo login whose public demo key file exists (public/demo-keys/<login>.json, written by
 * scripts/demo-key-files.ts), or null: real users, and demo users without a signing role.
 */
function demoKeyLogin(email: string): string | null {
  const login = /^([a-z0-9.]+)@demo\.doublechain\.cn$/.exec(email.toLowerCase())?.[1];
  if (!login) return null;
  return existsSync(path.join(/*turbopackIgnore: true*/ process.cwd(), "public", "demo-keys", `${login}.json`)) ? login : null;
}

export default async function KeysPage() {
  const actor = await requireActor();
  const t = await getTranslations("keys");
  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle")} />
      {actor.orgStatus !== "approved" ? (
        <Card>
          <EmptyState title={t("awaitingReview")}>{t("awaitingReviewBody", { org: actor.orgName })}</EmptyState>
        </Card>
      ) : (
        // The app layout may provide the signer already; this one then defers to it.
        <SigningProvider userEmail={actor.email} orgId={actor.orgId} networkId={ledgerNetworkId()}>
          <KeysWorkspace
            profile={{ orgId: actor.orgId, orgName: actor.orgName, role: actor.orgRole, holderUserId: actor.userId, keyRole: keyRoleFor(actor.permission) ?? "maker" }}
            demoLogin={demoKeyLogin(actor.email)}
            userName={actor.name}
            canRequest={canRequestKeyRegistration(actor, actor.orgId)}
            isOperatorApprover={canDecideKeyRequests(actor)}
            canConfirm={canConfirmKeyRequests(actor, actor.orgId)}
          />
        </SigningProvider>
      )}
    </>
  );
}
