"use client";

import Link, { useLinkStatus } from "next/link";
import { usePathname } from "next/navigation";
import { signOut } from "next-auth/react";
import { useTranslations } from "next-intl";
import { useState, type ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../_trpc/client";
import { LanguageSwitcher } from "./language-switcher";
import { cx } from "./ui";
import type { NavItem } from "./nav";

interface ShellProps {
  nav: NavItem[];
  orgName: string;
  roleLabel: string;
  userName: string;
  userEmail: string;
  pendingReview: boolean;
  /** The signed-in person's unread inbox notifications when the page was rendered; null when it could not be read. */
  unreadCount: number | null;
  /** Transactions waiting for the signed-in approver's approval when the page was rendered (null: none to show). */
  approvalsWaiting?: number | null;
  children: ReactNode;
}

/** How often the open shell asks for its badges' counts (the unread one is one indexed count; the approvals one reads the organisation's pending rows, pending_approvals_org_status_idx). */
const COUNT_POLL_MS = 30_000;

/** Polling for a badge's count: every 30 s while the tab is visible and whenever the window regains focus; a failed poll keeps the last count. */
const countPolling = { staleTime: COUNT_POLL_MS / 2, refetchInterval: COUNT_POLL_MS, refetchIntervalInBackground: false, refetchOnWindowFocus: "always", retry: false } as const;

/**
 * The unread badge's count: the server's at render, then polled (countPolling), so a
 * notification shows without navigating. The inbox invalidates it when something is marked read.
 */
function useUnreadCount(rendered: number | null): number | null {
  const trpc = useTRPC();
  const query = useQuery(trpc.notifications.unreadCount.queryOptions(undefined, { ...(rendered === null ? {} : { initialData: rendered }), ...countPolling }));
  return query.data ?? rendered;
}

/**
 * The approvals badge's count, polled like the unread one for everyone the layout asked it for
 * (null, never asked: viewers and organisations awaiting approval), so a transaction waiting for
 * approval shows without navigating.
 */
function useApprovalsWaiting(rendered: number | null): number | null {
  const trpc = useTRPC();
  const query = useQuery(trpc.approvals.waitingCount.queryOptions(undefined, { ...(rendered === null ? {} : { initialData: rendered }), enabled: rendered !== null, ...countPolling }));
  return rendered === null ? null : (query.data ?? rendered);
}

export function AppShell({ nav, orgName, roleLabel, userName, userEmail, pendingReview, unreadCount: renderedUnread, approvalsWaiting: renderedApprovals = null, children }: ShellProps) {
  const t = useTranslations();
  const unreadCount = useUnreadCount(renderedUnread);
  const approvalsWaiting = useApprovalsWaiting(renderedApprovals);
  const pathname = usePathname();
  const [menuOpen, setMenuOpen] = useState(false);
  // The most specific entry wins: /financing/policies is Auto-financing, not also the desk.
  const matches = nav.filter((item) => pathname === item.href || pathname.startsWith(`${item.href}/`));
  const activeHref = matches.sort((a, b) => b.href.length - a.href.length)[0]?.href;
  const links = nav.map((item) => {
    const active = item.href === activeHref;
    return (
      <Link
        key={item.href}
        href={item.href}
        aria-current={active ? "page" : undefined}
        onClick={() => setMenuOpen(false)}
        className={cx("block rounded-md px-3 py-2 text-sm font-medium", active ? "bg-brand-50 text-brand-700" : "text-slate-600 hover:bg-slate-100 hover:text-slate-900")}
      >
        {t(`nav.${item.label}`)}
        <NavPending />
        {item.label === "inbox" && unreadCount ? (
          <span className="ml-2 rounded-full bg-brand-600 px-2 py-0.5 text-xs font-semibold text-white" aria-label={t("shell.unread", { count: unreadCount })}>
            {unreadCount}
          </span>
        ) : null}
        {item.label === "approvals" && approvalsWaiting ? (
          <span className="ml-2 rounded-full bg-amber-500 px-2 py-0.5 text-xs font-semibold text-white" aria-label={t("shell.approvalsWaiting", { count: approvalsWaiting })} data-testid="approvals-waiting">
            {approvalsWaiting}
          </span>
        ) : null}
      </Link>
    );
  });
  return (
    <div className="min-h-screen lg:grid lg:grid-cols-[15rem_1fr]">
      <aside className="hidden border-r print:hidden border-slate-200 bg-white lg:block">
        <Brand />
        <nav aria-label={t("shell.mainNavigation")} className="space-y-1 px-3 py-4">
          {links}
        </nav>
      </aside>
      <div className="flex min-w-0 flex-col">
        <header className="print:hidden sticky top-0 z-10 flex items-center justify-between gap-2 border-b border-slate-200 bg-white/90 px-4 py-3 backdrop-blur sm:px-6">
          <div className="flex min-w-0 items-center gap-2 sm:gap-3">
            <button
              type="button"
              className="shrink-0 rounded-md p-2 text-slate-600 hover:bg-slate-100 lg:hidden"
              aria-label={t("shell.openNavigation")}
              aria-expanded={menuOpen}
              onClick={() => setMenuOpen((open) => !open)}
            >
              <svg width="20" height="20" viewBox="0 0 20 20" fill="currentColor" aria-hidden>
                <path d="M3 5h14v2H3zM3 9h14v2H3zM3 13h14v2H3z" />
              </svg>
            </button>
            <div className="min-w-0">
              <div className="truncate text-sm font-semibold text-slate-900" data-testid="header-org">
                {orgName}
              </div>
              <div className="truncate text-xs text-slate-500" data-testid="header-role">
                {roleLabel}
              </div>
            </div>
          </div>
          <div className="flex shrink-0 items-center gap-1 sm:gap-3">
            <Link
              href="/inbox"
              data-testid="header-inbox"
              aria-label={t("shell.unread", { count: unreadCount ?? 0 })}
              title={t("shell.unread", { count: unreadCount ?? 0 })}
              className="relative rounded-md p-2 text-slate-600 hover:bg-slate-100"
            >
              <svg width="20" height="20" viewBox="0 0 20 20" fill="currentColor" aria-hidden>
                <path d="M10 2a5 5 0 00-5 5v3.6L3.3 13.3A1 1 0 004.1 15h11.8a1 1 0 00.8-1.7L15 10.6V7a5 5 0 00-5-5zM8 16a2 2 0 004 0H8z" />
              </svg>
              {unreadCount ? (
                <span className="absolute -right-0.5 -top-0.5 min-w-[1.1rem] rounded-full bg-red-600 px-1 text-center text-[0.65rem] font-semibold leading-[1.1rem] text-white" aria-hidden>
                  {unreadCount > 99 ? "99+" : unreadCount}
                </span>
              ) : null}
            </Link>
            <LanguageSwitcher />
            <div className="hidden text-right sm:block">
              <div className="text-sm font-medium text-slate-800">{userName}</div>
              <div className="text-xs text-slate-500">{userEmail}</div>
            </div>
            <button
              type="button"
              onClick={() => signOut({ callbackUrl: "/signin" })}
              className="shrink-0 whitespace-nowrap rounded-md px-2 py-1.5 text-sm sm:px-3 font-medium text-slate-600 ring-1 ring-inset ring-slate-300 hover:bg-slate-50"
            >
              {t("shell.signOut")}
            </button>
          </div>
        </header>
        {menuOpen ? (
          <nav aria-label={t("shell.mainNavigation")} className="print:hidden space-y-1 border-b border-slate-200 bg-white px-3 py-3 lg:hidden">
            {links}
          </nav>
        ) : null}
        {pendingReview ? (
          <div className="border-b border-amber-200 bg-amber-50 px-6 py-2 text-sm text-amber-900">
            {t("shell.pendingReview")}
          </div>
        ) : null}
        <main className="mx-auto w-full max-w-6xl flex-1 px-4 py-8 sm:px-6">{children}</main>
      </div>
    </div>
  );
}

export function Brand() {
  const t = useTranslations("common");
  return (
    <div className="flex items-center gap-2 px-6 py-5">
      <svg width="28" height="28" viewBox="0 0 32 32" aria-hidden>
        <rect width="32" height="32" rx="8" className="fill-brand-600" />
        <path d="M9 11h8a5 5 0 010 10H9" stroke="white" strokeWidth="2.5" fill="none" strokeLinecap="round" />
        <path d="M15 11h8M15 21h8" stroke="#9cc0ff" strokeWidth="2.5" strokeLinecap="round" />
      </svg>
      <span className="text-base font-semibold tracking-tight text-slate-900">{t("brand")}</span>
    </div>
  );
}

/**
 * The loading state of a page rendered on the server: while the link's page is on its way the
 * link shows a spinner and says so to screen readers, and the page it leaves stays usable. (A
 * route-level loading.tsx is not used: see LoadingPage in status-page.tsx.)
 */
function NavPending() {
  const { pending } = useLinkStatus();
  const t = useTranslations("shell");
  if (!pending) return null;
  return (
    <span role="status" className="ml-2 inline-flex align-middle" data-testid="nav-pending">
      <svg className="size-3.5 animate-spin text-brand-600" viewBox="0 0 24 24" fill="none" aria-hidden="true">
        <circle cx="12" cy="12" r="10" stroke="currentColor" strokeWidth="3" className="opacity-25" />
        <path d="M22 12a10 10 0 0 0-10-10" stroke="currentColor" strokeWidth="3" strokeLinecap="round" />
      </svg>
      <span className="sr-only">{t("opening")}</span>
    </span>
  );
}
