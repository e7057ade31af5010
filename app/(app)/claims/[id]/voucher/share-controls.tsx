"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { useTRPC } from "../../../../_trpc/client";
import { Alert, Button, Card } from "../../../../_components/ui";
import { errorMessage } from "../../../../_lib/errors";
import { useFormatters } from "../../../../_lib/use-formatters";

/**
 * The holder shares the voucher: a link anyone can open at /verify/<token> without an account.
 * The token is shown once (only its hash is kept); the page reloads with it so the QR code and
 * the PDF carry the link. Each share can be revoked; a revoked link opens nothing.
 */
export function ShareControls({ claimId }: { claimId: string }) {
  const t = useTranslations();
  const format = useFormatters();
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [link, setLink] = useState<string | null>(null);
  const shares = useQuery(trpc.vouchers.shares.queryOptions({ claimId }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.vouchers.shares.queryKey({ claimId }) });
  const share = useMutation(
    trpc.vouchers.share.mutationOptions({
      onSuccess: (created) => {
        setLink(`${window.location.origin}/verify/${created.token}`);
        void refresh();
        router.replace(`/claims/${claimId}/voucher?share=${encodeURIComponent(created.token)}`);
      },
    }),
  );
  const revoke = useMutation(trpc.vouchers.revoke.mutationOptions({ onSuccess: () => void refresh() }));
  const error = share.error ?? revoke.error;
  return (
    <Card title={t("voucher.shareTitle")} className="print:hidden">
      <div className="space-y-4 text-sm">
        <p className="text-slate-600">{t("voucher.shareExplain")}</p>
        <Button onClick={() => share.mutate({ claimId })} disabled={share.isPending} data-testid="voucher-share">
          {t("voucher.share")}
        </Button>
        {link ? (
          <div className="rounded-md border border-emerald-200 bg-emerald-50 p-3">
            <p className="text-emerald-900">{t("voucher.linkOnce")}</p>
            <p className="mt-1 break-all font-mono text-xs text-emerald-900" data-testid="voucher-share-link">
              {link}
            </p>
          </div>
        ) : null}
        {error ? <Alert>{errorMessage(error, t)}</Alert> : null}
        <div>
          <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">{t("voucher.sharesTitle")}</h3>
          {shares.data && shares.data.length > 0 ? (
            <ul className="mt-2 divide-y divide-slate-100" data-testid="voucher-shares">
              {shares.data.map((item) => (
                <li key={item.id} className="flex items-center justify-between gap-3 py-2">
                  <span>
                    {t("voucher.sharedAt", { at: format.dateTime(item.createdAtMs) })}
                    {item.revokedAtMs !== null ? ` · ${t("voucher.revokedAt", { at: format.dateTime(item.revokedAtMs) })}` : ""}
                  </span>
                  {item.revokedAtMs === null ? (
                    <Button variant="secondary" onClick={() => revoke.mutate({ shareId: item.id })} disabled={revoke.isPending} data-testid="voucher-revoke">
                      {t("voucher.revoke")}
                    </Button>
                  ) : null}
                </li>
              ))}
            </ul>
          ) : (
            <p className="mt-2 text-slate-500">{t("voucher.noShares")}</p>
          )}
        </div>
      </div>
    </Card>
  );
}
