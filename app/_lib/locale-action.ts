"use server";

import { cookies } from "next/headers";
import { LOCALE_COOKIE, isLocale } from "./locale";

/** Keeps the user's choice of language for a year; the next render reads it (i18n/request.ts). */
export async function setLocale(locale: string): Promise<void> {
  if (!isLocale(locale)) return;
  (await cookies()).set(LOCALE_COOKIE, locale, { path: "/", maxAge: 365 * 24 * 3600, sameSite: "lax" });
}
