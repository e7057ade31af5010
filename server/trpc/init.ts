import { initTRPC, TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import superjson from "superjson";
import { ZodError } from "zod";
import type { Db } from "@/db/client";
import type { OrgRole, Permission } from "@/db/schema";
import { hasPermission } from "../actor";
import { classifyDatabaseFailure, reportDatabaseFailure } from "@/db/availability";
import { databaseUnavailable, DomainError, type ErrorKind } from "../errors";
import { loadActor } from "../services/users";

export interface Context {
  db: Db;
  userId: string | null;
}

export function createContextFactory(getDb: () => Promise<Db>, getUserId: () => Promise<string | null>) {
  return async (): Promise<Context> => ({ db: await getDb().catch(unavailableOrRethrow), userId: await getUserId() });
}

/** A database that could not be opened (down at start-up) answers 503 like one lost later. */
function unavailableOrRethrow(error: unknown): never {
  const failure = classifyDatabaseFailure(error);
  if (!failure) throw error;
  reportDatabaseFailure(error);
  const unavailable = databaseUnavailable(failure);
  throw new TRPCError({ code: KIND_TO_TRPC[unavailable.kind], message: unavailable.message, cause: unavailable });
}

/** The one place where domain error kinds become transport codes. */
const KIND_TO_TRPC: Record<ErrorKind, TRPC_ERROR_CODE_KEY> = {
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
  transformer: superjson,
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
        details: domain?.details ?? null,
        fieldErrors: cause instanceof ZodError ? cause.issues.map((i) => ({ path: i.path.join("."), message: i.message })) : null,
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * What the server log keeps of an unexpected error: each error in the cause chain by name,
 * message and code, and the stack frames. Never the values a query was run with: a
 * failed SQL statement's message carries its parameters (password hashes, emails, names),
 * and a database error's detail repeats the offending values, so both are cut off.
 */
export function describeInternalError(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth += 1) {
    if (!(current instanceof Error)) {
      lines.push(`(${typeof current})`);
      break;
    }
    const code = (current as { code?: unknown }).code;
    const message = current.message.split(/\nparams:/)[0]!.slice(0, 500);
    lines.push(`${depth === 0 ? "" : "caused by "}${current.name}: ${message}${typeof code === "string" ? ` [${code}]` : ""}`);
    if (depth === 0) lines.push(...(current.stack ?? "").split("\n").filter((line) => /^\s+at /.test(line)).slice(0, 8));
    current = current.cause;
  }
  return lines.join("\n");
}

function isUniqueViolation(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth += 1) {
    if ((current as { code?: unknown }).code === "23505") return true;
  }
  return false;
}

const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof DomainError) {
      throw new TRPCError({ code: KIND_TO_TRPC[cause.kind], message: cause.message, cause });
    }
    // A unique constraint refusing a write is a lost race between two requests doing the
    // same thing (two sign-ups with one email), not a fault: the loser is told to retry.
    if (isUniqueViolation(cause)) {
      const conflict = new DomainError("conflict", "concurrent_change", "Someone else made the same change at the same moment. Reload the page and try again.");
      throw new TRPCError({ code: "CONFLICT", message: conflict.message, cause: conflict });
    }
    if (classifyDatabaseFailure(cause)) unavailableOrRethrow(cause);
    if (result.error.code === "INTERNAL_SERVER_ERROR") console.error(`[trpc] internal error: ${describeInternalError(cause ?? result.error)}`);
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

export const publicProcedure = t.procedure.use(mapErrors).use(refuseNul);

export const authedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  if (!ctx.userId) throw new DomainError("unauthenticated", "not_signed_in", "Sign in to continue.");
  const actor = await loadActor(ctx.db, ctx.userId);
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

export function roleProcedure(roles: readonly OrgRole[], atLeast: Permission = "viewer") {
  return orgProcedure.use(({ ctx, next }) => {
    if (!roles.includes(ctx.actor.orgRole)) {
      throw new DomainError("forbidden", "role_not_allowed", `Only ${roles.join(" or ").replaceAll("_", " ")} organisations can do this.`);
    }
    if (!hasPermission(ctx.actor, atLeast)) {
      throw new DomainError("forbidden", "permission_too_low", `This needs the ${atLeast} permission; ask your organisation's admin.`);
    }
    return next();
  });
}

