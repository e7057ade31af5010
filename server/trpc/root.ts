import { router } from "./init";
import { authRouter } from "./routers/auth";
import { organisationsRouter } from "./routers/organisations";
import { usersRouter } from "./routers/users";
import { ledgerRouter } from "./routers/ledger";
import { financingRouter } from "./routers/financing";
import { keysRouter } from "./routers/keys";
import { jobsRouter } from "./routers/jobs";

export const appRouter = router({
  auth: authRouter,
  organisations: organisationsRouter,
  users: usersRouter,
  ledger: ledgerRouter,
  financing: financingRouter,
  keys: keysRouter,
  jobs: jobsRouter,
});

export type AppRouter = typeof appRouter;
