import "server-only";
import { cache } from "react";
import { createCallerFactory } from "./init";
import { appRouter } from "./root";
import { createRequestContext } from "./context";

const createCaller = createCallerFactory(appRouter);

/** A tRPC caller for server components, created once per request. */
export const serverCaller = cache(async () => createCaller(await createRequestContext()));
