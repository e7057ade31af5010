import Link from "next/link";
import type { ReactNode } from "react";
import { useTranslations } from "next-intl";

/**
 * The frame of the loading, error and not-found pages: what happened in one line, what it
 * means, and the way forward as buttons. Texts come from the catalogue (errorPages).
 */
export function StatusPage({ code, title, body, children }: { code?: string; title: string; body: ReactNode; children: ReactNode }) {
  return (
    <div className="mx-auto flex min-h-[50vh] max-w-lg flex-col items-center justify-center px-6 py-16 text-center" data-testid="status-page">
      {code ? <p className="text-sm font-semibold tracking-wide text-brand-600">{code}</p> : null}
      <h1 className="mt-2 text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
      <p className="mt-3 text-sm text-slate-600">{body}</p>
      <div className="mt-8 flex flex-wrap items-center justify-center gap-3">{children}</div>
    </div>
  );
}

export function StatusLink({ href, primary = false, children }: { href: string; primary?: boolean; children: ReactNode }) {
  return (
    <Link
      href={href}
      className={
        primary
          ? "inline-flex items-center rounded-md bg-brand-600 px-3.5 py-2 text-sm font-medium text-white shadow-xs hover:bg-brand-700"
          : "inline-flex items-center rounded-md bg-white px-3.5 py-2 text-sm font-medium text-slate-700 shadow-xs ring-1 ring-inset ring-slate-300 hover:bg-slate-50"
      }
    >
      {children}
    </Link>
  );
}

/**
 * A quiet placeholder while a page's data loads; the shell around it stays usable. Not used
 * as a route-level app/loading.tsx: with one, the streamed page left a hidden second copy of
 * its content in the document for seconds (two matches for every e2e lookup). Pages rendered
 * on the server show their pending navigation in the shell (the link's spinner, NavPending);
 * parts that load on the client show this, or a Skeleton of their shape, in place.
 */
export function LoadingPage({ label }: { label: string }) {
  return (
    <div role="status" aria-live="polite" aria-busy="true" className="flex min-h-[40vh] items-center justify-center gap-3 text-sm text-slate-500" data-testid="loading-page">
      <svg className="size-5 animate-spin text-brand-600" viewBox="0 0 24 24" fill="none" aria-hidden="true">
        <circle cx="12" cy="12" r="10" stroke="currentColor" strokeWidth="3" className="opacity-25" />
        <path d="M22 12a10 10 0 0 0-10-10" stroke="currentColor" strokeWidth="3" strokeLinecap="round" />
      </svg>
      {label}
    </div>
  );
}

/**
 * The shape of a list or card that is still loading: grey bars where its rows will be, and the
 * label for screen readers (and as a caption under the bars), so nobody mistakes it for empty.
 */
export function Skeleton({ label, rows = 3 }: { label: string; rows?: number }) {
  return (
    <div role="status" aria-live="polite" aria-busy="true" className="space-y-3 py-2" data-testid="loading-skeleton">
      {Array.from({ length: rows }, (_, row) => (
        <div key={row} className="flex animate-pulse items-center gap-3" aria-hidden="true">
          <div className="h-3 w-1/4 rounded bg-slate-200" />
          <div className="h-3 flex-1 rounded bg-slate-100" />
          <div className="h-3 w-16 rounded bg-slate-200" />
        </div>
      ))}
      <p className="text-xs text-slate-500">{label}</p>
    </div>
  );
}

/**
 * The one not-found page, for both app/not-found.tsx (any address, signed in or not) and
 * app/(app)/not-found.tsx (notFound() of a signed-in page): they differ only in the second
 * way forward, sign-in for a visitor who may be signed out, the claims for one who is not.
 */
export function NotFoundPage({ signedIn }: { signedIn: boolean }) {
  const t = useTranslations("errorPages");
  return (
    <StatusPage code="404" title={t("notFoundTitle")} body={t("notFoundBody")}>
      <StatusLink href="/dashboard" primary>
        {t("toDashboard")}
      </StatusLink>
      {signedIn ? <StatusLink href="/claims">{t("toClaims")}</StatusLink> : <StatusLink href="/signin">{t("toSignIn")}</StatusLink>}
    </StatusPage>
  );
}
