
/** Formats minor units (fen) as CNY without going through floating point for the integer part. */
export function formatMinor(amountMinor: bigint, currency = "CNY"): string {
  if (currency !== "CNY") return `${amountMinor} ${currency} minor units`;
  const negative = amountMinor < 0n;
  const abs = negative ? -amountMinor : amountMinor;
  const yuan = abs / 100n;
  const fen = (abs % 100n).toString().padStart(2, "0");
  const grouped = yuan.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}¥${grouped}.${fen}`;
}

export function formatDate(value: Date | string | number): string {
  return new Date(value).toLocaleDateString("en-GB", { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
}

