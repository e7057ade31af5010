import { router } from "./init";
import { authRouter } from "./routers/auth";
import { organisationsRouter } from "./routers/organisations";
import { usersRouter } from "./routers/users";
import { ledgerRouter } from "./routers/ledger";

export const appRouter = router({
  auth: authRouter,
  organisations: organisationsRouter,
  users: usersRouter,
  ledger: ledgerRouter,
});

export type AppRouter = typeof appRouter;
