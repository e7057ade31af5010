import { TRPCError } from "@trpc/server";
import type { Db } from "@/db/client";
import { createCallerFactory } from "@/server/trpc/init";
import { appRouter } from "@/server/trpc/root";

const createCaller = createCallerFactory(appRouter);

/** A tRPC caller acting as the given user (or anonymous): the same path as an HTTP request. */
export function callerFor(db: Db, userId: string | null) {
  return createCaller({ db, userId });
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
