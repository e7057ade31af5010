"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";
import { useTRPC } from "../../../_trpc/client";
import { Alert, Badge, Button, Card, Field, inputClass } from "../../../_components/ui";
import { errorMessage } from "../../../_lib/errors";
import { useFormatters } from "../../../_lib/use-formatters";

/** A table's one row while its list loads or when it is empty: what to do next. */
function NoteRow({ span, text }: { span: number; text: string }) {
  return (
    <tr className="border-t border-slate-100">
      <td colSpan={span} className="py-3 text-slate-500">
        {text}
      </td>
    </tr>
  );
}

/** An instant in Beijing time, or a dash when there is none. */
function useWhen() {
  const format = useFormatters();
  return (ms: number | null) => (ms === null ? "—" : format.dateTime(ms));
}

function ApiKeys() {
  const t = useTranslations("integrations");
  const tAll = useTranslations();
  const when = useWhen();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.integrations.apiKeys.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.integrations.apiKeys.queryKey() });
  const create = useMutation(trpc.integrations.createApiKey.mutationOptions({ onSuccess: refresh }));
  const revoke = useMutation(trpc.integrations.revokeApiKey.mutationOptions({ onSuccess: refresh }));
  const [token, setToken] = useState<string | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const f = new FormData(form);
    const scopes = (["read", "submit"] as const).filter((s) => f.get(`scope-${s}`) === "on");
    const created = await create.mutateAsync({ name: String(f.get("name")), scopes, expiresInDays: Number(f.get("days")) });
    setToken(created.token);
    form.reset();
  }

  return (
    <Card title={t("apiKeys")}>
      {create.error ? <Alert>{errorMessage(create.error, tAll)}</Alert> : null}
      {revoke.error ? <Alert>{errorMessage(revoke.error, tAll)}</Alert> : null}
      {token ? (
        <Alert tone="green">
          {t("copyKeyNow")} <code className="break-all rounded bg-white/70 px-1" data-testid="api-key-token">{token}</code>
        </Alert>
      ) : null}
      <table className="w-full text-sm">
        <thead>
          <tr className="text-left text-slate-500"><th>{t("name")}</th><th>{t("key")}</th><th>{t("scopes")}</th><th>{t("expires")}</th><th>{t("lastUsed")}</th><th>{t("status")}</th><th /></tr>
        </thead>
        <tbody>
          {(keys.data ?? []).map((key) => (
            <tr key={key.id} className="border-t border-slate-100">
              <td>{key.name}</td>
              <td><code>{key.prefix}…</code></td>
              <td>{key.scopes.map((scope) => t(`scope.${scope}`)).join(", ")}</td>
              <td>{when(key.expiresAtMs)}</td>
              <td>{when(key.lastUsedAtMs)}</td>
              <td><Badge tone={key.status === "active" ? "green" : "slate"}>{t(`keyStatus.${key.status}`)}</Badge></td>
              <td>{key.status === "active" ? <Button variant="secondary" onClick={() => revoke.mutate({ keyId: key.id })}>{t("revoke")}</Button> : null}</td>
            </tr>
          ))}
          {keys.isPending ? <NoteRow span={7} text={t("loading")} /> : keys.data?.length === 0 ? <NoteRow span={7} text={t("noKeys")} /> : null}
        </tbody>
      </table>
      <form onSubmit={(e) => void onSubmit(e).catch(() => {})} className="mt-4 grid gap-4 sm:grid-cols-4">
        <Field label={t("name")} htmlFor="key-name"><input id="key-name" name="name" required maxLength={100} className={inputClass} placeholder={t("namePlaceholder")} /></Field>
        <Field label={t("expiresAfterDays")} htmlFor="key-days"><input id="key-days" name="days" type="number" min={1} max={366} defaultValue={90} className={inputClass} /></Field>
        <fieldset className="text-sm">
          <legend className="text-slate-700">{t("scopes")}</legend>
          <label className="mr-3"><input type="checkbox" name="scope-read" defaultChecked /> {t("scope.read")}</label>
          <label><input type="checkbox" name="scope-submit" /> {t("scope.submit")}</label>
        </fieldset>
        <div className="self-end"><Button type="submit" disabled={create.isPending}>{t("createKey")}</Button></div>
      </form>
    </Card>
  );
}

