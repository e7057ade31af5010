import { listScheduledJobs } from "../../jobs/overview";
import { orgProcedure, router } from "../init";

export const jobsRouter = router({
  /** The shared schedule of background jobs: last run, outcome, next run (read-only). */
  list: orgProcedure.query(({ ctx }) => listScheduledJobs(ctx.db, ctx.actor)),
});
