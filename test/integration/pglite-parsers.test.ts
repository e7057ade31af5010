import { afterAll, describe, expect, it } from "vitest";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/pglite";
import { openDatabase, withDrizzleArrayParsers, withoutQueryParsers, DRIZZLE_PGLITE_PARSERS, type Database } from "@/db/client";

/*
 * The embedded database is made with drizzle's parsers once, and drizzle's queries reach it
 * without their own copy (db/client.ts), so PGlite no longer merges 318 parsers per query.
 * What a query answers must not change: the same rows as drizzle on a plain PGlite.
 */

const opened: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const database of opened) await database.close();
});

const PROBE = sql`select timestamptz '2026-12-03 08:00:00+08' as at, date '2026-12-03' as day, interval '1 day 2 hours' as span,
  array[timestamp '2026-12-03 01:02:03'] as stamps, array[1.50::numeric] as amounts, 42::int4 as n, 9007199254740993::int8 as big,
  '{"a":1}'::jsonb as doc, true as yes`;

describe("PGlite without per-query parsers", () => {
  it("answers exactly what drizzle on a plain PGlite answers: dates, times, intervals and their arrays as text, the rest parsed", async () => {
    const ours: Database = openDatabase({ kind: "pglite", dataDir: null });
    opened.push(ours);
    const plainClient = new PGlite();
    opened.push(plainClient);
    const plain = drizzle(plainClient);
    const expected = await plain.execute(PROBE);
    const actual = await ours.db.execute(PROBE);
    expect((actual as unknown as { rows: unknown[] }).rows).toEqual(expected.rows);
    expect(expected.rows[0]).toMatchObject({ at: "2026-12-03 00:00:00+00", day: "2026-12-03", span: "1 day 02:00:00", n: 42, yes: true, doc: { a: 1 } });
    // Inside a transaction too.
    const inTransaction = await ours.db.transaction((tx) => tx.execute(PROBE));
    expect((inTransaction as unknown as { rows: unknown[] }).rows).toEqual(expected.rows);
  });

  it("drops a query's own parsers, in and out of transactions, since the client holds them already", async () => {
    const client = new PGlite({ parsers: DRIZZLE_PGLITE_PARSERS });
    opened.push(client);
    const asked = { parsers: { 23: () => "from the query" } };
    // The client alone applies a query's parsers...
    expect((await client.query<{ n: unknown }>("select 7::int4 as n", [], asked)).rows[0]!.n).toBe("from the query");
    // ...the wrapped one does not, and keeps the client's own (dates as text).
    const wrapped = withoutQueryParsers(client, withDrizzleArrayParsers(client));
    expect((await wrapped.query<{ n: unknown; day: unknown }>("select 7::int4 as n, date '2026-12-03' as day", [], asked)).rows[0]).toEqual({ n: 7, day: "2026-12-03" });
    const inTransaction = await wrapped.transaction((tx) => tx.query<{ n: unknown }>("select 7::int4 as n", [], asked));
    expect(inTransaction.rows[0]!.n).toBe(7);
  });
});
