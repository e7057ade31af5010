import nodemailer from "nodemailer";

/*
 * Email to people (invitations, password resets), over SMTP with nodemailer. The transport is
 * made once, with the runtime (server/runtime/runtime.ts), from SMTP_URL and MAIL_FROM
 * (server/env.ts); without SMTP_URL nothing is sent and the callers say so (an invitation link
 * is still shown to the admin who made it).
 */

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** A failed delivery is an outcome, not an error: the invitation or reset exists either way, and the person may ask again. */
export type MailOutcome = "sent" | "not_configured" | "failed";

export interface Mailer {
  readonly configured: boolean;
  send(message: MailMessage): Promise<MailOutcome>;
}

export const DEFAULT_MAIL_FROM = "Double-chain <no-reply@doublechain.cn>";

export function createMailer(settings: { smtpUrl?: string | undefined; from?: string | undefined }): Mailer {
  if (!settings.smtpUrl) return { configured: false, send: async () => "not_configured" };
  const transport = nodemailer.createTransport(settings.smtpUrl);
  const from = settings.from ?? DEFAULT_MAIL_FROM;
  return {
    configured: true,
    async send(message) {
      try {
        await transport.sendMail({ from, to: message.to, subject: message.subject, text: message.text });
        return "sent";
      } catch (error) {
        // Never the message: it carries a one-time link.
        const code = (error as { code?: unknown }).code;
        console.error(`[mail] not sent: ${error instanceof Error ? error.name : "error"}${typeof code === "string" ? ` [${code}]` : ""}`);
        return "failed";
      }
    },
  };
}

/** What a command needs to email a link: the transport and the app's public address. */
export interface MailSettings {
  mailer: Mailer;
  /** NEXTAUTH_URL, without a trailing slash: links in emails start here. */
  baseUrl: string;
}

/** SMTP_URL's transport (nothing sent without it), MAIL_FROM, and links to NEXTAUTH_URL: what a job that emails uses. */
export function mailFromEnvironment(): MailSettings {
  return {
    mailer: createMailer({ smtpUrl: process.env.SMTP_URL || undefined, from: process.env.MAIL_FROM || undefined }),
    baseUrl: (process.env.NEXTAUTH_URL ?? "http://localhost:3000").replace(/\/+$/, ""),
  };
}
