"use client";

import Link from "next/link";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "../_trpc/client";
import { Alert, Button, Field, inputClass } from "../_components/ui";
import { errorMessage } from "../_lib/errors";

const ROLES = [
  { value: "supplier", label: "Supplier" },
  { value: "core_enterprise", label: "Core enterprise (buyer)" },
  { value: "lender", label: "Lender (bank or factor)" },
  { value: "auditor", label: "Auditor" },
] as const;

export function ApplyForm() {
  const trpc = useTRPC();
  const apply = useMutation(trpc.auth.applyToJoin.mutationOptions());
  const [done, setDone] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const get = (k: string) => String(f.get(k) ?? "");
    await apply.mutateAsync({
      organisationName: get("organisationName"),
      role: get("role") as (typeof ROLES)[number]["value"],
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
        <Alert tone="green">Application received. You can sign in now; business actions unlock once the operator approves your organisation.</Alert>
        <Link href="/signin" className="text-sm font-medium text-brand-600 hover:underline">
          Go to sign in
        </Link>
      </div>
    );
  }
  return (
    <form onSubmit={(e) => void onSubmit(e).catch(() => {})} className="space-y-4">
      {apply.error ? <Alert>{errorMessage(apply.error)}</Alert> : null}
      <Field label="Organisation name" htmlFor="organisationName">
        <input id="organisationName" name="organisationName" required minLength={2} className={inputClass} />
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Type" htmlFor="role">
          <select id="role" name="role" className={inputClass} defaultValue="supplier">
            {ROLES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="City" htmlFor="city">
          <input id="city" name="city" className={inputClass} />
        </Field>
      </div>
      <Field label="Unified social credit code" htmlFor="registrationNumber" hint="18 characters, as on the business licence">
        <input id="registrationNumber" name="registrationNumber" className={inputClass} maxLength={40} />
      </Field>
      <Field label="Your name" htmlFor="adminName">
        <input id="adminName" name="adminName" required className={inputClass} />
      </Field>
      <Field label="Work email" htmlFor="adminEmail">
        <input id="adminEmail" name="adminEmail" type="email" required className={inputClass} autoComplete="username" />
      </Field>
      <Field label="Password" htmlFor="adminPassword" hint="At least 10 characters">
        <input id="adminPassword" name="adminPassword" type="password" required minLength={10} className={inputClass} autoComplete="new-password" />
      </Field>
      <Button type="submit" className="w-full" disabled={apply.isPending}>
        {apply.isPending ? "Sending…" : "Send application"}
      </Button>
    </form>
  );
}
