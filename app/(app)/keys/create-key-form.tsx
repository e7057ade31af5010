"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTranslations } from "next-intl";
import { Alert, Button, Field, inputClass } from "../../_components/ui";
import { ScryptProgress } from "../../_components/unlock-dialog";
import { useErrorMessage } from "../../_lib/errors";
import { keystoreErrorText } from "../../_lib/keystore-text";
import { downloadKeyFile, KeystoreError, MIN_PASSPHRASE_LENGTH, passphraseProblem, signKeyRegistration, type KeyFile, type OrganisationProfile } from "../../_lib/keystore";
import { useSigner } from "../../_lib/signing-context";
import { useTRPC } from "../../_trpc/client";

type Phase = "form" | "encrypting" | "requesting" | "done" | "request_failed";

interface CreateKeyFormProps {
  profile: OrganisationProfile;
  userName: string;
  onClose: () => void;
}

/**
 * Creates a key in this browser: generate, encrypt under the passphrase (scrypt, with
 * progress), store, then sign its own key.register and file it for the operator's review.
 */
export function CreateKeyForm({ profile, userName, onClose }: CreateKeyFormProps) {
  const t = useTranslations("keys.create");
  const tAll = useTranslations();
  const errorMessage = useErrorMessage();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const signer = useSigner();
  const request = useMutation(trpc.keys.requestRegistration.mutationOptions({ onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.keys.myKeys.queryKey() }) }));
  const [phase, setPhase] = useState<Phase>("form");
  const [progress, setProgress] = useState(0);
  const [errors, setErrors] = useState<{ passphrase?: string; confirm?: string; form?: string }>({});
  const [created, setCreated] = useState<KeyFile | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const label = String(form.get("label") ?? "").trim();
    const passphrase = String(form.get("passphrase") ?? "");
    const confirm = String(form.get("confirm") ?? "");
    const problem = passphraseProblem(passphrase) === null ? null : tAll("keystore.passphrase_too_short", { min: MIN_PASSPHRASE_LENGTH });
    const nextErrors = { ...(problem ? { passphrase: problem } : {}), ...(confirm !== passphrase ? { confirm: t("passphrasesDiffer") } : {}) };
    setErrors(nextErrors);
    if (Object.keys(nextErrors).length > 0) return;

    setPhase("encrypting");
    setProgress(0);
    let key;
    try {
      key = await signer.keystore.create({ orgId: profile.orgId, passphrase, label: label || t("defaultLabel", { name: userName }), nowMs: Date.now(), onProgress: setProgress });
    } catch (failure) {
      setPhase("form");
      setErrors({ form: failure instanceof KeystoreError ? keystoreErrorText(tAll, failure) : t("failed") });
      return;
    }
    setCreated(key.file);
    setPhase("requesting");
    try {
      await request.mutateAsync({ signed: signKeyRegistration(key.identity, profile, Date.now(), signer.networkId) });
      setPhase("done");
    } catch (failure) {
      setErrors({ form: errorMessage(failure) });
      setPhase("request_failed");
    } finally {
      key.identity.privateKey.fill(0);
    }
  }

  if (phase === "form") {
    return (
      <form onSubmit={(event) => void onSubmit(event)} className="space-y-4" noValidate aria-labelledby="create-key-title">
        <div>
          <h3 id="create-key-title" className="text-sm font-semibold text-slate-900">
            {t("title")}
          </h3>
          <p className="mt-1 text-sm text-slate-500">{t("intro")}</p>
        </div>
        {errors.form ? <Alert>{errors.form}</Alert> : null}
        <Field label={t("label")} htmlFor="key-label" hint={t("labelHint")}>
          <input id="key-label" name="label" maxLength={200} defaultValue={t("defaultLabel", { name: userName })} className={inputClass} />
        </Field>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label={t("passphrase")} htmlFor="key-passphrase" hint={t("passphraseHint", { min: MIN_PASSPHRASE_LENGTH })} error={errors.passphrase}>
            <input
              id="key-passphrase"
              name="passphrase"
              type="password"
              autoComplete="new-password"
              required
              minLength={MIN_PASSPHRASE_LENGTH}
              aria-invalid={errors.passphrase ? true : undefined}
              className={inputClass}
            />
          </Field>
          <Field label={t("repeat")} htmlFor="key-confirm" error={errors.confirm}>
            <input id="key-confirm" name="confirm" type="password" autoComplete="new-password" required aria-invalid={errors.confirm ? true : undefined} className={inputClass} />
          </Field>
        </div>
        <div className="flex gap-2">
          <Button type="submit">{t("submit")}</Button>
          <Button type="button" variant="ghost" onClick={onClose}>
            {t("cancel")}
          </Button>
        </div>
      </form>
    );
  }

  const encrypted = phase !== "encrypting";
  const requested = phase === "done";
  return (
    <div className="space-y-4" data-testid="create-key-progress">
      <h3 className="text-sm font-semibold text-slate-900">{t("creating")}</h3>
      <ol className="space-y-3 text-sm">
        <Step done label={t("generated")} />
        <li>
          <Step done={encrypted} active={!encrypted} label={t("encrypted")} asItem={false} />
          <div className="mt-2 pl-7">
            <ScryptProgress percent={Math.round(progress * 100)} label={t("encrypting")} />
          </div>
        </li>
        <Step done={requested} active={phase === "requesting"} failed={phase === "request_failed"} label={t("requested")} />
      </ol>
      {phase === "done" ? (
        <Alert tone="green">{t("ready")}</Alert>
      ) : null}
      {phase === "request_failed" ? (
        <Alert>{t("requestFailed", { error: errors.form ?? "" })}</Alert>
      ) : null}
      {created && encrypted ? (
        <div className="flex flex-wrap items-center gap-2 border-t border-slate-100 pt-4">
          <Button variant="secondary" onClick={() => downloadKeyFile(created)}>
            {tAll("keys.downloadBackup")}
          </Button>
          {phase !== "requesting" ? (
            <Button variant="ghost" onClick={onClose}>
              {t("done")}
            </Button>
          ) : null}
          <p className="basis-full text-xs text-slate-500">{t("backupNote")}</p>
        </div>
      ) : null}
    </div>
  );
}

function Step({ label, done = false, active = false, failed = false, asItem = true }: { label: string; done?: boolean; active?: boolean; failed?: boolean; asItem?: boolean }) {
  const t = useTranslations("keys.create");
  const icon = failed ? "!" : done ? "✓" : active ? "…" : "";
  const tone = failed ? "bg-rose-100 text-rose-700" : done ? "bg-emerald-100 text-emerald-700" : active ? "bg-brand-50 text-brand-700" : "bg-slate-100 text-slate-400";
  const content = (
    <span className="flex items-center gap-2">
      <span aria-hidden className={`inline-flex h-5 w-5 items-center justify-center rounded-full text-xs font-semibold ${tone}`}>
        {icon}
      </span>
      <span className={done || active ? "text-slate-900" : "text-slate-500"}>
        {label}
        <span className="sr-only">{failed ? t("stepFailed") : done ? t("stepDone") : active ? t("stepActive") : ""}</span>
      </span>
    </span>
  );
  return asItem ? <li>{content}</li> : content;
}
