import { router } from "./init";
import { authRouter } from "./routers/auth";
import { organisationsRouter } from "./routers/organisations";
import { usersRouter } from "./routers/users";
import { ledgerRouter } from "./routers/ledger";
import { financingRouter } from "./routers/financing";
import { keysRouter } from "./routers/keys";
import { reportsRouter } from "./routers/reports";
import { jobsRouter } from "./routers/jobs";
import { integrationsRouter } from "./routers/integrations";
import { vouchersRouter } from "./routers/vouchers";
import { notificationsRouter } from "./routers/notifications";
import { approvalsRouter } from "./routers/approvals";

export const appRouter = router({
  auth: authRouter,
  organisations: organisationsRouter,
  users: usersRouter,
  ledger: ledgerRouter,
  financing: financingRouter,
  keys: keysRouter,
  reports: reportsRouter,
  jobs: jobsRouter,
  integrations: integrationsRouter,
  vouchers: vouchersRouter,
  notifications: notificationsRouter,
  approvals: approvalsRouter,
});

export type AppRouter = typeof appRouter;
