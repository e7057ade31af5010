import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import postgres from "postgres";
import { openDatabase, type Database } from "@/db/client";
import { claims, ledgerEntries, ledgerInbox } from "@/db/schema";
import { openWriterSession } from "@/db/writer-session";
import { buildSigned, toWire } from "@/contracts/client";
import { sealTransaction, type SealedTransaction } from "@/contracts/ledger/schema";
import { deriveId, sha256Hex } from "@/contracts/canonical";
import { utf8ToBytes } from "@/contracts/hex";
import { transactionId } from "@/contracts/transaction";
import { seedDemo } from "@/server/seed/seed";
import { addDays, demoIdentity } from "@/server/seed/ledger-seed";
import { requireAccepted, submitBatch, submitWire, type SubmitResult } from "@/server/ledger/service";
import { verifyDatabase } from "@/server/ledger/export";
import { nodeVerifier } from "@/server/crypto/node-verifier";
import { DomainError } from "@/server/errors";
import { createRuntime, type Runtime } from "@/server/runtime/runtime";
import { usingPostgres } from "../helpers/db";

/*
 * One ledger writer across instances (server/ledger/writer.ts): several runtimes (each with its
 * own pool and group commit, as app instances have) on one PostgreSQL database, one of which
 * holds the writer lock and commits what all of them submit; and a writer process killed with
 * SIGKILL under load, after which another instance takes over. Without a server (PGlite) there
 * is no election: the runtime commits its own submissions.
 */

const nonce = () => randomBytes(16).toString("hex");
const sign = <K extends Parameters<typeof buildSigned>[1]>(org: string, type: K, body: Parameters<typeof buildSigned<K>>[2]): SealedTransaction =>
  sealTransaction(buildSigned(demoIdentity(org), type, body, { nonce: nonce(), createdAtMs: Date.now() }));
const documents = () => ({ invoiceSha256: nonce() + nonce(), contractSha256: sha256Hex(utf8ToBytes("c")), deliveryNoteSha256: sha256Hex(utf8ToBytes("d")) });
const issue = (lineId: string, amountMinor: bigint) => sign("org_huaxin", "claim.issue", { creditLineId: lineId, toOrgId: "org_pearl", amountMinor, currency: "CNY", maturityDate: addDays(Date.now(), 90), documents: documents() });
const split = (claimId: string, pieceMinor: bigint, partMinor: bigint, to: string) =>
  sign("org_pearl", "claim.split", { claimId, parts: [{ toOrgId: to, amountMinor: partMinor }, { toOrgId: "org_pearl", amountMinor: pieceMinor - partMinor }] });

async function grantLine(database: Database): Promise<string> {
  await seedDemo(database.db);
  const grant = await submitWire(database.db, toWire(buildSigned(demoIdentity("org_gbfactor"), "creditLine.grant", { coreEnterpriseOrgId: "org_huaxin", currency: "CNY", limitMinor: 10_000_000_000n, expiresAtMs: Date.now() + 365 * 86_400_000 }, { nonce: nonce(), createdAtMs: Date.now() })));
  return deriveId("cl", requireAccepted(grant).txId, 0);
}

/** A piece of `amountMinor` held by tier 1 (org_pearl), issued and accepted directly. */
async function heldPiece(database: Database, lineId: string, amountMinor: bigint): Promise<string> {
  const issued = requireAccepted((await submitBatch(database.db, [issue(lineId, amountMinor)]))[0]!);
  const pieceId = deriveId("c", issued.txId, 0);
  requireAccepted((await submitBatch(database.db, [sign("org_pearl", "claim.accept", { claimId: pieceId })]))[0]!);
  return pieceId;
}

const isBusy = (error: unknown) => error instanceof DomainError && error.code === "database_busy";

if (!usingPostgres()) {
  describe("without a PostgreSQL server (PGlite)", () => {
    it("elects no writer: the runtime commits its own submissions", async () => {
      const database = openDatabase({ kind: "pglite", dataDir: null });
      await database.migrate();
      try {
        const lineId = await grantLine(database);
        const runtime = createRuntime(database.db, { limits: "memory" });
        expect(runtime.writer).toBeNull();
        const result = await runtime.ledger.submit(issue(lineId, 1_000n));
        expect(result.status).toBe("accepted");
        expect(await database.db.select().from(ledgerInbox)).toEqual([]);
      } finally {
        await database.close();
      }
    });
  });
}

