import { describe, expect, it } from "vitest";
import { DrizzleQueryError } from "drizzle-orm/errors";
import postgres from "postgres";
import { classifyDatabaseFailure } from "@/db/availability";
import { DatabaseBusyError } from "@/db/lock";

/* Database failures are classified by code, through the cause chain drizzle wraps them in. */
const withCode = (code: string, message = "any text") => Object.assign(new Error(message), { code });
const pgError = (code: string) => new postgres.PostgresError({ code, message: "server says no", severity: "FATAL" } as never);

describe("classifyDatabaseFailure", () => {
  it.each([
    ["ECONNREFUSED (server down)", withCode("ECONNREFUSED"), "unavailable"],
    ["CONNECT_TIMEOUT (postgres.js)", withCode("CONNECT_TIMEOUT"), "unavailable"],
    ["CONNECTION_CLOSED (postgres.js)", withCode("CONNECTION_CLOSED"), "unavailable"],
    ["08006 connection failure", pgError("08006"), "unavailable"],
    ["08P01 protocol violation (class 08)", pgError("08P01"), "unavailable"],
    ["57P01 admin shutdown", pgError("57P01"), "unavailable"],
    ["57P02 crash shutdown", pgError("57P02"), "unavailable"],
    ["57P03 cannot connect now", pgError("57P03"), "unavailable"],
    ["53300 too many connections", pgError("53300"), "unavailable"],
    ["the embedded folder held by another process", new DatabaseBusyError("/tmp/x", 42), "unavailable"],
    ["55P03 lock timeout", pgError("55P03"), "busy"],
    ["57014 statement timeout", pgError("57014"), "busy"],
    ["23505 unique violation", pgError("23505"), null],
    ["42P01 undefined table (a bug)", pgError("42P01"), null],
    ["a plain error whose text mentions the connection", new Error("connection refused: ECONNREFUSED 57P01"), null],
    ["not an error", "ECONNREFUSED", null],
  ])("%s", (_name, error, expected) => {
    expect(classifyDatabaseFailure(error)).toBe(expected);
  });

  it("looks through drizzle's wrapper and Node's AggregateError", () => {
    const wrapped = new DrizzleQueryError("select 1", [], pgError("57P01"));
    expect(classifyDatabaseFailure(wrapped)).toBe("unavailable");
    const aggregate = new AggregateError([new Error("first"), withCode("ECONNREFUSED")], "connect failed");
    expect(classifyDatabaseFailure(new DrizzleQueryError("select 1", [], aggregate))).toBe("unavailable");
    expect(classifyDatabaseFailure(new DrizzleQueryError("select 1", [], pgError("23505")))).toBe(null);
  });
});
