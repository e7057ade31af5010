import { SMTPServer } from "smtp-server";

/*
 * A real SMTP server for tests that send email (the smtp-server package on localhost): it
 * accepts every message and keeps it, so a test reads what a person would receive.
 */

export interface ReceivedMail {
  to: string[];
  /** The raw message as it arrived (headers and body). */
  raw: string;
  /** The decoded text of a single-part message (base64 or quoted-printable). */
  text: string;
}

export interface SmtpReceiver {
  readonly received: ReceivedMail[];
  /** The decoded texts of the messages sent to `address`, in arrival order. */
  textsTo(address: string): string[];
  close(): Promise<void>;
}

/** The text part of a raw single-part message, decoded from base64 or quoted-printable. */
export function decodedText(raw: string): string {
  const split = raw.indexOf("\r\n\r\n");
  const headers = raw.slice(0, split).toLowerCase();
  const body = raw.slice(split + 4);
  if (headers.includes("content-transfer-encoding: base64")) return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  if (headers.includes("content-transfer-encoding: quoted-printable")) {
    const bytes = body.replace(/=\r\n/g, "").replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, "latin1").toString("utf8");
  }
  return body;
}

export async function startSmtpReceiver(port: number): Promise<SmtpReceiver> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, session, callback) {
      let raw = "";
      stream.on("data", (chunk: Buffer) => (raw += chunk.toString("latin1")));
      stream.on("end", () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw, text: decodedText(raw) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    received,
    textsTo: (address) => received.filter((mail) => mail.to.includes(address)).map((mail) => mail.text),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
