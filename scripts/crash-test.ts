import { randomBytes } from "node:crypto";
/*
 * Crash test: the built app under load of signed submissions, killed with SIGKILL at
 * random moments and restarted, against a database of its own on the PostgreSQL server
 * named by DATABASE_URL. After every kill, with the server down, it checks that every
 * transaction the server had acknowledged is in the log at the leaf it was given, that the
 * log ends with a checkpoint (no half-written block) and that `verify` passes (replay of
 * the whole log == the materialised tables). Clients retry unanswered submissions with the
 * same signed transaction; at the end every acknowledged transaction is sent again and must
 * come back as the original (duplicate: true, same leaf), never as a second entry.
 *
 * Webhooks across the kills: the bank has an endpoint for the pledges and releases the lanes
 * make, served by a receiver here that verifies every Standard Webhooks signature. Once the
 * load stops, every acknowledged pledge and release must arrive, each event under exactly one
 * webhook-id (one delivery, however many kills), and nothing may arrive for a transaction that
 * is not in the log. An attempt cut by a kill after the receiver answered is sent again under
 * the same webhook-id (at least once; receivers deduplicate): counted, not a failure.
 *
 *   npm run build
 *   DATABASE_URL=postgres://… npx tsx scripts/crash-test.ts [--crashes 10] [--lanes 4]
 *
 * Also run by test/reliability/crash.test.ts (npm run test:reliability).
 */
import { createServer, type Server } from "node:http";
import { pathToFileURL } from "node:url";
import { Webhook } from "standardwebhooks";
import { eq, sql } from "drizzle-orm";
import { ledgerCheckpoints, ledgerEntries, ledgerHead, creditLines, webhookDeliveries } from "@/db/schema";
import type { Db } from "@/db/client";
import { buildSigned, toWire, type SigningIdentity } from "@/contracts/client";
import { deriveId, sha256Hex } from "@/contracts/canonical";
import { utf8ToBytes } from "@/contracts/hex";
import type { WireSignedTransaction } from "@/contracts/ledger/schema";
import type { TransactionBodies, TransactionType } from "@/contracts/ledger/types";
import { nodeVerifier } from "@/server/crypto/node-verifier";
import { verifyDatabase } from "@/server/ledger/export";
import { addDays, demoIdentity } from "@/server/seed/ledger-seed";
import { DEMO_PASSWORD } from "@/server/seed/demo-data";
import { loadActor } from "@/server/auth/accounts";
import { createWebhookEndpoint } from "@/server/commands/webhooks";
import { STALL_MS } from "@/server/jobs/webhooks";
import { createOwnDatabase, freePort, sessionCookie, sleep, startAppServer, trpcMutation, type AppServer } from "./app-server";
import { installNodeSha256 } from "@/server/crypto/node-hash";

// This process hashes with node:crypto (the contracts default to @noble/hashes).
installNodeSha256();

export interface CrashOptions {
  /** The PostgreSQL server (a database of its own is created there and dropped afterwards). */
  serverUrl: string;
  crashes?: number;
  /** Independent clients submitting at once, each walking its own claims through the lifecycle. */
  lanes?: number;
  /** Load time before each kill is drawn uniformly from [minLoadMs, maxLoadMs]. */
  minLoadMs?: number;
  maxLoadMs?: number;
  log?: (line: string) => void;
}

export interface CrashReport {
  crashesInjected: number;
  submissions: number;
  acknowledged: number;
  inFlightAtKill: number;
  /** Unanswered when the server died, found already committed on retry (duplicate: true). */
  committedButUnanswered: number;
  retriedDuplicates: number;
  transactionsChecked: number;
  /** Acknowledged pledges and releases, each of which must arrive as a webhook. */
  webhooksExpected: number;
  /** Distinct webhook-ids the receiver verified. */
  webhooksReceived: number;
  /** Arrivals of a webhook-id already received (an attempt cut by a kill after the receiver answered). */
  webhooksResent: number;
  failures: string[];
  output: string;
}

interface Ack {
  txId: string;
  leafIndex: number;
  wire: WireSignedTransaction;
  orgId: string;
}

const ORG_LOGINS: Record<string, string> = {
  org_huaxin: "core@demo.doublechain.cn",
  org_pearl: "tier1@demo.doublechain.cn",
  org_lingnan: "tier2@demo.doublechain.cn",
  org_cmtb: "bank@demo.doublechain.cn",
  org_gbfactor: "factor@demo.doublechain.cn",
};

const DOCUMENTS = {
  invoiceSha256: sha256Hex(utf8ToBytes("crash-test invoice")),
  contractSha256: sha256Hex(utf8ToBytes("crash-test contract")),
  deliveryNoteSha256: sha256Hex(utf8ToBytes("crash-test delivery note")),
};

