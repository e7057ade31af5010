"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "../../../_trpc/client";
import { Alert, Badge, Button, Card, Field, inputClass } from "../../../_components/ui";
import { errorMessage } from "../../../_lib/errors";

const when = (ms: number | null) => (ms === null ? "—" : new Date(ms).toISOString().replace("T", " ").slice(0, 19) + " UTC");

function ApiKeys() {
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
    <Card title="API keys">
      {create.error ? <Alert>{errorMessage(create.error)}</Alert> : null}
      {revoke.error ? <Alert>{errorMessage(revoke.error)}</Alert> : null}
      {token ? (
        <Alert tone="green">
          Copy the key now; it is not shown again: <code className="break-all rounded bg-white/70 px-1" data-testid="api-key-token">{token}</code>
        </Alert>
      ) : null}
      <table className="w-full text-sm">
        <thead>
          <tr className="text-left text-slate-500"><th>Name</th><th>Key</th><th>Scopes</th><th>Expires</th><th>Last used</th><th>Status</th><th /></tr>
        </thead>
        <tbody>
          {(keys.data ?? []).map((key) => (
            <tr key={key.id} className="border-t border-slate-100">
              <td>{key.name}</td>
              <td><code>{key.prefix}…</code></td>
              <td>{key.scopes.join(", ")}</td>
              <td>{when(key.expiresAtMs)}</td>
              <td>{when(key.lastUsedAtMs)}</td>
              <td><Badge tone={key.status === "active" ? "green" : "slate"}>{key.status}</Badge></td>
              <td>{key.status === "active" ? <Button variant="secondary" onClick={() => revoke.mutate({ keyId: key.id })}>Revoke</Button> : null}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={(e) => void onSubmit(e).catch(() => {})} className="mt-4 grid gap-4 sm:grid-cols-4">
        <Field label="Name" htmlFor="key-name"><input id="key-name" name="name" required maxLength={100} className={inputClass} placeholder="Loan system" /></Field>
        <Field label="Expires after (days)" htmlFor="key-days"><input id="key-days" name="days" type="number" min={1} max={366} defaultValue={90} className={inputClass} /></Field>
        <fieldset className="text-sm">
          <legend className="text-slate-700">Scopes</legend>
          <label className="mr-3"><input type="checkbox" name="scope-read" defaultChecked /> read</label>
          <label><input type="checkbox" name="scope-submit" /> submit</label>
        </fieldset>
        <div className="self-end"><Button type="submit" disabled={create.isPending}>Create key</Button></div>
      </form>
    </Card>
  );
}

function Audit() {
  const trpc = useTRPC();
  const audit = useQuery(trpc.integrations.audit.queryOptions());
  const rows = audit.data ?? [];
  const csv = ["at,key,method,path,status,code", ...rows.map((r) => [new Date(r.atMs).toISOString(), r.keyId, r.method, r.path, r.status, r.code ?? ""].join(","))].join("\n");
  return (
    <Card title="Audit log" action={<a className="text-sm underline" download="api-audit.csv" href={`data:text/csv;charset=utf-8,${encodeURIComponent(csv)}`}>Export CSV</a>}>
      <table className="w-full text-sm">
        <thead><tr className="text-left text-slate-500"><th>When</th><th>Key</th><th>Call</th><th>Status</th></tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} className="border-t border-slate-100"><td>{when(r.atMs)}</td><td><code>{r.keyId}</code></td><td><code>{r.method} {r.path}</code></td><td>{r.status}{r.code ? ` ${r.code}` : ""}</td></tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}

function Webhooks() {
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
      <Card title="Webhook endpoints">
        {create.error ? <Alert>{errorMessage(create.error)}</Alert> : null}
        <ul className="space-y-2 text-sm">
          {(endpoints.data ?? []).map((e) => (
            <li key={e.id}>
              <code>{e.url}</code> — {e.events.join(", ")} {e.enabled ? null : <Badge>disabled</Badge>}
              <div className="text-slate-500">Signing secret (verify with the standardwebhooks package): <code className="break-all">{e.secret}</code></div>
            </li>
          ))}
        </ul>
        <form onSubmit={(e) => void onSubmit(e).catch(() => {})} className="mt-4 space-y-3">
          <Field label="Endpoint URL (https)" htmlFor="hook-url"><input id="hook-url" name="url" required className={inputClass} placeholder="https://erp.example.com/double-chain" /></Field>
          <fieldset className="flex flex-wrap gap-3 text-sm">
            <legend className="text-slate-700">Events</legend>
            {(events.data ?? []).map((name) => (
              <label key={name}><input type="checkbox" name="events" value={name} /> {name}</label>
            ))}
          </fieldset>
          <Button type="submit" disabled={create.isPending}>Add endpoint</Button>
        </form>
      </Card>
      <Card title="Deliveries">
        {redeliver.error ? <Alert>{errorMessage(redeliver.error)}</Alert> : null}
        <table className="w-full text-sm">
          <thead><tr className="text-left text-slate-500"><th>Event</th><th>Endpoint</th><th>Status</th><th>Attempts</th><th>Last answer</th><th>Next try</th><th /></tr></thead>
          <tbody>
            {(deliveries.data ?? []).map((d) => (
              <tr key={d.id} className="border-t border-slate-100">
                <td>{d.eventType}</td>
                <td><code>{d.url}</code></td>
                <td><Badge tone={d.status === "succeeded" ? "green" : d.status === "dead" ? "red" : "amber"}>{d.status}</Badge></td>
                <td>{d.attempts}</td>
                <td title={d.lastResponseBody ?? ""}>{d.lastResponseStatus ?? (d.attempts ? "no answer" : "—")}</td>
                <td>{when(d.nextAttemptAtMs)}</td>
                <td><Button variant="secondary" onClick={() => redeliver.mutate({ deliveryId: d.id })}>Redeliver</Button></td>
              </tr>
            ))}
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
