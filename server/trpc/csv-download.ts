import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { RETRY_AFTER_SECONDS } from "@/db/availability";
import { EXPORT_DATASETS, type CsvFile, type ExportDataset } from "../read/exports";

/** What the download needs of a tRPC caller: the same procedure, gate and error mapping as the API. */
export interface ExportCaller {
  reports: { exportCsv(input: { dataset: ExportDataset }): Promise<CsvFile> };
}

/** The heading a person reads for a column of an export; the column's own name by default. */
export type ColumnHeading = (column: string) => string;

/** One CSV field, quoted as RFC 4180 asks when it holds a comma, a quote or a line break. */
const field = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

/**
 * The file with its header row in the reader's words. The export's own header row is its
 * column names (snake_case, no quoting needed), which the API keeps for programs that read it.
 */
export function withHeadings(csv: string, heading: ColumnHeading): string {
  const bom = csv.startsWith("\uFEFF") ? "\uFEFF" : "";
  const end = csv.indexOf("\r\n");
  const columns = csv.slice(bom.length, end).split(",");
  return bom + columns.map((column) => field(heading(column))).join(",") + csv.slice(end);
}

const isDataset = (value: string): value is ExportDataset => (EXPORT_DATASETS as readonly string[]).includes(value);

function plain(status: number, message: string): Response {
  return new Response(`${message}\n`, { status, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
}

/**
 * A CSV export as a file download (`/api/export/holdings`). It goes through the tRPC
 * procedure, so the session check (401), the authorisation rule (403) and the messages are
 * exactly those of the API; this only turns the answer into an HTTP response.
 */
export async function csvDownload(caller: ExportCaller, dataset: string, heading?: ColumnHeading): Promise<Response> {
  if (!isDataset(dataset)) return plain(404, `No export named "${dataset.slice(0, 40)}". Use one of: ${EXPORT_DATASETS.join(", ")}.`);
  try {
    const file = await caller.reports.exportCsv({ dataset });
    return new Response(heading ? withHeadings(file.csv, heading) : file.csv, {
      status: 200,
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${file.filename}"`,
        "cache-control": "private, no-store",
      },
    });
  } catch (error) {
    if (error instanceof TRPCError) {
      const response = plain(getHTTPStatusCodeFromError(error), error.code === "INTERNAL_SERVER_ERROR" ? "The export failed. Try again." : error.message);
      if (error.code === "SERVICE_UNAVAILABLE") response.headers.set("retry-after", String(RETRY_AFTER_SECONDS));
      return response;
    }
    throw error;
  }
}
