"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useTRPC } from "../../_trpc/client";
import { Alert, Badge, Button, Card, EmptyState, cx } from "../../_components/ui";
import { Skeleton } from "../../_components/status-page";
import { errorMessage } from "../../_lib/errors";
import { useFormatters } from "../../_lib/use-formatters";
import type { RouterOutputs } from "../../_trpc/types";

type Notification = RouterOutputs["notifications"]["list"]["items"][number];

/** The values a notification's sentence takes (the email does the same on the server, server/mail/texts.ts). */
function useNotificationText() {
  const t = useTranslations();
  const f = useFormatters();
  return (n: Notification) => {
    const values: Record<string, string> = { ...n.params };
    if (n.params.amountMinor !== undefined) values.amount = f.money(BigInt(n.params.amountMinor));
    if (n.params.date) values.date = f.date(n.params.date);
    if (n.params.permission !== undefined) values.permission = t(`permissions.${n.params.permission as "viewer"}`);
    return { title: t(`notifications.titles.${n.kind}`), sentence: t(`notifications.kinds.${n.kind}`, values) };
  };
}

export function InboxList() {
  const t = useTranslations("notifications");
  const tAll = useTranslations();
  const f = useFormatters();
  const text = useNotificationText();
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const list = useInfiniteQuery(
    trpc.notifications.list.infiniteQueryOptions(
      { limit: 30 },
      {
        getNextPageParam: (page) => {
          const last = page.items.at(-1);
          return page.more && last ? { createdAtMs: last.createdAtMs, id: last.id } : undefined;
        },
      },
    ),
  );
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.notifications.list.infiniteQueryKey() });
    // The shell's unread badge: its query (app-shell.tsx), and the layout's count on the server.
    void queryClient.invalidateQueries({ queryKey: trpc.notifications.unreadCount.queryKey() });
    router.refresh();
  };
  const markRead = useMutation(trpc.notifications.markRead.mutationOptions({ onSuccess: refresh }));
  const markAll = useMutation(trpc.notifications.markAllRead.mutationOptions({ onSuccess: refresh }));

  if (list.isPending) return <Card title={t("caption")}><Skeleton label={t("loading")} rows={4} /></Card>;
  if (list.error) return <Alert>{errorMessage(list.error, tAll)}</Alert>;
  const items = list.data.pages.flatMap((page) => page.items);
  if (items.length === 0) return <EmptyState title={t("empty")}>{t("emptyHint")}</EmptyState>;
  const anyUnread = items.some((n) => n.readAtMs === null);
  return (
    <Card
      title={t("caption")}
      action={
        anyUnread ? (
          <Button variant="secondary" disabled={markAll.isPending} onClick={() => markAll.mutate({ seenUpToMs: Math.max(...items.map((n) => n.createdAtMs)) })}>
            {t("markAllRead")}
          </Button>
        ) : null
      }
    >
      {markRead.error ?? markAll.error ? <Alert>{errorMessage((markRead.error ?? markAll.error)!, tAll)}</Alert> : null}
      <ul className="divide-y divide-slate-100" data-testid="inbox">
        {items.map((n) => {
          const { title, sentence } = text(n);
          const unread = n.readAtMs === null;
          return (
            <li key={n.id} className={cx("flex flex-col gap-2 py-3 sm:flex-row sm:items-start sm:justify-between", unread && "bg-brand-50/40")} data-unread={unread}>
              <div className="min-w-0">
                <div className="flex items-center gap-2">
                  {unread ? <Badge tone="blue">{t("unread")}</Badge> : null}
                  <span className={cx("text-sm", unread ? "font-semibold text-slate-900" : "font-medium text-slate-700")}>{title}</span>
                  <span className="text-xs text-slate-500">{t(`categories.${n.category}`)}</span>
                </div>
                <p className="mt-1 text-sm text-slate-700">{sentence}</p>
                <p className="mt-1 text-xs text-slate-500">{f.dateTime(n.createdAtMs)}</p>
              </div>
              <div className="flex shrink-0 gap-2">
                <Link
                  href={n.href}
                  onClick={() => (unread ? markRead.mutate({ id: n.id }) : undefined)}
                  className="rounded-md px-3 py-1.5 text-sm font-medium text-brand-700 ring-1 ring-inset ring-brand-200 hover:bg-brand-50"
                >
                  {t("open")}
                </Link>
                {unread ? (
                  <Button variant="secondary" disabled={markRead.isPending} onClick={() => markRead.mutate({ id: n.id })}>
                    {t("markRead")}
                  </Button>
                ) : null}
              </div>
            </li>
          );
        })}
      </ul>
      {list.hasNextPage ? (
        <div className="pt-3">
          <Button variant="secondary" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
            {t("more")}
          </Button>
        </div>
      ) : null}
    </Card>
  );
}
