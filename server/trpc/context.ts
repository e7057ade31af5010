import "server-only";
import { currentClientAddress, currentUserId } from "../session/session";
import { processRuntime } from "../runtime/process";
import type { Runtime } from "../runtime/runtime";
import { createContextFactory } from "./init";

/** The request context used by the route handler and by server components. */
export const createRequestContext = createContextFactory(processRuntime, currentUserId, currentClientAddress);

/** The same over a runtime the caller already asked for (the tRPC route, which also needs it for the request's log scope). */
export const requestContextOver = (runtime: Promise<Runtime>) => createContextFactory(() => runtime, currentUserId, currentClientAddress);
