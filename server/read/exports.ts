import { and, eq, inArray, or, sql } from "drizzle-orm";
import { stringify } from "csv-stringify/sync";
import { beijingDate } from "@/contracts/ledger/maturity";
import type { Db } from "@/db/client";
import { claims, financings, ledgerEntries, repayments } from "@/db/schema";
import type { Actor } from "../actor";
import { assertAllowed, canSeeOwnPortfolio } from "../authz";
import { organisationNames } from "../ledger/repository";
import { outstandingMinor } from "@/contracts/ledger/claims";

/*
 * CSV exports of an organisation's own records, for its spreadsheets and its accounting
 * system. Amounts are exact decimal strings in CNY ("200.00": converted from fen with
 * integers, never through floating point), dates ISO 8601 in UTC, one header row, RFC 4180
 * quoting by csv-stringify, CRLF line ends and a UTF-8 byte order mark so that spreadsheet
 * programs read Chinese names correctly.
 */

export const EXPORT_DATASETS = ["holdings", "financings", "repayments"] as const;
export type ExportDataset = (typeof EXPORT_DATASETS)[number];

export interface CsvFile {
  filename: string;
  csv: string;
}

/** 20000n -> "200.00"; exact, no grouping, for machines. */
export function decimalCny(amountMinor: bigint | null): string | null {
  if (amountMinor === null) return null;
  const negative = amountMinor < 0n;
  const abs = negative ? -amountMinor : amountMinor;
  return `${negative ? "-" : ""}${abs / 100n}.${(abs % 100n).toString().padStart(2, "0")}`;
}

/**
 * Text that people typed (organisation names, payment references) may start with a
 * character a spreadsheet reads as a formula (=, +, -, @): such a cell is prefixed with an
 * apostrophe, so opening the file never runs anything (OWASP's CSV injection advice).
 */
export function safeText(value: string | null): string | null {
  return value !== null && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

const percentFromBps = (bps: number | null) => (bps === null ? null : `${Math.trunc(bps / 100)}.${String(bps % 100).padStart(2, "0")}`);
const isoTime = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());

type Cell = string | number | null;

function toCsv(columns: readonly string[], rows: Cell[][]): string {
  return stringify(rows, { header: true, columns: [...columns], bom: true, record_delimiter: "windows" });
}

/** The CSV of one dataset, with only the caller's own organisation's records. */
export async function exportCsv(db: Db, actor: Actor, dataset: ExportDataset, nowMs = Date.now()): Promise<CsvFile> {
  assertAllowed(canSeeOwnPortfolio(actor), "Exports are for members of an approved lender, core enterprise or supplier.");
  const names = await organisationNames(db);
  const name = (id: string | null) => (id === null ? null : safeText(names.get(id) ?? id));
  const builders = { holdings: holdingsCsv, financings: financingsCsv, repayments: repaymentsCsv };
  const csv = await builders[dataset](db, actor.orgId, name);
  return { filename: `double-chain-${dataset}-${beijingDate(nowMs)}.csv`, csv };
}

type NameOf = (orgId: string | null) => string | null;

/** Claims the organisation holds now (a lender's include those it financed). */
async function holdingsCsv(db: Db, orgId: string, name: NameOf): Promise<string> {
  const rows = await db
    .select()
    .from(claims)
    .where(and(eq(claims.holderOrgId, orgId), inArray(claims.state, ["held", "pledged", "financed", "overdue"])))
    .orderBy(claims.maturityDate, claims.id);
  return toCsv(
    ["claim_id", "root_claim_id", "core_enterprise", "tier", "state", "face_amount_cny", "settled_cny", "outstanding_cny", "currency", "maturity_date"],
    rows.map((c) => [c.id, c.rootId, name(c.issuerOrgId), c.depth, c.state, decimalCny(c.amountMinor), decimalCny(c.settledMinor), decimalCny(outstandingMinor(c)), c.currency, c.maturityDate]),
  );
}

/** Financings the organisation takes part in, as the holder that applied or as the lender. */
async function financingsCsv(db: Db, orgId: string, name: NameOf): Promise<string> {
  const rows = await db
    .select({ f: financings, c: claims, requestedAtMs: ledgerEntries.acceptedAtMs })
    .from(financings)
    .innerJoin(claims, eq(claims.id, financings.claimId))
    .leftJoin(ledgerEntries, eq(ledgerEntries.txId, financings.createdTxId))
    .where(or(eq(financings.holderOrgId, orgId), eq(financings.lenderOrgId, orgId)))
    .orderBy(ledgerEntries.leafIndex);
  return toCsv(
    [
      "financing_id", "requested_at", "status", "claim_id", "holder", "lender", "core_enterprise", "face_amount_cny", "annual_rate_percent",
      "discount_interest_cny", "fees_cny", "net_proceeds_cny", "disbursement_date", "maturity_date", "recourse", "payment_reference",
    ],
    rows.map(({ f, c, requestedAtMs }) => [
      f.id, isoTime(requestedAtMs), f.status, f.claimId, name(f.holderOrgId), name(f.lenderOrgId), name(c.issuerOrgId), decimalCny(f.faceMinor), percentFromBps(f.rateBps),
      decimalCny(f.interestMinor), decimalCny(f.feeMinor), decimalCny(f.netMinor), f.disbursementDate, c.maturityDate, f.recourse === null ? null : f.recourse ? "yes" : "no", safeText(f.paymentReference),
    ]),
  );
}

/**
 * Repayments, one row per holder paid: a core enterprise sees every allocation of what it
 * repaid; any other organisation sees only what was paid to it.
 */
async function repaymentsCsv(db: Db, orgId: string, name: NameOf): Promise<string> {
  const rows = await db
    .select({ r: repayments, issuerOrgId: claims.issuerOrgId, recordedAtMs: ledgerEntries.acceptedAtMs })
    .from(repayments)
    .innerJoin(claims, eq(claims.id, repayments.rootClaimId))
    .leftJoin(ledgerEntries, eq(ledgerEntries.txId, repayments.createdTxId))
    .where(or(eq(claims.issuerOrgId, orgId), sql`${repayments.allocations} @> ${JSON.stringify([{ holderOrgId: orgId }])}::jsonb`))
    .orderBy(ledgerEntries.leafIndex);
  const lines = rows.flatMap(({ r, issuerOrgId, recordedAtMs }) =>
    r.allocations
      .filter((a) => issuerOrgId === orgId || a.holderOrgId === orgId)
      .map((a): Cell[] => [r.id, isoTime(recordedAtMs), r.rootClaimId, name(issuerOrgId), safeText(r.paymentReference), decimalCny(r.amountMinor), a.claimId, name(a.holderOrgId), decimalCny(BigInt(a.amountMinor))]),
  );
  return toCsv(["repayment_id", "recorded_at", "root_claim_id", "core_enterprise", "payment_reference", "repayment_total_cny", "claim_id", "holder", "amount_cny"], lines);
}
