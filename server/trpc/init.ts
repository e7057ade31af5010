import { initTRPC, TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { apiTransformer } from "./transformer";
import { ZodError } from "zod";
import type { Db } from "@/db/client";
import type { Runtime } from "../runtime/runtime";
import { reportDatabaseFailure } from "@/db/availability";
import { DomainError, toDomainError, type ErrorKind } from "../errors";
import { loadActor } from "../auth/accounts";
import type { Actor } from "../actor";

export interface Context {
  /** The process's runtime (group commit, limits, provenance store); db is runtime.db. */
  runtime: Runtime;
  db: Db;
  userId: string | null;
  /**
   * The signed-in user as the database has them now, read at most once per request: a batched
   * call of several procedures shares one read. Made by createContextFactory; a context built
   * by hand (tests) without it reads for each procedure.
   */
  requestActor?: () => Promise<Actor | null>;
  /** The client's address as the balancer saw it (X-Forwarded-For), for per-address budgets; absent: one shared bucket. */
  clientAddress?: string;
}

export function createContextFactory(getRuntime: () => Promise<Runtime>, getUserId: () => Promise<string | null>, getClientAddress: () => Promise<string> = async () => "unknown") {
  return async (): Promise<Context> => {
    const runtime = await getRuntime().catch(unavailableOrRethrow);
    const userId = await getUserId();
    const clientAddress = await getClientAddress();
    let actor: Promise<Actor | null> | undefined;
    // Per request, never longer: disabling a user or an organisation takes effect at the next request.
    const requestActor = () => (actor ??= userId === null ? Promise.resolve(null) : loadActor(runtime.db, userId));
    return { runtime, db: runtime.db, userId, requestActor, clientAddress };
  };
}

/** A database that could not be opened (down at start-up) answers 503 like one lost later. */
function unavailableOrRethrow(error: unknown): never {
  const domain = toDomainError(error);
  if (domain?.kind !== "unavailable") throw error;
  reportDatabaseFailure(error);
  throw new TRPCError({ code: KIND_TO_TRPC[domain.kind], message: domain.message, cause: domain });
}

/** The one place where domain error kinds become transport codes. */
export const KIND_TO_TRPC: Record<ErrorKind, TRPC_ERROR_CODE_KEY> = {
  bad_request: "BAD_REQUEST",
  unauthenticated: "UNAUTHORIZED",
  forbidden: "FORBIDDEN",
  not_found: "NOT_FOUND",
  conflict: "CONFLICT",
  rate_limited: "TOO_MANY_REQUESTS",
  unavailable: "SERVICE_UNAVAILABLE",
};

const GENERIC_MESSAGE = "Something went wrong on our side. Try again; if it keeps happening, contact the platform operator.";

const t = initTRPC.context<Context>().create({
  transformer: apiTransformer,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const domain = cause instanceof DomainError ? cause : null;
    const isInternal = error.code === "INTERNAL_SERVER_ERROR";
    return {
      ...shape,
      // Unknown failures never leak internals (SQL, stack traces) to the client.
      message: isInternal ? GENERIC_MESSAGE : shape.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        domainCode: domain?.code ?? (cause instanceof ZodError ? "invalid_input" : isInternal ? "internal_error" : null),
        fieldErrors: cause instanceof ZodError ? cause.issues.map((i) => ({ path: i.path.join("."), message: i.message })) : null,
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * The one place where errors become transport codes: a domain error (thrown by a service,
 * or what a database error's SQLSTATE stands for, server/errors.ts) by its kind; anything
 * else is internal, logged without SQL parameters and answered with a generic message.
 */
const mapErrors = t.middleware(async ({ ctx, path, next }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    const domain = toDomainError(cause);
    if (domain?.kind === "unavailable") reportDatabaseFailure(cause);
    if (domain) throw new TRPCError({ code: KIND_TO_TRPC[domain.kind], message: domain.message, cause: domain });
    if (result.error.code === "INTERNAL_SERVER_ERROR") ctx.runtime.signals.logger.error({ path, err: cause ?? result.error }, "[trpc] internal error");
  }
  return result;
});

function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return value.includes("\u0000");
  if (value === null || typeof value !== "object" || depth > 32) return false;
  if (Array.isArray(value)) return value.some((item) => containsNul(item, depth + 1));
  return Object.entries(value).some(([key, item]) => key.includes("\u0000") || containsNul(item, depth + 1));
}

/** PostgreSQL text cannot hold U+0000: input carrying it anywhere is a bad request, for every procedure. */
const refuseNul = t.middleware(async ({ getRawInput, next }) => {
  if (containsNul(await getRawInput())) {
    throw new DomainError("bad_request", "nul_character", "Text must not contain the NUL character (U+0000).");
  }
  return next();
});

/** Every call's count and latency by procedure, in the runtime's metrics (server/runtime/signals.ts). */
const observe = t.middleware(async ({ ctx, path, next }) => {
  const { requests, requestSeconds } = ctx.runtime.signals.metrics;
  const stop = requestSeconds.startTimer({ procedure: path });
  const result = await next();
  stop();
  requests.inc({ procedure: path, outcome: result.ok ? "ok" : result.error.code });
  return result;
});

export const publicProcedure = t.procedure.use(observe).use(mapErrors).use(refuseNul);

export const authedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  if (!ctx.userId) throw new DomainError("unauthenticated", "not_signed_in", "Sign in to continue.");
  const actor = await (ctx.requestActor ? ctx.requestActor() : loadActor(ctx.db, ctx.userId));
  if (!actor) throw new DomainError("unauthenticated", "session_invalid", "Your session has ended. Sign in again.");
  return next({ ctx: { ...ctx, actor } });
});

/** Members of an approved organisation: everything that touches business data. */
export const orgProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.actor.orgStatus !== "approved") {
    throw new DomainError("forbidden", "organisation_not_approved", "Your organisation is awaiting approval by the platform operator.");
  }
  return next();
});
