import { z } from "zod";
import { EXPORT_DATASETS, exportCsv } from "../../read/exports";
import { portfolioFor } from "../../read/portfolio";
import { orgProcedure, router } from "../init";

export const reportsRouter = router({
  /** The figures behind the caller's dashboard charts (own organisation only). */
  portfolio: orgProcedure.query(({ ctx }) => portfolioFor(ctx.db, ctx.actor)),
  /** One CSV file of the caller's own records; /api/export/<dataset> serves it as a download. */
  exportCsv: orgProcedure.input(z.object({ dataset: z.enum(EXPORT_DATASETS) })).query(({ ctx, input }) => exportCsv(ctx.db, ctx.actor, input.dataset)),
});