function Audit() {
  const t = useTranslations("integrations");
  const when = useWhen();
  const trpc = useTRPC();
  const audit = useQuery(trpc.integrations.audit.queryOptions());
  const rows = audit.data ?? [];
  const csv = ["at,key,method,path,status,code", ...rows.map((r) => [new Date(r.atMs).toISOString(), r.keyId, r.method, r.path, r.status, r.code ?? ""].join(","))].join("\n");
  return (
    <Card title={t("auditLog")} action={<a className="text-sm underline" download="api-audit.csv" href={`data:text/csv;charset=utf-8,${encodeURIComponent(csv)}`}>{t("exportCsv")}</a>}>
      <table className="w-full text-sm">
        <thead><tr className="text-left text-slate-500"><th>{t("when")}</th><th>{t("key")}</th><th>{t("call")}</th><th>{t("status")}</th></tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} className="border-t border-slate-100"><td>{when(r.atMs)}</td><td><code>{r.keyId}</code></td><td><code>{r.method} {r.path}</code></td><td>{r.status}{r.code ? ` ${r.code}` : ""}</td></tr>
          ))}
          {audit.isPending ? <NoteRow span={4} text={t("loading")} /> : rows.length === 0 ? <NoteRow span={4} text={t("noAudit")} /> : null}
        </tbody>
      </table>
    </Card>
  );
}

function Webhooks() {
  const t = useTranslations("integrations");
  const tAll = useTranslations();
  const when = useWhen();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const events = useQuery(trpc.integrations.webhookEvents.queryOptions());
  const endpoints = useQuery(trpc.integrations.webhookEndpoints.queryOptions());
  const deliveries = useQuery(trpc.integrations.webhookDeliveries.queryOptions());
  const create = useMutation(trpc.integrations.createWebhookEndpoint.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.integrations.webhookEndpoints.queryKey() }) }));
  const redeliver = useMutation(trpc.integrations.redeliver.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.integrations.webhookDeliveries.queryKey() }) }));

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const f = new FormData(form);
    await create.mutateAsync({ url: String(f.get("url")), events: f.getAll("events").map(String) });
    form.reset();
  }

  return (
    <>
      <Card title={t("endpoints")}>
        {create.error ? <Alert>{errorMessage(create.error, tAll)}</Alert> : null}
        {endpoints.isPending ? <p className="text-sm text-slate-500">{t("loading")}</p> : endpoints.data?.length === 0 ? <p className="text-sm text-slate-500">{t("noEndpoints")}</p> : null}
        <ul className="space-y-2 text-sm">
          {(endpoints.data ?? []).map((e) => (
            <li key={e.id}>
              <code>{e.url}</code> — {e.events.join(", ")} {e.enabled ? null : <Badge>{t("disabled")}</Badge>}
              <div className="text-slate-500">{t("signingSecret")} <code className="break-all">{e.secret}</code></div>
            </li>
          ))}
        </ul>
        <form onSubmit={(e) => void onSubmit(e).catch(() => {})} className="mt-4 space-y-3">
          <Field label={t("endpointUrl")} htmlFor="hook-url"><input id="hook-url" name="url" required className={inputClass} placeholder={t("urlPlaceholder")} /></Field>
          <fieldset className="flex flex-wrap gap-3 text-sm">
            <legend className="text-slate-700">{t("events")}</legend>
            {(events.data ?? []).map((name) => (
              <label key={name}><input type="checkbox" name="events" value={name} /> {name}</label>
            ))}
          </fieldset>
          <Button type="submit" disabled={create.isPending}>{t("addEndpoint")}</Button>
        </form>
      </Card>
      <Card title={t("deliveries")}>
        {redeliver.error ? <Alert>{errorMessage(redeliver.error, tAll)}</Alert> : null}
        <table className="w-full text-sm">
          <thead><tr className="text-left text-slate-500"><th>{t("event")}</th><th>{t("endpoint")}</th><th>{t("status")}</th><th>{t("attempts")}</th><th>{t("lastAnswer")}</th><th>{t("nextTry")}</th><th /></tr></thead>
          <tbody>
            {(deliveries.data ?? []).map((d) => (
              <tr key={d.id} className="border-t border-slate-100">
                <td>{d.eventType}</td>
                <td><code>{d.url}</code></td>
                <td><Badge tone={d.status === "succeeded" ? "green" : d.status === "dead" ? "red" : "amber"}>{t(`deliveryStatus.${d.status}`)}</Badge></td>
                <td>{d.attempts}</td>
                <td title={d.lastResponseBody ?? ""}>{d.lastResponseStatus ?? (d.attempts ? t("noAnswer") : "—")}</td>
                <td>{when(d.nextAttemptAtMs)}</td>
                <td><Button variant="secondary" onClick={() => redeliver.mutate({ deliveryId: d.id })}>{t("redeliver")}</Button></td>
              </tr>
            ))}
            {deliveries.isPending ? <NoteRow span={7} text={t("loading")} /> : deliveries.data?.length === 0 ? <NoteRow span={7} text={t("noDeliveries")} /> : null}
          </tbody>
        </table>
      </Card>
    </>
  );
}

export function Integrations() {
  return (
    <div className="space-y-6">
      <ApiKeys />
      <Audit />
      <Webhooks />
    </div>
  );
}
