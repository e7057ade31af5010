import { createTranslator } from "next-intl";
import en from "@/messages/en.json";
import zhCN from "@/messages/zh-CN.json";
import { formatChineseDate, formatYuan } from "@/contracts/chinese-format";
import type { EmailLocale, NotificationCategory, NotificationKind, Permission } from "@/db/enums";

/*
 * The emails' words, from the interface's catalogues (messages/*.json, "email"). An invitation
 * or a reset goes to someone whose language the server does not know, so it says it in Chinese
 * first, then in English, as the interface's default locale does; a notification is written in
 * the language its recipient chose.
 */

const translators = [createTranslator({ locale: "zh-CN", messages: zhCN, namespace: "email" }), createTranslator({ locale: "en", messages: en, namespace: "email" })];

export interface EmailText {
  subject: string;
  text: string;
}

function bilingual(key: "invitation" | "passwordReset", values: Record<string, string | number>): EmailText {
  const [zh, english] = translators.map((t) => ({ subject: t(`${key}.subject`, values), text: t(`${key}.body`, values) }));
  return { subject: `${zh!.subject} / ${english!.subject}`, text: `${zh!.text}\n\n————————\n\n${english!.text}\n` };
}

export const invitationEmail = (values: { name: string; orgName: string; link: string; validDays: number }) => bilingual("invitation", values);

export const passwordResetEmail = (values: { name: string; link: string; validMinutes: number }) => bilingual("passwordReset", values);

const byLocale = {
  "zh-CN": {
    notifications: createTranslator({ locale: "zh-CN", messages: zhCN, namespace: "notifications" }),
    email: translators[0]!,
    permissions: createTranslator({ locale: "zh-CN", messages: zhCN, namespace: "permissions" }),
  },
  en: {
    notifications: createTranslator({ locale: "en", messages: en, namespace: "notifications" }),
    email: translators[1]!,
    permissions: createTranslator({ locale: "en", messages: en, namespace: "permissions" }),
  },
} as const;

/**
 * The values a notification's words take, from what it stores: amounts (minor units) as
 * ¥1,234.00, a permission by its name in the language, everything else as stored. The inbox
 * page does the same with the browser's formatters (app/(app)/inbox/notification-text.ts).
 */
function notificationValues(locale: EmailLocale, params: Record<string, string>): Record<string, string> {
  const values: Record<string, string> = { ...params };
  if (params.amountMinor !== undefined) values.amount = formatYuan(BigInt(params.amountMinor));
  if (params.date && locale === "zh-CN") values.date = formatChineseDate(params.date);
  if (params.permission !== undefined) values.permission = byLocale[locale].permissions(params.permission as Permission);
  return values;
}

/**
 * The email of one notification, in the language its recipient chose (Settings → Notifications;
 * Chinese until they choose): the notification's title as the subject, its sentence, the page it
 * links to and where to change what is emailed.
 */
export function notificationEmail(
  locale: EmailLocale,
  input: { name: string; kind: NotificationKind; category: NotificationCategory; params: Record<string, string>; link: string; settingsLink: string },
): EmailText {
  const t = byLocale[locale];
  const values = notificationValues(locale, input.params);
  return {
    subject: t.notifications(`titles.${input.kind}`),
    text: `${t.email("notification.body", {
      name: input.name,
      sentence: t.notifications(`kinds.${input.kind}`, values),
      link: input.link,
      category: t.notifications(`categories.${input.category}`),
      settingsLink: input.settingsLink,
    })}\n`,
  };
}
