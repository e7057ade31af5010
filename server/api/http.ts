import "server-only";
import { processRuntime } from "../runtime/process";
import { createApiHandler } from "./handler";

/** /api/v1/*: the REST API for integrators, over the process's runtime (app/api/v1/[[...path]]/route.ts). */
export const apiV1Handler = createApiHandler(processRuntime);
