"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslations } from "next-intl";
import { Alert, Card } from "../../_components/ui";
import { Skeleton } from "../../_components/status-page";
import { useErrorMessage } from "../../_lib/errors";
import type { OrganisationProfile } from "../../_lib/keystore";
import { useSigner } from "../../_lib/signing-context";
import { useTRPC } from "../../_trpc/client";
import { BrowserKey } from "./browser-key";
import { CreateKeyForm } from "./create-key-form";
import { KeySetCheckPanel } from "./key-set-check";
import { NoKeyYet } from "./no-key-yet";
import { OrganisationKeys } from "./organisation-keys";
import { PasskeyPanel } from "./passkey-panel";

export interface KeysWorkspaceProps {
  profile: OrganisationProfile;
  /** Set for demo users whose organisation has a public demo key (public/demo-keys/<login>.json). */
  demoLogin: string | null;
  userName: string;
  /** Makers and above sign, so they may request keys. */
  canRequest: boolean;
  isOperatorApprover: boolean;
  /** Admins confirm their organisation's further keys with a key of the organisation. */
  canConfirm: boolean;
}

export function KeysWorkspace({ profile, demoLogin, userName, canRequest, isOperatorApprover, canConfirm }: KeysWorkspaceProps) {
  const t = useTranslations("keys");
  const errorMessage = useErrorMessage();
  const trpc = useTRPC();
  const signer = useSigner();
  const keys = useQuery(trpc.keys.myKeys.queryOptions());
  // The create flow stays on screen until the person closes it, even once the key is stored.
  const [creating, setCreating] = useState(false);

  return (
    <div className="space-y-6">
      {isOperatorApprover ? (
        <Alert tone="blue">
          {t.rich("operatorNotice", {
            link: (chunks) => (
              <Link href="/operator/keys" className="font-medium underline">
                {chunks}
              </Link>
            ),
          })}
        </Alert>
      ) : null}
      <Card title={t("thisBrowser")}>
        {creating ? (
          <CreateKeyForm profile={profile} userName={userName} onClose={() => setCreating(false)} />
        ) : signer.status === "loading" ? (
          <p className="text-sm text-slate-500">{t("lookingForKey")}</p>
        ) : signer.keyFile ? (
          <BrowserKey profile={profile} keyFile={signer.keyFile} keys={keys.data} canRequest={canRequest} />
        ) : (
          <NoKeyYet orgId={profile.orgId} orgName={profile.orgName} demoLogin={demoLogin} canRequest={canRequest} onCreate={() => setCreating(true)} />
        )}
      </Card>
      <Card title={t("passkey.title")}>
        <PasskeyPanel profile={profile} userName={userName} keys={keys.data} canRequest={canRequest} />
      </Card>
      <Card title={t("ofOrganisation", { org: profile.orgName })}>
        {keys.error ? <Alert>{errorMessage(keys.error)}</Alert> : null}
        {keys.isPending ? <Skeleton label={t("loading")} /> : null}
        {keys.data ? (
          <div className="mb-4">
            <KeySetCheckPanel orgId={profile.orgId} keys={keys.data} />
          </div>
        ) : null}
        {keys.data ? <OrganisationKeys data={keys.data} browserKeyId={signer.keyFile?.keyId ?? null} canConfirm={canConfirm} /> : null}
      </Card>
    </div>
  );
}
