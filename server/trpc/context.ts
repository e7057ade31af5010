import "server-only";
import { currentUserId } from "../session/session";
import { processRuntime } from "../runtime/process";
import { createContextFactory } from "./init";

/** The request context used by the route handler and by server components. */
export const createRequestContext = createContextFactory(processRuntime, currentUserId);
