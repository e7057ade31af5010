import type { ReactNode } from "react";
import { useTranslations } from "next-intl";
import { Brand } from "./app-shell";

export function AuthFrame({ title, subtitle, children }: { title: string; subtitle?: string; children: ReactNode }) {
  const t = useTranslations("authFrame");
  return (
    <div className="grid min-h-screen lg:grid-cols-2">
      <div className="flex flex-col justify-center px-6 py-12 sm:px-12">
        <div className="mx-auto w-full max-w-sm">
          <div className="-ml-6 mb-6">
            <Brand />
          </div>
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
          {subtitle ? <p className="mt-2 text-sm text-slate-500">{subtitle}</p> : null}
          <div className="mt-8">{children}</div>
        </div>
      </div>
      <div className="hidden bg-gradient-to-br from-brand-900 via-brand-700 to-brand-500 p-12 text-white lg:flex lg:flex-col lg:justify-end">
        <blockquote className="max-w-md">
          <p className="text-xl font-medium leading-relaxed">
            {t("quote")}
          </p>
          <footer className="mt-6 text-sm text-brand-100">{t("steps")}</footer>
        </blockquote>
      </div>
    </div>
  );
}
