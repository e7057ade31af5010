"use client";

import { useTranslations } from "next-intl";
import { verifierFailureText } from "../_lib/verifier-text";

/**
 * The body of a failure banner: the meaning in words, the ledger entry it names, and the
 * verifier's own detail (English, for support and auditors) one click away. `meaning={false}`
 * when the banner's title already says it in words.
 */
export function VerifierFailure({ code, detail, leafIndex, meaning = true }: { code: string; detail: string; leafIndex?: number; meaning?: boolean }) {
  const t = useTranslations();
  return (
    <>
      {meaning ? (
        <p className="mt-1 break-words text-sm text-rose-800" data-testid="failure-text">
          {verifierFailureText(t, code, detail)}
          {leafIndex !== undefined ? ` ${t("provenance.failedEntry", { leaf: leafIndex })}` : ""}
        </p>
      ) : null}
      <details className="mt-2 text-xs text-rose-700">
        <summary className="cursor-pointer font-medium">{t("provenance.technicalDetail")}</summary>
        <p className="mt-1 break-words font-mono" lang="en">
          {code}
          {detail ? `: ${detail}` : ""}
        </p>
      </details>
    </>
  );
}