if (usingPostgres()) {
  /** A database of its own on the server, and its URL (the instances open their own pools and writer sessions on it). */
  let database: Database;
  let url: string;
  let name: string;
  let lineId: string;
  const opened: { database: Database; runtime: Runtime }[] = [];

  beforeAll(async () => {
    name = `s18w_writer_${process.pid}_${randomBytes(4).toString("hex")}`;
    const admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    await admin.end();
    const target = new URL(process.env.DATABASE_URL!);
    target.pathname = `/${name}`;
    url = target.toString();
    database = openDatabase({ kind: "postgres", url, max: 10 });
    await database.migrate();
    lineId = await grantLine(database);
  }, 120_000);

  afterAll(async () => {
    for (const { database: own, runtime } of opened) {
      await runtime.writer?.close().catch(() => {});
      await own.close();
    }
    await database.close();
    const admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  /** An app instance's ledger: its own pool, group commit and writer session (`deaf`: its LISTEN never hears anything, as if every notification were lost). */
  function instance(deaf = false): Runtime {
    const own = openDatabase({ kind: "postgres", url, max: 10 });
    const session = openWriterSession(url);
    const runtime = createRuntime(own.db, { limits: "memory", writer: { session: deaf ? { ...session, listen: async () => {} } : session, answerTimeoutMs: 10_000, pollMs: 50 } });
    opened.push({ database: own, runtime });
    return runtime;
  }

  async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async function expectLogReplays() {
    const verified = await verifyDatabase(database.db, nodeVerifier);
    expect(verified.ok ? "ok" : JSON.stringify(verified)).toBe("ok");
  }

  describe("three instances on one database", () => {
    it("elect one writer, which commits what all submit: each answered once, a double spend across instances refused once, no money created", async () => {
      const instances = [instance(), instance(), instance()];
      await until("one writer", () => instances.filter((one) => one.writer?.isWriter).length === 1);
      const followers = instances.filter((one) => !one.writer?.isWriter);
      const pieces = await Promise.all(Array.from({ length: 6 }, () => heldPiece(database, lineId, 1_000_000n)));
      const before = (await database.db.select({ n: sql<number>`count(*)::int` }).from(ledgerEntries))[0]!.n;

      // Each piece split two ways at once, from two different instances: exactly one of each pair may win.
      const pairs = pieces.map((piece, i) => [split(piece, 1_000_000n, 300_000n, "org_lingnan"), split(piece, 1_000_000n, 600_000n, "org_xinyuan"), i] as const);
      const issuances = Array.from({ length: 30 }, () => issue(lineId, 5_000n));
      const submissions: Promise<SubmitResult>[] = [];
      for (const [a, b, i] of pairs) {
        submissions.push(instances[i % 3]!.ledger.submit(a), instances[(i + 1) % 3]!.ledger.submit(b));
      }
      issuances.forEach((transaction, i) => submissions.push(instances[i % 3]!.ledger.submit(transaction)));
      const results = await Promise.all(submissions);

      for (let i = 0; i < pairs.length; i++) {
        const pair = [results[2 * i]!, results[2 * i + 1]!];
        expect(pair.filter((r) => r.status === "accepted")).toHaveLength(1);
        expect(pair.find((r) => r.status === "refused")).toMatchObject({ status: "refused", code: "claim_not_held" });
      }
      const issued = results.slice(2 * pairs.length);
      expect(issued.every((r) => r.status === "accepted" && !r.duplicate)).toBe(true);
      // Answers that crossed the database keep their events' amounts as bigints.
      const event = issued.flatMap((r) => (r.status === "accepted" ? r.events : [])).find((e) => "amountMinor" in e);
      expect(typeof (event as { amountMinor: unknown }).amountMinor).toBe("bigint");

      const accepted = results.filter((r) => r.status === "accepted");
      const after = (await database.db.select({ n: sql<number>`count(*)::int` }).from(ledgerEntries))[0]!.n;
      expect(after - before).toBe(accepted.length);
      expect(new Set(accepted.map((r) => (r.status === "accepted" ? r.leafIndex : -1))).size).toBe(accepted.length);
      for (const piece of pieces) {
        const live = (await database.db.select().from(claims).where(eq(claims.rootId, piece))).filter((claim) => claim.state !== "split");
        expect(live.reduce((sum, claim) => sum + claim.amountMinor, 0n)).toBe(1_000_000n);
      }

      // A follower's resubmission is answered as the original, through the writer.
      const again = await followers[0]!.ledger.submit(issuances[0]!);
      expect(again).toMatchObject({ status: "accepted", duplicate: true, leafIndex: (issued[0] as { leafIndex: number }).leafIndex });
      await until("the answered inbox rows read and deleted", async () => (await database.db.select().from(ledgerInbox)).length === 0);
      await expectLogReplays();
    }, 60_000);
  });

  describe("the writer process killed with SIGKILL under load", () => {
    let child: ChildProcess | null = null;
    afterAll(() => {
      if (child?.exitCode === null) child.kill("SIGKILL");
    });

    it("another instance takes over: every submission is answered or gets database_busy, retries are answered once, no duplicates", async () => {
      // Whoever is the writer from the test above gives way, so the process becomes the writer.
      for (const { runtime } of opened) await runtime.writer?.close();
      child = spawn(process.execPath, ["--import", "tsx", path.join("test", "helpers", "writer-instance.ts")], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, DATABASE_URL: url } });
      let output = "";
      child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
      await until("the child process to become the writer", () => output.includes("writer"), 30_000);

      const followers = [instance(), instance()];
      // Both have asked for the lock by now (at start-up, and every 50 ms).
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(followers.map((one) => one.writer?.isWriter)).toEqual([false, false]);
      const before = (await database.db.select({ n: sql<number>`count(*)::int` }).from(ledgerEntries))[0]!.n;

      const transactions = Array.from({ length: 120 }, () => issue(lineId, 1_000n));
      const outcomes: Promise<SubmitResult | "busy">[] = [];
      let answered = 0;
      let answeredBeforeKill = -1;
      // Submitted in waves, so some are answered by the process, some are in its hands when it dies, and some come after.
      for (let wave = 0; wave < 6; wave++) {
        for (const [i, transaction] of transactions.slice(wave * 20, wave * 20 + 20).entries()) {
          const outcome = followers[i % 2]!.ledger.submit(transaction).catch((error: unknown) => {
            if (isBusy(error)) return "busy" as const;
            throw error;
          });
          outcomes.push(outcome.finally(() => answered++));
        }
        if (wave === 2) {
          await until("the process to answer some", () => answered > 0);
          answeredBeforeKill = answered;
          child.kill("SIGKILL");
        }
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
      const results = await Promise.all(outcomes);
      expect(answeredBeforeKill).toBeGreaterThan(0);
      expect(answeredBeforeKill).toBeLessThan(transactions.length);
      await until("a follower to become the writer", () => followers.some((one) => one.writer?.isWriter));
      expect(results.every((r) => r === "busy" || r.status === "accepted")).toBe(true);

      // What got database_busy is sent again (a caller's retry): committed or not, it is answered once more, as the original if it committed.
      const retried = await Promise.all(transactions.map((transaction, i) => (results[i] === "busy" ? followers[0]!.ledger.submit(transaction) : Promise.resolve(results[i] as SubmitResult))));
      expect(retried.every((r) => r.status === "accepted")).toBe(true);
      const ids = transactions.map((t) => transactionId(t.transaction));
      const rows = await database.db.select({ txId: ledgerEntries.txId }).from(ledgerEntries);
      const logged = rows.map((row) => row.txId).filter((txId) => ids.includes(txId));
      expect(logged.sort()).toEqual([...ids].sort());
      const after = (await database.db.select({ n: sql<number>`count(*)::int` }).from(ledgerEntries))[0]!.n;
      expect(after - before).toBe(transactions.length);
      await expectLogReplays();
    }, 90_000);
  });

  describe("notifications lost", () => {
    it("the writer finds the rows and the submitters their answers by polling: every submission answered", async () => {
      for (const { runtime } of opened) await runtime.writer?.close();
      const instances = [instance(true), instance(true)];
      await until("one writer", () => instances.filter((one) => one.writer?.isWriter).length === 1);
      const follower = instances.find((one) => !one.writer?.isWriter)!;
      const results = await Promise.all(Array.from({ length: 20 }, () => follower.ledger.submit(issue(lineId, 1_000n))));
      expect(results.map((r) => r.status)).toEqual(Array.from({ length: 20 }, () => "accepted"));
      expect(await database.db.select().from(ledgerInbox)).toEqual([]);
    }, 60_000);
  });
}
