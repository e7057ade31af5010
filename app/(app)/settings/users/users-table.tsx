"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { PERMISSIONS, type Permission } from "@/db/enums";
import { useTRPC } from "../../../_trpc/client";
import { DataTable } from "../../../_components/data-table";
import { Alert, Badge, Button, inputClass } from "../../../_components/ui";
import { Skeleton } from "../../../_components/status-page";
import { errorMessage } from "../../../_lib/errors";
import { buildSigned, toWire } from "@/contracts/client";
import { randomNonce } from "../../../_lib/keystore";
import { useSigner } from "../../../_lib/signing-context";

const STATUS_TONE = { active: "green", invited: "amber", disabled: "slate" } as const;

export function UsersTable({ orgId, selfId }: { orgId: string; selfId: string }) {
  const t = useTranslations();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.users.list.queryOptions({ orgId }));
  const update = useMutation(trpc.users.update.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() }) }));
  const signer = useSigner();

  /**
   * Disabling a person revokes the signing keys he holds, in the same step: this browser's
   * admin key signs one key.revoke per key, and the server commits them with the disable.
   */
  async function disable(user: { id: string; activeKeyIds: string[] }) {
    const revocations = [];
    if (user.activeKeyIds.length > 0) {
      const identity = await signer.requireIdentity({ reason: t("people.revokeReason", { count: user.activeKeyIds.length }) });
      for (const keyId of user.activeKeyIds) {
        const body = { orgId, keyId, reason: "Person disabled" };
        revocations.push(toWire(buildSigned(identity, "key.revoke", body, { networkId: signer.networkId, nonce: randomNonce(), createdAtMs: Date.now() })));
      }
    }
    update.mutate({ userId: user.id, status: "disabled", revocations });
  }

  if (list.isPending) return <Skeleton label={t("people.loading")} />;
  if (list.error) return <Alert>{errorMessage(list.error, t)}</Alert>;
  return (
    <div className="space-y-4">
      {update.error ? <Alert>{errorMessage(update.error, t)}</Alert> : null}
      <DataTable
        rows={list.data}
        rowKey={(user) => user.id}
        caption={t("people.caption")}
        columns={[
          {
            header: t("people.name"),
            cell: (user) => (
              <>
                <div className="font-medium text-slate-900">
                  {user.name} {user.id === selfId ? <span className="text-xs font-normal text-slate-500">{t("people.you")}</span> : null}
                </div>
                <div className="text-xs text-slate-500">{user.email}</div>
              </>
            ),
          },
          {
            header: t("people.permission"),
            cell: (user) => (
              <>
                <label className="sr-only" htmlFor={`perm-${user.id}`}>
                  {t("people.permissionOf", { name: user.name })}
                </label>
                <select
                  id={`perm-${user.id}`}
                  className={`${inputClass} max-w-40`}
                  value={user.permission}
                  disabled={update.isPending}
                  onChange={(e) => update.mutate({ userId: user.id, permission: e.target.value as Permission })}
                >
                  {PERMISSIONS.map((p) => (
                    <option key={p} value={p}>
                      {t(`permissions.${p}`)}
                    </option>
                  ))}
                </select>
              </>
            ),
          },
          { header: t("people.status"), cell: (user) => <Badge tone={STATUS_TONE[user.status]}>{t(`people.statuses.${user.status}`)}</Badge> },
          {
            header: <span className="sr-only">{t("people.actions")}</span>,
            className: "text-right",
            cell: (user) => (
              <>
                {user.status === "active" && user.id !== selfId ? (
                  <Button variant="secondary" onClick={() => void disable(user).catch(() => undefined)}>
                    {t("people.disable")}
                  </Button>
                ) : null}
                {user.status === "disabled" ? (
                  <Button variant="secondary" onClick={() => update.mutate({ userId: user.id, status: "active" })}>
                    {t("people.enable")}
                  </Button>
                ) : null}
              </>
            ),
          },
        ]}
      />
    </div>
  );
}
