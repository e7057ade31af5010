"use client";

import { useQuery } from "@tanstack/react-query";
import { useState, type DragEvent } from "react";
import { useTranslations } from "next-intl";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@/contracts/hex";
import type { ClaimDocuments } from "@/contracts/ledger/types";
import { useTRPC } from "../../_trpc/client";
import { Alert, Badge, Card, cx } from "../../_components/ui";
import { Skeleton } from "../../_components/status-page";
import { useErrorMessage } from "../../_lib/errors";

const KINDS = ["invoiceSha256", "contractSha256", "deliveryNoteSha256"] as const;
type Kind = (typeof KINDS)[number];

type Check = { state: "hashing"; name: string } | { state: "done"; name: string; sha256: string; matches: Kind[] };

/**
 * The SHA-256 of an issuance's trade documents, and a drop zone that checks a file against
 * them. The file is hashed in the browser (@noble/hashes, which needs no secure context, unlike
 * WebCrypto on plain http) and never leaves the machine.
 */
export function TradeDocuments(props: { claimId: string } | { documents: ClaimDocuments | null }) {
  if ("documents" in props) return <DocumentsCard documents={props.documents} piece={false} />;
  return <ClaimDocumentsCard claimId={props.claimId} />;
}

function ClaimDocumentsCard({ claimId }: { claimId: string }) {
  const t = useTranslations("tradeDocuments");
  const errorMessage = useErrorMessage();
  const trpc = useTRPC();
  const query = useQuery(trpc.ledger.tradeDocuments.queryOptions({ claimId }));
  if (query.error) {
    return (
      <Card title={t("title")}>
        <Alert>{errorMessage(query.error)}</Alert>
      </Card>
    );
  }
  if (!query.data) {
    return (
      <Card title={t("title")}>
        <Skeleton label={t("loading")} />
      </Card>
    );
  }
  return <DocumentsCard documents={query.data.documents} piece={query.data.rootId !== claimId} />;
}

function DocumentsCard({ documents, piece }: { documents: ClaimDocuments | null; piece: boolean }) {
  const t = useTranslations("tradeDocuments");
  const [check, setCheck] = useState<Check | null>(null);
  const [dragging, setDragging] = useState(false);

  async function checkFile(file: File | undefined) {
    if (!file || !documents) return;
    setCheck({ state: "hashing", name: file.name });
    const digest = bytesToHex(sha256(new Uint8Array(await file.arrayBuffer())));
    setCheck({ state: "done", name: file.name, sha256: digest, matches: KINDS.filter((kind) => documents[kind] === digest) });
  }
  function onDrop(event: DragEvent<HTMLLabelElement>) {
    event.preventDefault();
    setDragging(false);
    void checkFile(event.dataTransfer.files[0]);
  }

  return (
    <Card title={t("title")}>
      <div data-testid="trade-documents" className="space-y-4">
        {documents === null ? (
          <p className="text-sm text-slate-500">{t("none")}</p>
        ) : (
          <>
            <p className="text-sm text-slate-500">{piece ? t("pieceSubtitle") : t("subtitle")}</p>
            <dl className="space-y-2 text-sm">
              <div className="grid gap-1 sm:grid-cols-[10rem_1fr] sm:items-center">
                <dt className="text-slate-600">{t("reference")}</dt>
                <dd className={documents.reference ? "break-all font-medium text-slate-900" : "text-slate-500"} data-testid="document-reference">
                  {documents.reference ?? t("noReference")}
                </dd>
              </div>
              {KINDS.map((kind) => (
                <div key={kind} className="grid gap-1 sm:grid-cols-[10rem_1fr] sm:items-center">
                  <dt className="flex items-center gap-2 text-slate-600">
                    {t(`documents.${kind}`)}
                    {check?.state === "done" && check.matches.includes(kind) ? <Badge tone="green">{t("matchBadge")}</Badge> : null}
                  </dt>
                  <dd className="break-all font-mono text-xs text-slate-800" data-testid={`document-hash-${kind}`}>
                    {documents[kind]}
                  </dd>
                </div>
              ))}
            </dl>
            <label
              onDragOver={(event) => {
                event.preventDefault();
                setDragging(true);
              }}
              onDragLeave={() => setDragging(false)}
              onDrop={onDrop}
              data-testid="trade-document-drop"
              className={cx(
                "block cursor-pointer rounded-lg border border-dashed px-4 py-5 text-center text-sm text-slate-600 hover:border-brand-500",
                dragging ? "border-brand-500 bg-brand-50" : "border-slate-300",
              )}
            >
              <span className="font-medium text-brand-700">{t("choose")}</span> {t("drop")}
              <input type="file" className="sr-only" aria-label={t("fileLabel")} onChange={(event) => void checkFile(event.target.files?.[0])} />
            </label>
            <div aria-live="polite" data-testid="trade-document-result">
              {check?.state === "hashing" ? <p className="text-sm text-slate-500">{t("hashing", { name: check.name })}</p> : null}
              {check?.state === "done" ? (
                check.matches.length > 0 ? (
                  <Alert tone="green">{t("matches", { name: check.name, documents: check.matches.map((kind) => t(`documents.${kind}`)).join(t("listSeparator")) })}</Alert>
                ) : (
                  <Alert tone="amber">
                    {t("noMatch", { name: check.name })}
                    <span className="mt-1 block break-all font-mono text-xs">{check.sha256}</span>
                  </Alert>
                )
              ) : null}
            </div>
          </>
        )}
      </div>
    </Card>
  );
}
