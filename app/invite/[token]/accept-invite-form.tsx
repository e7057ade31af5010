"use client";

import Link from "next/link";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "../../_trpc/client";
import { Alert, Button, Field, inputClass } from "../../_components/ui";
import { errorMessage } from "../../_lib/errors";

export function AcceptInviteForm({ token }: { token: string }) {
  const trpc = useTRPC();
  const invite = useQuery(trpc.auth.describeInvite.queryOptions({ token }, { retry: false }));
  const accept = useMutation(trpc.auth.acceptInvite.mutationOptions());
  const [password, setPassword] = useState("");

  if (invite.isPending) return <p className="text-sm text-slate-500">Checking your invitation…</p>;
  if (invite.error) return <Alert>{errorMessage(invite.error)}</Alert>;
  if (accept.isSuccess) {
    return (
      <div className="space-y-4">
        <Alert tone="green">Your account is active. Sign in with {accept.data.email}.</Alert>
        <Link href="/signin" className="text-sm font-medium text-brand-600 hover:underline">
          Go to sign in
        </Link>
      </div>
    );
  }
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    accept.mutate({ token, password });
  };
  return (
    <form onSubmit={onSubmit} className="space-y-4">
      <p className="text-sm text-slate-600">
        {invite.data.name}, you are invited to <strong>{invite.data.orgName}</strong> as {invite.data.email}.
      </p>
      {accept.error ? <Alert>{errorMessage(accept.error)}</Alert> : null}
      <Field label="New password" htmlFor="password" hint="At least 10 characters">
        <input id="password" type="password" className={inputClass} value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
      </Field>
      <Button type="submit" disabled={accept.isPending} className="w-full">
        Activate account
      </Button>
    </form>
  );
}
