import "server-only";
import { currentUserId } from "../auth/options";
import { processRuntime } from "../process-runtime";
import { createContextFactory } from "./init";

/** The request context used by the route handler and by server components. */
export const createRequestContext = createContextFactory(processRuntime, currentUserId);
