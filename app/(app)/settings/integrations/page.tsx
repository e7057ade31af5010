import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { PageHeader } from "../../../_components/ui";
import { requireActor } from "../../../_lib/session";
import { Integrations } from "./integrations";

export const metadata: Metadata = { title: "API & webhooks" };
export const dynamic = "force-dynamic";

export default async function IntegrationsPage() {
  const actor = await requireActor();
  if (actor.permission !== "admin") redirect("/dashboard");
  return (
    <>
      <PageHeader
        title="API & webhooks"
        subtitle={
          <>
            Machine access for the systems of {actor.orgName}. The reference is at{" "}
            {/* A route handler, not a page: a plain link. */}
            {/* eslint-disable-next-line @next/next/no-html-link-for-pages */}
            <a className="underline" href="/api/v1/docs">/api/v1/docs</a>; an API key authenticates, it never signs.
          </>
        }
      />
      <Integrations />
    </>
  );
}
