"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { PERMISSIONS, type Permission } from "@/db/enums";
import { useTRPC } from "../../../_trpc/client";
import { Alert, Badge, Button, inputClass } from "../../../_components/ui";
import { errorMessage } from "../../../_lib/errors";
import { PERMISSION_LABEL } from "../../../_lib/labels";

const STATUS_TONE = { active: "green", invited: "amber", disabled: "slate" } as const;

export function UsersTable({ orgId, selfId }: { orgId: string; selfId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.users.list.queryOptions({ orgId }));
  const update = useMutation(trpc.users.update.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() }) }));

  if (list.isPending) return <p className="text-sm text-slate-500">Loading people…</p>;
  if (list.error) return <Alert>{errorMessage(list.error)}</Alert>;
  return (
    <div className="-mx-5 overflow-x-auto">
      {update.error ? <div className="mx-5 mb-4"><Alert>{errorMessage(update.error)}</Alert></div> : null}
      <table className="min-w-full text-sm">
        <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th className="px-5 py-2 font-medium">Name</th>
            <th className="px-5 py-2 font-medium">Permission</th>
            <th className="px-5 py-2 font-medium">Status</th>
            <th className="px-5 py-2" />
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {list.data.map((user) => (
            <tr key={user.id}>
              <td className="px-5 py-3">
                <div className="font-medium text-slate-900">
                  {user.name} {user.id === selfId ? <span className="text-xs font-normal text-slate-500">(you)</span> : null}
                </div>
                <div className="text-xs text-slate-500">{user.email}</div>
              </td>
              <td className="px-5 py-3">
                <label className="sr-only" htmlFor={`perm-${user.id}`}>
                  Permission of {user.name}
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
                      {PERMISSION_LABEL[p]}
                    </option>
                  ))}
                </select>
              </td>
              <td className="px-5 py-3">
                <Badge tone={STATUS_TONE[user.status]}>{user.status}</Badge>
              </td>
              <td className="px-5 py-3 text-right">
                {user.status === "active" && user.id !== selfId ? (
                  <Button variant="secondary" onClick={() => update.mutate({ userId: user.id, status: "disabled" })}>
                    Disable
                  </Button>
                ) : null}
                {user.status === "disabled" ? (
                  <Button variant="secondary" onClick={() => update.mutate({ userId: user.id, status: "active" })}>
                    Enable
                  </Button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
