import { openDatabase } from "@/db/client";
import { openWriterSession } from "@/db/writer-session";
import { createRuntime } from "@/server/runtime/runtime";

/*
 * One app instance's ledger, alone in a process, for the writer failover test
 * (test/integration/ledger-writer.test.ts): it opens the database of DATABASE_URL, takes part
 * in the writer election, prints "writer" once it is the writer, and then serves the inbox
 * until it is killed.
 */
const url = process.env.DATABASE_URL!;
const database = openDatabase({ kind: "postgres", url, max: 10 });
const runtime = createRuntime(database.db, { limits: "memory", writer: { session: openWriterSession(url), answerTimeoutMs: 10_000, pollMs: 50 } });
const wait = setInterval(() => {
  if (runtime.writer?.isWriter) {
    clearInterval(wait);
    process.stdout.write("writer\n");
  }
}, 20);
setInterval(() => {}, 60_000);
