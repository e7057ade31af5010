"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTranslations } from "next-intl";
import { PERMISSIONS, type Permission } from "@/db/enums";
import { useTRPC } from "../../../_trpc/client";
import { Alert, Button, Field, inputClass } from "../../../_components/ui";
import { errorMessage } from "../../../_lib/errors";

export function InviteForm({ orgId }: { orgId: string }) {
  const t = useTranslations();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invite = useMutation(trpc.users.invite.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() }) }));
  const [link, setLink] = useState<string | null>(null);
  const [emailedTo, setEmailedTo] = useState<string | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const f = new FormData(form);
    const result = await invite.mutateAsync({ orgId, email: String(f.get("email")), name: String(f.get("name")), permission: String(f.get("permission")) as Permission });
    setLink(`${window.location.origin}/invite/${result.inviteToken}`);
    setEmailedTo(result.emailed ? result.user.email : null);
    form.reset();
  }

  return (
    <form onSubmit={(e) => void onSubmit(e).catch(() => {})} className="space-y-4">
      <h3 className="text-sm font-semibold text-slate-900">{t("people.invite")}</h3>
      {invite.error ? <Alert>{errorMessage(invite.error, t)}</Alert> : null}
      {link ? (
        <Alert tone="green">
          {t("people.inviteCreated")}{" "}
          <code className="break-all rounded bg-white/70 px-1" data-testid="invite-link">{link}</code>
          {emailedTo ? <> {t("people.inviteEmailed", { email: emailedTo })}</> : null}
        </Alert>
      ) : null}
      <div className="grid gap-4 sm:grid-cols-3">
        <Field label={t("people.name")} htmlFor="invite-name">
          <input id="invite-name" name="name" required className={inputClass} />
        </Field>
        <Field label={t("people.email")} htmlFor="invite-email">
          <input id="invite-email" name="email" type="email" required className={inputClass} />
        </Field>
        <Field label={t("people.permission")} htmlFor="invite-permission">
          <select id="invite-permission" name="permission" defaultValue="maker" className={inputClass}>
            {PERMISSIONS.map((p) => (
              <option key={p} value={p}>
                {t("people.permissionOption", { label: t(`permissions.${p}`), hint: t(`permissionHints.${p}`) })}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <Button type="submit" disabled={invite.isPending}>
        {invite.isPending ? t("people.creating") : t("people.create")}
      </Button>
    </form>
  );
}