/** The documents with an invoice of their own: one invoice backs at most one live issuance. */
const freshDocuments = () => ({ ...DOCUMENTS, invoiceSha256: randomBytes(32).toString("hex") });

let nonceCounter = 0;
const nonce = () => sha256Hex(utf8ToBytes(`${process.pid}:${Date.now()}:${nonceCounter++}:${Math.random()}`)).slice(0, 32);

export async function runCrashTest(options: CrashOptions): Promise<CrashReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const crashes = options.crashes ?? 10;
  const lanes = options.lanes ?? 4;
  const minLoadMs = options.minLoadMs ?? 500;
  const maxLoadMs = options.maxLoadMs ?? 3000;
  const failures: string[] = [];
  const fail = (message: string) => {
    failures.push(message);
    log(`FAILURE: ${message}`);
  };

  const own = await createOwnDatabase(options.serverUrl, "dc_crash");
  const db = own.database.db;
  log(`database ${own.name} seeded`);
  const hooks = await startReceiver(await freePort());
  const bankAdmin = await loadActor(db, "usr_cmtb_1");
  hooks.secret = (await createWebhookEndpoint(db, bankAdmin!, { url: hooks.url, events: ["claim.pledged", "pledge.released"] }, { allowHttp: true })).secret;
  const port = await freePort();
  const env = { LEDGER_SUBMISSIONS_PER_MINUTE: "1000000" };
  let output = "";
  let server: AppServer = await startAppServer({ databaseUrl: own.url, port, env, log });
  log(`next start on ${server.url} (pid ${server.pid})`);

  const cookies = new Map<string, string>();
  for (const [orgId, login] of Object.entries(ORG_LOGINS)) cookies.set(orgId, await sessionCookie(server.url, login, DEMO_PASSWORD));

  // The server is up while `up` is resolved; a kill replaces it with a pending promise.
  let markUp: () => void = () => {};
  let up: Promise<void> = Promise.resolve();
  let inFlight = 0;
  let stopping = false;
  const report = { submissions: 0, inFlightAtKill: 0, committedButUnanswered: 0, retriedDuplicates: 0, transactionsChecked: 0, webhooksExpected: 0, webhooksReceived: 0, webhooksResent: 0 };
  const acks: Ack[] = [];

  /** Sends one signed transaction until the server answers; the same bytes every time. */
  async function submit(wire: WireSignedTransaction): Promise<Ack | null> {
    const orgId = wire.transaction.signer.orgId;
    let attempts = 0;
    for (;;) {
      await up;
      attempts += 1;
      inFlight += 1;
      report.submissions += 1;
      let answer;
      try {
        answer = await trpcMutation<{ status: string; txId: string; leafIndex: number; duplicate: boolean; code?: string }>(server.url, "ledger.submit", wire, cookies.get(orgId)!, 20_000);
      } catch {
        answer = null; // connection refused or reset: the server died under us
      } finally {
        inFlight -= 1;
      }
      if (answer === null || answer.status >= 500) {
        await sleep(50);
        continue;
      }
      const data = answer.data;
      if (answer.status !== 200 || !data) {
        fail(`${wire.transaction.type} by ${orgId}: HTTP ${answer.status} ${answer.error?.message ?? ""}`);
        return null;
      }
      if (data.status !== "accepted") {
        fail(`${wire.transaction.type} by ${orgId} refused after ${attempts} attempt(s): ${data.code}`);
        return null;
      }
      if (attempts > 1 && data.duplicate) report.committedButUnanswered += 1;
      const ack: Ack = { txId: data.txId, leafIndex: data.leafIndex, wire, orgId };
      acks.push(ack);
      return ack;
    }
  }

  const [bankLine] = await db.select({ id: creditLines.id }).from(creditLines).where(eq(creditLines.lenderOrgId, "org_cmtb"));
  const id = (orgId: string) => demoIdentity(orgId);
  const sign = <K extends TransactionType>(who: SigningIdentity, type: K, body: TransactionBodies[K]) =>
    toWire(buildSigned(who, type, body, { nonce: nonce(), createdAtMs: Date.now() }));

  /** One client: issue, accept, split, accept, pledge, release, request financing, decline; again and again. */
  async function lane(index: number): Promise<void> {
    const [core, tier1, tier2, bank, factor] = [id("org_huaxin"), id("org_pearl"), id("org_lingnan"), id("org_cmtb"), id("org_gbfactor")];
    for (let cycle = 0; !stopping; cycle += 1) {
      const amount = BigInt(10_000 + index);
      const issued = await submit(sign(core, "claim.issue", { creditLineId: bankLine!.id, toOrgId: "org_pearl", amountMinor: amount, currency: "CNY", maturityDate: addDays(Date.now(), 90), documents: freshDocuments() }));
      if (!issued) return;
      const claimId = deriveId("c", issued.txId, 0);
      if (!(await submit(sign(tier1, "claim.accept", { claimId })))) return;
      const split = await submit(sign(tier1, "claim.split", { claimId, parts: [{ toOrgId: "org_lingnan", amountMinor: 4_000n }, { toOrgId: "org_pearl", amountMinor: amount - 4_000n }] }));
      if (!split) return;
      const passed = deriveId("c", split.txId, 0);
      const kept = deriveId("c", split.txId, 1);
      if (!(await submit(sign(tier2, "claim.accept", { claimId: passed })))) return;
      if (!(await submit(sign(tier2, "claim.pledge", { claimId: passed, lenderOrgId: "org_cmtb" })))) return;
      if (!(await submit(sign(bank, "claim.release", { claimId: passed })))) return;
      const requested = await submit(sign(tier1, "financing.request", { claimId: kept, lenderOrgId: "org_gbfactor" }));
      if (!requested) return;
      if (!(await submit(sign(factor, "financing.decline", { financingId: deriveId("fin", requested.txId, 0), reason: `Cycle ${cycle} declined` })))) return;
    }
  }

  /** With the server down: acknowledged entries in place, the log closed by a checkpoint, verify passes. */
  async function checkDatabase(when: string): Promise<void> {
    const present = await entriesByTxId(db);
    for (const ack of acks) {
      const leaf = present.get(ack.txId);
      if (leaf === undefined) fail(`${when}: acknowledged ${ack.txId} (${ack.wire.transaction.type}) is not in the log`);
      else if (leaf !== ack.leafIndex) fail(`${when}: ${ack.txId} acknowledged at leaf ${ack.leafIndex} but stored at ${leaf}`);
    }
    const [head] = await db.select().from(ledgerHead);
    const [last] = await db.select({ size: ledgerCheckpoints.size }).from(ledgerCheckpoints).orderBy(sql`${ledgerCheckpoints.size} desc`).limit(1);
    if (!head || head.size !== present.size || head.lastCheckpointSize !== head.size || last?.size !== head.size) {
      fail(`${when}: partial block: head ${head?.size}/${head?.lastCheckpointSize}, ${present.size} entries, last checkpoint ${last?.size}`);
    }
    const verified = await verifyDatabase(db, nodeVerifier);
    if (!verified.ok) fail(`${when}: verify failed: ${JSON.stringify(verified.failure)}`);
    else report.transactionsChecked += verified.summary.transactions;
  }

  /**
   * Every acknowledged pledge and release arrives, each event under one webhook-id, nothing for
   * a transaction outside the log. Waits for the schedule's fan-out and graphile-worker's sends:
   * a job an instance was killed holding is taken back STALL_MS later, so up to that and a minute more.
   */
  async function checkWebhooks(): Promise<void> {
    const wanted = acks.filter((ack) => ack.wire.transaction.type === "claim.pledge" || ack.wire.transaction.type === "claim.release");
    const eventKey = (txId: string, type: string) => `${txId}:${type}`;
    const wantedKeys = new Set(wanted.map((ack) => eventKey(ack.txId, ack.wire.transaction.type === "claim.pledge" ? "claim.pledged" : "pledge.released")));
    const arrived = () => new Set([...hooks.received.values()].map((event) => eventKey(event.txId, event.type)));
    const deadline = Date.now() + STALL_MS + 90_000;
    while ([...wantedKeys].some((key) => !arrived().has(key)) && Date.now() < deadline) await sleep(500);
    await sleep(3_000); // a second delivery of an event would arrive now
    const got = arrived();
    const missing = [...wantedKeys].filter((key) => !got.has(key));
    if (missing.length) fail(`${missing.length} of ${wantedKeys.size} acknowledged pledges and releases never arrived as webhooks (first: ${missing[0]})`);
    const idsByEvent = new Map<string, string[]>();
    for (const [id, event] of hooks.received) idsByEvent.set(eventKey(event.txId, event.type), [...(idsByEvent.get(eventKey(event.txId, event.type)) ?? []), id]);
    const twice = [...idsByEvent].filter(([, ids]) => ids.length > 1);
    if (twice.length) fail(`${twice.length} events arrived under more than one webhook-id (first: ${twice[0]![0]})`);
    const logged = await entriesByTxId(db);
    const strangers = [...hooks.received.values()].filter((event) => !logged.has(event.txId));
    if (strangers.length) fail(`${strangers.length} webhooks for transactions not in the log (first: ${strangers[0]!.txId})`);
    const deliveryIds = new Set((await db.select({ id: webhookDeliveries.id }).from(webhookDeliveries)).map((d) => d.id));
    const unknown = [...hooks.received.keys()].filter((id) => !deliveryIds.has(id));
    if (unknown.length) fail(`${unknown.length} webhook-ids match no delivery row`);
    if (hooks.rejected.length) fail(`${hooks.rejected.length} webhooks failed verification: ${hooks.rejected[0]}`);
    report.webhooksExpected = wantedKeys.size;
    report.webhooksReceived = hooks.received.size;
    report.webhooksResent = hooks.arrivals - hooks.received.size;
    log(`webhooks: ${wantedKeys.size} pledges and releases acknowledged, ${hooks.received.size} webhook-ids received (${report.webhooksResent} resent after a kill), ${missing.length} missing`);
  }

  const running = Array.from({ length: lanes }, (_, i) => lane(i));
  let injected = 0;
  try {
    for (let crash = 1; crash <= crashes && failures.length === 0; crash += 1) {
      await sleep(minLoadMs + Math.random() * (maxLoadMs - minLoadMs));
      up = new Promise<void>((resolve) => (markUp = resolve));
      const hit = inFlight;
      report.inFlightAtKill += hit;
      await server.kill("SIGKILL");
      injected += 1;
      output += server.output();
      await checkDatabase(`after kill ${crash}`);
      log(`kill ${crash}/${crashes}: SIGKILL with ${hit} request(s) in flight; ${acks.length} acknowledged so far, all in the log; verify ok`);
      server = await startAppServer({ databaseUrl: own.url, port, env, log });
      markUp();
    }
    stopping = true;
    await Promise.race([Promise.all(running), sleep(60_000)]);

    // Every acknowledged transaction again: the original answer, never a second entry.
    const before = (await entriesByTxId(db)).size;
    for (const ack of acks) {
      const again = await trpcMutation<{ status: string; leafIndex: number; duplicate: boolean }>(server.url, "ledger.submit", ack.wire, cookies.get(ack.orgId)!);
      if (again.data?.status !== "accepted" || again.data.duplicate !== true || again.data.leafIndex !== ack.leafIndex) {
        fail(`retry of ${ack.txId}: expected duplicate at leaf ${ack.leafIndex}, got ${JSON.stringify(again.data ?? again.error)}`);
      } else report.retriedDuplicates += 1;
    }
    const after = await entriesByTxId(db);
    if (after.size !== before) fail(`retries appended ${after.size - before} entries`);
    const [dupes] = (await db.execute(sql`select count(*)::int as n from (select tx_id from ledger_entries group by tx_id having count(*) > 1) d`)) as unknown as { n: number }[];
    if ((dupes?.n ?? 0) > 0) fail(`${dupes?.n} transactions appear more than once in the log`);
    await checkWebhooks();
  } finally {
    stopping = true;
    markUp();
    await server.kill("SIGTERM");
    output += server.output();
  }
  await checkDatabase("at the end");
  await new Promise((resolve) => hooks.server.close(resolve));
  await own.drop();
  log(
    `crash test: ${injected} kills, ${report.submissions} submissions (${report.inFlightAtKill} in flight at a kill, ${report.committedButUnanswered} committed but unanswered), ` +
      `${acks.length} acknowledged, ${report.retriedDuplicates} retried as duplicates, ${failures.length} failures`,
  );
  return { crashesInjected: injected, acknowledged: acks.length, failures, output, ...report };
}

