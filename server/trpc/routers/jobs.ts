import { listScheduledJobs } from "../../jobs/overview";
import { roleProcedure, router } from "../init";

export const jobsRouter = router({
  /** The shared schedule of background jobs: last run, outcome, next run (read-only). */
  list: roleProcedure(["operator"]).query(({ ctx }) => listScheduledJobs(ctx.db, ctx.actor)),
});
