import { useTranslations } from "next-intl";
import type { OrganisationRole } from "@/contracts/ledger/types";
import { Card } from "../../_components/ui";

const EXPORTS = [
  { dataset: "holdings", roles: ["supplier", "lender"] },
  { dataset: "financings", roles: ["supplier", "lender"] },
  { dataset: "repayments", roles: ["supplier", "lender", "core_enterprise"] },
] as const satisfies readonly { dataset: string; roles: readonly OrganisationRole[] }[];

/** Download buttons for the organisation's own records as CSV (served by /api/export/<dataset>). */
export function ExportsCard({ role }: { role: OrganisationRole }) {
  // A core enterprise holds no claims and takes no part in financings: only its repayments are its records.
  const t = useTranslations("exports");
  const exports = EXPORTS.filter((e) => (e.roles as readonly OrganisationRole[]).includes(role));
  return (
    <Card title={t("title")}>
      <p className="mb-4 text-sm text-slate-600">{t("body")}</p>
      <ul className="grid gap-3 sm:grid-cols-3">
        {exports.map((e) => (
          <li key={e.dataset} className="flex flex-col justify-between gap-2 rounded-lg border border-slate-200 p-3">
            <span className="text-xs text-slate-500">{t(`${e.dataset}.hint`)}</span>
            <a
              href={`/api/export/${e.dataset}`}
              download
              data-testid={`export-${e.dataset}`}
              className="inline-flex items-center justify-center gap-2 rounded-md bg-white px-3 py-2 text-sm font-medium text-slate-700 shadow-xs ring-1 ring-inset ring-slate-300 hover:bg-slate-50"
            >
              <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4" fill="currentColor">
                <path d="M10 3a1 1 0 0 1 1 1v7.59l2.3-2.3a1 1 0 1 1 1.4 1.42l-4 4a1 1 0 0 1-1.4 0l-4-4a1 1 0 1 1 1.4-1.42L9 11.6V4a1 1 0 0 1 1-1ZM4 15a1 1 0 0 1 1 1v1h10v-1a1 1 0 1 1 2 0v2a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1v-2a1 1 0 0 1 1-1Z" />
              </svg>
              {t("download", { label: t(`${e.dataset}.label`) })}
            </a>
          </li>
        ))}
      </ul>
    </Card>
  );
}
