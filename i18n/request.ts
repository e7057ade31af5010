import { cookies, headers } from "next/headers";
import { getRequestConfig } from "next-intl/server";
import { LOCALE_COOKIE, negotiateLocale } from "@/app/_lib/locale";

/**
 * next-intl without i18n routing: URLs carry no locale; each request's locale comes from the
 * user's setting (cookie), else the browser's Accept-Language (app/_lib/locale.ts).
 */
export default getRequestConfig(async () => {
  const locale = negotiateLocale((await cookies()).get(LOCALE_COOKIE)?.value, (await headers()).get("accept-language"));
  return {
    locale,
    messages: (await import(`../messages/${locale}.json`)).default,
    timeZone: "Asia/Shanghai",
  };
});