/** The bank's webhook receiver: verifies each signature; the events by webhook-id, and how many arrivals in all. */
async function startReceiver(port: number) {
  const hooks = {
    url: `http://127.0.0.1:${port}/crash-hooks`,
    secret: "",
    received: new Map<string, { type: string; txId: string }>(),
    arrivals: 0,
    rejected: [] as string[],
    server: null as unknown as Server,
  };
  hooks.server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      try {
        const event = new Webhook(hooks.secret).verify(body, req.headers as Record<string, string>) as { type: string; data: { txId: string } };
        hooks.arrivals += 1;
        hooks.received.set(String(req.headers["webhook-id"]), { type: event.type, txId: event.data.txId });
        res.writeHead(204).end();
      } catch (error) {
        hooks.rejected.push(String(error));
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => hooks.server.listen(port, "127.0.0.1", resolve));
  return hooks;
}

async function entriesByTxId(db: Db): Promise<Map<string, number>> {
  const rows = await db.select({ txId: ledgerEntries.txId, leafIndex: ledgerEntries.leafIndex }).from(ledgerEntries);
  return new Map(rows.map((r) => [r.txId, r.leafIndex]));
}

function argument(name: string): number | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    console.error("Set DATABASE_URL to a PostgreSQL server (a database of its own is created there and dropped afterwards).");
    process.exit(2);
  }
  const result = await runCrashTest({ serverUrl, crashes: argument("crashes"), lanes: argument("lanes") });
  for (const failure of result.failures) console.error(`FAILED ${failure}`);
  console.log(`${result.failures.length === 0 ? 1 : 0} passed, ${result.failures.length === 0 ? 0 : 1} failed`);
  process.exit(result.failures.length === 0 ? 0 : 1);
}
