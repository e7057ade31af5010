"use client";

import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { EMAIL_LOCALES, NOTIFICATION_CATEGORIES, type EmailLocale, type NotificationCategory } from "@/db/enums";
import { useTRPC } from "../../../_trpc/client";
import { Alert, Button, Field, inputClass } from "../../../_components/ui";
import { Skeleton } from "../../../_components/status-page";
import { errorMessage } from "../../../_lib/errors";

type Choice = { inApp: NotificationCategory[]; email: NotificationCategory[]; locale: EmailLocale };

/** The two ways a person is told, in the table's column order. */
const CHANNELS = ["inApp", "email"] as const;

const toggle = (list: NotificationCategory[], category: NotificationCategory, on: boolean) => (on ? [...list.filter((c) => c !== category), category] : list.filter((c) => c !== category));

export function PreferencesForm() {
  const t = useTranslations();
  const trpc = useTRPC();
  const saved = useQuery(trpc.notifications.preferences.queryOptions());
  if (saved.error) return <Alert>{errorMessage(saved.error, t)}</Alert>;
  if (!saved.data) return <Skeleton label={t("notifications.loading")} rows={5} />;
  return <ChoiceForm initial={saved.data} usingDefaults={!saved.data.saved} />;
}

/** The form, started from what was saved (or the defaults). */
function ChoiceForm({ initial, usingDefaults }: { initial: Choice; usingDefaults: boolean }) {
  const t = useTranslations();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [choice, setChoice] = useState<Choice>({ inApp: initial.inApp, email: initial.email, locale: initial.locale });
  const save = useMutation(trpc.notifications.setPreferences.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.notifications.preferences.queryKey() }) }));
  return (
    <form
      className="space-y-5"
      onSubmit={(event) => {
        event.preventDefault();
        save.mutate(choice);
      }}
    >
      {save.error ? <Alert>{errorMessage(save.error, t)}</Alert> : null}
      {save.isSuccess ? <Alert tone="green">{t("notifications.settings.saved")}</Alert> : null}
      {usingDefaults ? <p className="text-sm text-slate-600">{t("notifications.settings.defaults")}</p> : null}
      <table className="w-full text-sm">
        <thead>
          <tr className="text-left text-xs uppercase tracking-wide text-slate-500">
            <th className="py-2 font-medium">{t("notifications.settings.category")}</th>
            <th className="w-24 py-2 text-center font-medium">{t("notifications.settings.inApp")}</th>
            <th className="w-24 py-2 text-center font-medium">{t("notifications.settings.email")}</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {NOTIFICATION_CATEGORIES.map((category) => {
            const label = t(`notifications.categories.${category}`);
            return (
              <tr key={category}>
                <td className="py-2 text-slate-800">{label}</td>
                {CHANNELS.map((channel) => (
                  <td key={channel} className="py-2 text-center">
                    <input
                      type="checkbox"
                      aria-label={t(`notifications.settings.${channel}Of`, { category: label })}
                      checked={choice[channel].includes(category)}
                      onChange={(e) => setChoice({ ...choice, [channel]: toggle(choice[channel], category, e.target.checked) })}
                    />
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
      <Field label={t("notifications.settings.language")} htmlFor="email-locale">
        <select id="email-locale" className={`${inputClass} max-w-48`} value={choice.locale} onChange={(e) => setChoice({ ...choice, locale: e.target.value as EmailLocale })}>
          {EMAIL_LOCALES.map((locale) => (
            <option key={locale} value={locale}>
              {t(`notifications.settings.locales.${locale === "zh-CN" ? "zh" : "en"}`)}
            </option>
          ))}
        </select>
      </Field>
      <p className="text-xs text-slate-500">{t("notifications.settings.who")}</p>
      <Button type="submit" disabled={save.isPending}>
        {save.isPending ? t("notifications.settings.saving") : t("notifications.settings.save")}
      </Button>
    </form>
  );
}
