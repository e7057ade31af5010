import { router } from "./init";
import { authRouter } from "./routers/auth";
import { organisationsRouter } from "./routers/organisations";
import { usersRouter } from "./routers/users";

export const appRouter = router({
  auth: authRouter,
  organisations: organisationsRouter,
  users: usersRouter,
});

export type AppRouter = typeof appRouter;
