import { createTranslator } from "next-intl";
import en from "@/messages/en.json";
import zhCN from "@/messages/zh-CN.json";

/*
 * The emails' words, from the interface's catalogues (messages/*.json, "email"). The server
 * does not know which language the receiver reads, so each email says it in Chinese first,
 * then in English, as the interface's default locale does.
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
