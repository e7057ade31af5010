import { TRPCError } from "@trpc/server";
import type { Db } from "@/db/client";
import { createCallerFactory, type Context } from "@/server/trpc/init";
import { appRouter } from "@/server/trpc/root";
import { createAppRuntime, type Runtime } from "@/server/runtime/runtime";

const createCaller = createCallerFactory(appRouter);

/** One runtime per test database, as the app has one per process (with its post-commit hooks): its callers share it. */
const runtimes = new WeakMap<Db, Runtime>();

export function runtimeFor(db: Db): Runtime {
  let runtime = runtimes.get(db);
  if (runtime === undefined) runtimes.set(db, (runtime = createAppRuntime(db)));
  return runtime;
}

/** The context of a request by the given user (or anonymous) on the test database. */
export function contextFor(db: Db, userId: string | null): Context {
  return { runtime: runtimeFor(db), db, userId };
}

/** A tRPC caller acting as the given user (or anonymous): the same path as an HTTP request. */
export function callerFor(db: Db, userId: string | null) {
  return createCaller(contextFor(db, userId));
}

/** The tRPC code a call fails with, or "OK" when it succeeds. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "OK";
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
}
