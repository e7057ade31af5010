"use client";

import Link from "next/link";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTranslations } from "next-intl";
import { useTRPC } from "../_trpc/client";
import { Alert, Button, Field, inputClass } from "../_components/ui";
import { useErrorMessage } from "../_lib/errors";
import { checkUscc } from "@/contracts/uscc";

/** The kinds of organisation that may apply; their names are in the catalogues (apply.roles). */
const ROLES = ["supplier", "core_enterprise", "lender", "auditor"] as const;

export function ApplyForm() {
  const t = useTranslations("apply");
  const errorMessage = useErrorMessage();
  const trpc = useTRPC();
  const apply = useMutation(trpc.auth.applyToJoin.mutationOptions());
  const [done, setDone] = useState(false);
  const tUscc = useTranslations("uscc");
  // The GB 32100 check runs here first, so its reason shows under the field in the reader's language.
  const [codeError, setCodeError] = useState<string | null>(null);
  function checkCode(text: string): boolean {
    const check = text.trim() === "" ? null : checkUscc(text);
    setCodeError(check && !check.ok ? tUscc(check.reason) : null);
    return check === null || check.ok;
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const get = (k: string) => String(f.get(k) ?? "");
    if (!checkCode(get("registrationNumber"))) return;
    await apply.mutateAsync({
      organisationName: get("organisationName"),
      role: get("role") as (typeof ROLES)[number],
      city: get("city"),
      registrationNumber: get("registrationNumber"),
      adminName: get("adminName"),
      adminEmail: get("adminEmail"),
      adminPassword: get("adminPassword"),
    });
    setDone(true);
  }

  if (done) {
    return (
      <div className="space-y-4">
        <Alert tone="green">{t("received")}</Alert>
        <Link href="/signin" className="text-sm font-medium text-brand-600 hover:underline">
          {t("toSignIn")}
        </Link>
      </div>
    );
  }
  return (
    <form onSubmit={(e) => void onSubmit(e).catch(() => {})} className="space-y-4">
      {apply.error ? <Alert>{errorMessage(apply.error)}</Alert> : null}
      <Field label={t("organisationName")} htmlFor="organisationName">
        <input id="organisationName" name="organisationName" required minLength={2} className={inputClass} />
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label={t("type")} htmlFor="role">
          <select id="role" name="role" className={inputClass} defaultValue="supplier">
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {t(`roles.${role}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t("city")} htmlFor="city">
          <input id="city" name="city" className={inputClass} />
        </Field>
      </div>
      <Field label={t("registration")} htmlFor="registrationNumber" hint={t("registrationHint")} error={codeError ?? undefined}>
        <input
          id="registrationNumber"
          name="registrationNumber"
          className={inputClass}
          maxLength={40}
          aria-invalid={codeError !== null}
          aria-describedby={codeError ? "registrationNumber-error" : undefined}
          onBlur={(event) => checkCode(event.target.value)}
        />
      </Field>
      <Field label={t("name")} htmlFor="adminName">
        <input id="adminName" name="adminName" required className={inputClass} />
      </Field>
      <Field label={t("email")} htmlFor="adminEmail">
        <input id="adminEmail" name="adminEmail" type="email" required className={inputClass} autoComplete="username" />
      </Field>
      <Field label={t("password")} htmlFor="adminPassword" hint={t("passwordHint")}>
        <input id="adminPassword" name="adminPassword" type="password" required minLength={10} className={inputClass} autoComplete="new-password" />
      </Field>
      <Button type="submit" className="w-full" disabled={apply.isPending}>
        {apply.isPending ? t("sending") : t("send")}
      </Button>
    </form>
  );
}
