/** The app's public address for links that leave it (a voucher's QR code): NEXTAUTH_URL, as emails use. */
export function publicBaseUrl(): string {
  return (process.env.NEXTAUTH_URL ?? "http://localhost:3000").replace(/\/+$/, "");
}
