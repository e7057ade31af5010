"use client";

import { useTranslations } from "next-intl";
import { Button } from "./_components/ui";
import { StatusLink, StatusPage } from "./_components/status-page";

/**
 * A page that failed while rendering. The digest is the server's reference for the logged
 * error (never its message, which may carry internals); "Try again" re-renders the segment.
 */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const t = useTranslations("errorPages");
  return (
    <StatusPage title={t("errorTitle")} body={t("errorBody")}>
      <Button type="button" onClick={reset}>
        {t("tryAgain")}
      </Button>
      <StatusLink href="/dashboard">{t("toDashboard")}</StatusLink>
      {error.digest ? <p className="w-full text-xs text-slate-400">{t("errorReference", { digest: error.digest })}</p> : null}
    </StatusPage>
  );
}
