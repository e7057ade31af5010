"use client";

import { useId, useState, type ChangeEvent } from "react";
import { useTranslations } from "next-intl";
import { Alert, Button, EmptyState, cx } from "../../_components/ui";
import { KeystoreError, parseKeyFileText } from "../../_lib/keystore";
import { keystoreErrorText } from "../../_lib/keystore-text";
import { useSigner } from "../../_lib/signing-context";

interface NoKeyYetProps {
  orgId: string;
  orgName: string;
  /** The demo login whose public demo key this user may import, if any. */
  demoLogin: string | null;
  canRequest: boolean;
  onCreate: () => void;
}

/** This browser holds no key for the user: create one, restore a backup, or (demo) use the demo key. */
export function NoKeyYet({ orgId, orgName, demoLogin: login, canRequest, onCreate }: NoKeyYetProps) {
  const t = useTranslations("keys.none");
  const tAll = useTranslations();
  const signer = useSigner();
  const fileInputId = useId();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function importText(text: string) {
    signer.keystore.importBackup(parseKeyFileText(text), orgId);
  }

  async function restore(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (!file) return;
    setError(null);
    try {
      importText(await file.text());
    } catch (failure) {
      setError(failure instanceof KeystoreError ? keystoreErrorText(tAll, failure) : t("unreadable"));
    }
  }

  async function importDemoKey() {
    setBusy(true);
    setError(null);
    try {
      const response = await fetch(`/demo-keys/${encodeURIComponent(login ?? "")}.json`, { cache: "no-store" });
      if (!response.ok) {
        setError(response.status === 404 ? t("noDemoKey") : t("demoHttp", { status: response.status }));
        return;
      }
      importText(await response.text());
    } catch (failure) {
      setError(failure instanceof KeystoreError ? keystoreErrorText(tAll, failure) : t("demoNetwork"));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="space-y-4">
      {error ? <Alert>{error}</Alert> : null}
      <EmptyState
        icon={<KeyIcon />}
        title={t("title")}
        action={
          <div className="flex flex-wrap justify-center gap-2">
            {canRequest ? <Button onClick={onCreate}>{t("create")}</Button> : null}
            <label
              htmlFor={fileInputId}
              className={cx(
                "inline-flex cursor-pointer items-center justify-center gap-2 rounded-md bg-white px-3.5 py-2 text-sm font-medium text-slate-700 shadow-xs ring-1 ring-slate-300 ring-inset hover:bg-slate-50",
                "has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-offset-2 has-[:focus-visible]:outline-brand-600",
              )}
            >
              {t("restore")}
              <input id={fileInputId} type="file" accept="application/json,.json" className="sr-only" onChange={(event) => void restore(event)} />
            </label>
            {login !== null ? (
              <Button variant="secondary" disabled={busy} onClick={() => void importDemoKey()}>
                {busy ? t("fetching") : t("useDemo")}
              </Button>
            ) : null}
          </div>
        }
      >
        {canRequest ? t("canRequest", { org: orgName }) : t("viewer", { org: orgName })}
      </EmptyState>
      {login !== null ? (
        <p className="text-center text-xs text-slate-500">
          {t.rich("demo", { org: orgName, passphrase: `demo-key-${login}`, code: (chunks) => <code className="rounded bg-slate-100 px-1 py-0.5 text-slate-700">{chunks}</code> })}
        </p>
      ) : null}
    </div>
  );
}

function KeyIcon() {
  return (
    <svg width="32" height="32" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" aria-hidden>
      <circle cx="8" cy="15" r="4" />
      <path d="M10.8 12.2 20 3M17 6l3 3M14.5 8.5l2 2" />
    </svg>
  );
}
