import "server-only";
import { getDb } from "@/db/client";
import { currentUserId } from "../auth/session";
import { createContextFactory } from "./init";

/** The request context used by the route handler and by server components. */
export const createRequestContext = createContextFactory(getDb, currentUserId);
