/**
 * The API under load: `next start` (the production build) on a free loopback port against
 * the bench database, demo suppliers signed in through next-auth's credentials endpoint,
 * and a closed-loop mixed workload (every client sends its next request as soon as the
 * previous one answered, like autocannon): dashboard and own-claims reads, provenance
 * bundles of claims the client's organisation holds, and claim.split submissions signed
 * with the organisation's demo key (a small part to a bench supplier, the rest kept, so
 * each client walks its own chain and books keep their size). Bounded by time and count,
 * loopback only; the load generator runs in this process, on the same two cores.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { createRequire } from "node:module";
import { and, asc, desc, eq, inArray, like, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { claims, ledgerHead, ledgerOrganisations } from "@/db/schema";
import { deriveId } from "@/contracts/canonical";
import { encodeSignedTransaction } from "@/contracts/ledger/schema";
import { DEMO_PASSWORD } from "@/server/seed/demo-data";
import { fmt, now, say, section, sleep, stats, type Stats } from "./common";
import { CpuMeter, describeCpu, type CpuReport } from "./cpu";
import { demoSigningIdentity, type Identity, signTx } from "./seed-core";
import { randomBytes } from "node:crypto";

const SUPPLIER_LOGINS: readonly { email: string; orgId: string }[] = [
  { email: "tier1@demo.doublechain.cn", orgId: "org_pearl" },
  { email: "tier2@demo.doublechain.cn", orgId: "org_lingnan" },
  { email: "tier3@demo.doublechain.cn", orgId: "org_xinyuan" },
];

export type Operation = "dashboard" | "myClaims" | "provenance" | "submit" | "operatorKey" | "bare";
type Mix = readonly [Operation, number][];
/** The floor: the cheapest authenticated procedure (session, actor, one small query). */
const FLOOR: Mix = [["operatorKey", 1]];
/**
 * The framework's own rate: /healthz, a Next.js route handler that returns a constant through
 * Next's whole pipeline (the proxy included) and asks nothing of the database. It stays a Next
 * route handler for this comparison: api_floor_ratio is FLOOR's rate over this one's.
 */
const BARE: Mix = [["bare", 1]];
export const MIX: Mix = [
  ["dashboard", 0.35],
  ["myClaims", 0.35],
  ["provenance", 0.1],
  ["submit", 0.2],
];

export interface LevelResult {
  clients: number;
  seconds: number;
  requests: number;
  errors: number;
  requestsPerSecond: number;
  latency: Stats;
  byOperation: Map<Operation, Stats & { errors: number }>;
  cpu: CpuReport;
  firstError: string | null;
}

export interface OpenLoopResult {
  offeredPerSecond: number;
  seconds: number;
  requests: number;
  errors: number;
  /** Answers a second. Below the offered rate when the server falls behind. */
  answeredPerSecond: number;
  /** From each request's scheduled start, so a server falling behind cannot hide it (no coordinated omission). */
  latency: Stats;
  firstError: string | null;
}

export interface ApiRun {
  /** Instances of the app: 1 is `next start` alone, more are `npm start` behind haproxy. */
  instances: number;
  levels: LevelResult[];
  /** 50 clients calling only ledger.operatorKey, in each of the interleaved rounds. */
  floor: LevelResult[];
  /** 50 clients calling only /healthz, a bare Next.js route handler, in each round. */
  bare: LevelResult[];
  /** The mixed workload offered at a fixed rate. */
  openLoop: OpenLoopResult;
  /** Mixed workload at saturation: the best level's rate. */
  apiRps: number;
  /** The floor's rate over the bare route's, over the rounds' totals. */
  floorRatio: number;
}

export interface ApiResult {
  runs: ApiRun[];
  ledgerSize: number;
}

// ---------------------------------------------------------------------------------------
// next start

export function isBuilt(): boolean {
  return fs.existsSync(path.join(".next", "BUILD_ID"));
}

/** Waits for a build that may be running (another session's), then builds if there is none. */
export async function ensureBuilt(options: { build: boolean; waitSeconds: number }): Promise<boolean> {
  const deadline = now() + options.waitSeconds * 1000;
  while (!isBuilt() && now() < deadline && fs.existsSync(".next")) await sleep(2000);
  if (isBuilt()) return true;
  if (!options.build) return false;
  say("no production build in .next: running next build (about a minute)");
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [nextBin(), "build"], { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    child.on("exit", (status) => resolve(status ?? 1));
  });
  return code === 0 && isBuilt();
}

function nextBin(): string {
  return createRequire(import.meta.url).resolve("next/dist/bin/next");
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export interface RunningApp {
  baseUrl: string;
  child: ChildProcess;
  stop(): Promise<void>;
  /** npm start's lines about instances that exited and were started again (none for next start alone). */
  restarts(): string[];
}

export interface StartOptions {
  /** 1: `next start` alone; more: `npm start` (scripts/start.mjs), that many instances behind haproxy. */
  instances: number;
  /** The port clients use (the balancer's; the instances take the next ones); a free one when absent. */
  port?: number;
  /** Each instance: "serve" (scripts/serve.ts: /api/trpc on the API tier, the rest through Next; as `npm start`) or "next" (`next start`: everything through Next's pipeline, the comparison). */
  server?: "serve" | "next";
}

const HAPROXY = ["/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy"].find((p) => fs.existsSync(p)) ?? null;

export const haproxyInstalled = () => HAPROXY !== null;

const stderrOf = new WeakMap<RunningApp, () => string>();
const lastLines = (app: RunningApp, count: number) => (stderrOf.get(app)?.() ?? "").trim().split("\n").slice(-count).join(" | ");

export async function startApp(env: Record<string, string>, options: StartOptions = { instances: 1 }): Promise<RunningApp> {
  const port = options.port ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  // BENCH_NEXT_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" profiles the server (written when it stops).
  const nodeArgs = (process.env.BENCH_NEXT_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const appEnv: NodeJS.ProcessEnv = { ...process.env, ...env, NODE_ENV: "production", DEMO_DEPLOYMENT: "1", NEXTAUTH_URL: baseUrl, NEXTAUTH_SECRET: "bench-secret-not-for-production-use", NEXT_TELEMETRY_DISABLED: "1", LEDGER_SUBMISSIONS_PER_MINUTE: "1000000", LOG_LEVEL: "warn" };
  const balanced = options.instances > 1;
  const server = options.server ?? "serve";
  if (balanced && (!HAPROXY || !env.DATABASE_URL)) throw new Error("several instances need haproxy and a PostgreSQL DATABASE_URL");
  const child: ChildProcess = balanced
    ? spawn(process.execPath, [path.join("scripts", "start.mjs")], { env: { ...appEnv, INSTANCES: String(options.instances), PORT: String(port), HOST: "127.0.0.1", APP_SERVER: server }, stdio: ["ignore", "pipe", "pipe"] })
    : spawn(process.execPath, [...nodeArgs, ...(server === "next" ? [nextBin(), "start"] : ["--import", "tsx", path.join("scripts", "serve.ts")]), "-p", String(port), "-H", "127.0.0.1"], { env: appEnv, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const restarts: string[] = [];
  child.stdout?.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) if (/^\[start\] instance \d+ .*exited/.test(line)) restarts.push(line);
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    await Promise.race([exited, sleep(balanced ? 8000 : 5000)]);
    if (child.exitCode === null) child.kill("SIGKILL");
  };
  // Behind the balancer, every instance must answer before the run starts (haproxy would
  // otherwise send the whole load to the first one ready).
  const probes = balanced ? Array.from({ length: options.instances }, (_, i) => `http://127.0.0.1:${port + 1 + i}`) : [];
  const deadline = now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode}: ${stderr}`);
    try {
      const response = await request(baseUrl, "GET", "/api/auth/csrf", {});
      const ready = await Promise.all(probes.map((probe) => request(probe, "GET", "/readyz", {}).then((r) => r.status === 200)));
      if (response.status === 200 && ready.every(Boolean)) break;
    } catch {
      // not listening yet
    }
    if (now() > deadline) {
      await stop();
      throw new Error(`the app did not answer within 90 s: ${stderr}`);
    }
    await sleep(250);
  }
  // haproxy checks /readyz once a second: give it time to see every instance up.
  if (balanced) await sleep(2500);
  const app: RunningApp = { baseUrl, child, stop, restarts: () => [...restarts] };
  stderrOf.set(app, () => stderr);
  return app;
}

// ---------------------------------------------------------------------------------------
// HTTP

interface Response {
  status: number;
  body: string;
  setCookie: string[];
}

let agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
let requestTimeoutMs = 30_000;

function request(baseUrl: string, method: string, pathname: string, headers: Record<string, string>, body?: string, timeoutMs = requestTimeoutMs): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${baseUrl}${pathname}`, { method, headers, agent, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), setCookie: res.headers["set-cookie"] ?? [] }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function cookiesFrom(setCookie: string[]): Map<string, string> {
  const jar = new Map<string, string>();
  for (const line of setCookie) {
    const [pair] = line.split(";", 1);
    const eq = pair?.indexOf("=") ?? -1;
    if (pair && eq > 0) jar.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return jar;
}

const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");

/** next-auth credentials sign-in: the CSRF token and cookie, then the callback; returns the session cookie header. */
export async function signIn(baseUrl: string, email: string, password: string): Promise<string> {
  const csrf = await request(baseUrl, "GET", "/api/auth/csrf", {});
  const jar = cookiesFrom(csrf.setCookie);
  const { csrfToken } = JSON.parse(csrf.body) as { csrfToken: string };
  const form = new URLSearchParams({ csrfToken, email, password, callbackUrl: `${baseUrl}/`, json: "true" }).toString();
  const callback = await request(baseUrl, "POST", "/api/auth/callback/credentials", { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar) }, form);
  for (const [k, v] of cookiesFrom(callback.setCookie)) jar.set(k, v);
  if (![...jar.keys()].some((k) => k.endsWith("next-auth.session-token"))) {
    throw new Error(`sign-in as ${email} failed: HTTP ${callback.status} ${callback.body.slice(0, 200)}`);
  }
  return cookieHeader(jar);
}

// ---------------------------------------------------------------------------------------
// Clients

interface ClientPlan {
  cookie: string;
  identity: Identity;
  /** The claim this client splits next (held by its organisation). */
  splitClaimId: string;
  outstanding: bigint;
  provenanceClaimIds: string[];
}

/** `count` clients over the three demo suppliers, each with its own held claim to split. */
async function planClients(db: Db, count: number): Promise<ClientPlan[]> {
  const perOrg = SUPPLIER_LOGINS.map(() => [] as ClientPlan[]);
  for (const [index, login] of SUPPLIER_LOGINS.entries()) {
    const wanted = Math.ceil(count / SUPPLIER_LOGINS.length);
    const held = await db
      .select({ id: claims.id, amount: claims.amountMinor, settled: claims.settledMinor })
      .from(claims)
      .where(and(eq(claims.holderOrgId, login.orgId), eq(claims.state, "held"), sql`${claims.activeFinancingId} is null`, sql`${claims.maturityDate} > to_char(now() + interval '2 days', 'YYYY-MM-DD')`))
      .orderBy(desc(claims.amountMinor), asc(claims.id));
    const deep = await db
      .select({ id: claims.id })
      .from(claims)
      .where(and(eq(claims.holderOrgId, login.orgId), inArray(claims.state, ["held", "financed", "pledged"])))
      .orderBy(desc(claims.depth), asc(claims.id))
      .limit(20);
    if (held.length < wanted) throw new Error(`${login.orgId} holds ${held.length} claims that can be split; ${wanted} clients need one each (seed more demo programs)`);
    const identity = demoSigningIdentity(login.orgId);
    for (const claim of held.slice(0, wanted)) {
      (perOrg[index] as ClientPlan[]).push({ cookie: "", identity, splitClaimId: claim.id, outstanding: claim.amount - claim.settled, provenanceClaimIds: deep.map((d) => d.id) });
    }
  }
  const plans: ClientPlan[] = [];
  for (let i = 0; plans.length < count; i++) plans.push(perOrg[i % perOrg.length]?.[Math.floor(i / perOrg.length)] as ClientPlan);
  return plans;
}

const trpcInput = (value: unknown) => encodeURIComponent(JSON.stringify({ json: value }));

async function runOperation(baseUrl: string, plan: ClientPlan, op: Operation, receivers: readonly string[], nonceBase: string, counter: { n: number }): Promise<void> {
  const headers = { cookie: plan.cookie };
  let response: Response;
  switch (op) {
    case "dashboard":
      response = await request(baseUrl, "GET", "/api/trpc/ledger.dashboard", headers);
      break;
    case "myClaims":
      response = await request(baseUrl, "GET", "/api/trpc/ledger.myClaims", headers);
      break;
    case "operatorKey":
      response = await request(baseUrl, "GET", "/api/trpc/ledger.operatorKey", headers);
      break;
    case "bare":
      response = await request(baseUrl, "GET", "/healthz", headers);
      break;
    case "provenance": {
      const claimId = plan.provenanceClaimIds[counter.n % Math.max(1, plan.provenanceClaimIds.length)];
      response = await request(baseUrl, "GET", `/api/trpc/ledger.provenance?input=${trpcInput({ claimId })}`, headers);
      break;
    }
    case "submit": {
      const part = plan.outstanding / 100n;
      const kept = plan.outstanding - part;
      const to = receivers[counter.n % receivers.length] as string;
      const nonce = `${nonceBase}${counter.n.toString(16).padStart(16, "0")}`;
      const { signed, txId } = signTx(plan.identity, "claim.split", { claimId: plan.splitClaimId, parts: [{ toOrgId: to, amountMinor: part }, { toOrgId: plan.identity.orgId, amountMinor: kept }] }, nonce, Date.now());
      const body = JSON.stringify({ json: encodeSignedTransaction(signed) });
      response = await request(baseUrl, "POST", "/api/trpc/ledger.submit", { ...headers, "content-type": "application/json" }, body);
      if (response.status === 200) {
        const result = (JSON.parse(response.body) as { result?: { data?: { json?: { status?: string; code?: string } } } }).result?.data?.json;
        if (result?.status !== "accepted") throw new Error(`split refused: ${result?.code ?? response.body.slice(0, 200)}`);
        plan.splitClaimId = deriveId("c", txId, 1);
        plan.outstanding = kept;
      }
      break;
    }
  }
  counter.n += 1;
  if (response.status !== 200) throw new Error(`${op}: HTTP ${response.status} ${response.body.slice(0, 200)}`);
}

function pickOperation(mix: Mix, random: number): Operation {
  let r = random;
  for (const [op, weight] of mix) if ((r -= weight) < 0) return op;
  return mix[0]?.[0] ?? "dashboard";
}

async function runLevel(baseUrl: string, plans: ClientPlan[], receivers: readonly string[], seconds: number, maxRequests: number, mix: Mix = MIX): Promise<LevelResult> {
  agent.destroy();
  agent = new http.Agent({ keepAlive: true, maxSockets: plans.length + 8 });
  const latencies: number[] = [];
  const byOp = new Map<Operation, { samples: number[]; errors: number }>(mix.map(([op]) => [op, { samples: [], errors: 0 }]));
  let errors = 0;
  let sent = 0;
  let firstError: string | null = null;
  const nonceBase = randomBytes(8).toString("hex");
  const meter = new CpuMeter();
  const started = now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    plans.map(async (plan, index) => {
      const counter = { n: index * 1_000_000 };
      while (now() < deadline && sent < maxRequests) {
        sent += 1;
        const op = pickOperation(mix, Math.random());
        const t0 = now();
        try {
          await runOperation(baseUrl, plan, op, receivers, nonceBase, counter);
          const ms = now() - t0;
          latencies.push(ms);
          byOp.get(op)?.samples.push(ms);
        } catch (error) {
          // A failed request counts in the latency too (a timeout at its limit), so errors
          // cannot make the percentiles look better than what the clients saw.
          latencies.push(now() - t0);
          errors += 1;
          const entry = byOp.get(op);
          if (entry) {
            entry.errors += 1;
            entry.samples.push(now() - t0);
          }
          firstError ??= error instanceof Error ? error.message : String(error);
        }
      }
    }),
  );
  const elapsed = (now() - started) / 1000;
  const cpu = meter.stop();
  const byOperation = new Map<Operation, Stats & { errors: number }>();
  for (const [op, { samples, errors: opErrors }] of byOp) byOperation.set(op, { ...stats(samples), errors: opErrors });
  return { clients: plans.length, seconds: elapsed, requests: latencies.length, errors, requestsPerSecond: (latencies.length - errors) / elapsed, latency: stats(latencies), byOperation, cpu, firstError };
}

/**
 * The mixed workload offered at a fixed rate, whatever the answers (an open loop, as users
 * arrive): request k is due at k / rate seconds and its latency counts from then, so a server
 * that falls behind shows it in the percentiles instead of slowing the load down. A request
 * takes a client that has none in flight (a client's splits form a chain); one waiting for a
 * client waits on the clock too.
 */
async function runOpenLoop(baseUrl: string, plans: ClientPlan[], receivers: readonly string[], perSecond: number, seconds: number): Promise<OpenLoopResult> {
  agent.destroy();
  agent = new http.Agent({ keepAlive: true, maxSockets: plans.length + 8 });
  const idle = [...plans.keys()];
  const waiting: ((index: number) => void)[] = [];
  const acquire = () => new Promise<number>((resolve) => (idle.length > 0 ? resolve(idle.pop() as number) : waiting.push(resolve)));
  const release = (index: number) => {
    const next = waiting.shift();
    if (next) next(index);
    else idle.push(index);
  };
  const counters = plans.map((_, index) => ({ n: 500_000_000 + index * 1_000_000 }));
  const nonceBase = randomBytes(8).toString("hex");
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  const total = Math.round(perSecond * seconds);
  const started = now();
  const inFlight: Promise<void>[] = [];
  for (let k = 0; k < total; k++) {
    const due = started + (k * 1000) / perSecond;
    const wait = due - now();
    if (wait > 1) await sleep(wait);
    const op = pickOperation(MIX, Math.random());
    inFlight.push(
      (async () => {
        const index = await acquire();
        try {
          await runOperation(baseUrl, plans[index] as ClientPlan, op, receivers, nonceBase, counters[index] as { n: number });
        } catch (error) {
          errors += 1;
          firstError ??= error instanceof Error ? error.message : String(error);
        } finally {
          latencies.push(now() - due);
          release(index);
        }
      })(),
    );
  }
  await Promise.all(inFlight);
  const elapsed = (now() - started) / 1000;
  return { offeredPerSecond: perSecond, seconds: elapsed, requests: latencies.length, errors, answeredPerSecond: (latencies.length - errors) / elapsed, latency: stats(latencies), firstError };
}

export interface ApiOptions {
  levels: number[];
  seconds: number;
  maxRequests: number;
  warmupSeconds: number;
  /** A request still unanswered after this is an error (counted at this latency). */
  timeoutSeconds: number;
  /** Instance counts to measure, one after the other (1: next start alone; more: npm start behind haproxy). */
  instances: number[];
  /** Seconds of each floor and bare-route round (two rounds each, interleaved). */
  floorSeconds: number;
  /** The open-loop rate (requests a second) and how long it is offered. */
  openLoopPerSecond: number;
  openLoopSeconds: number;
  /** The port the app (or its balancer) listens on; a free one when absent. */
  port?: number;
  /** What each instance runs (StartOptions.server); "serve" when absent. */
  server?: "serve" | "next";
}

/**
 * Plans every level's clients first (disjoint claims to split), then releases the bench's
 * own database handle (`release`: PGlite allows one process per folder) and starts the app,
 * once per instance count. The clients are the same in every run: a plan's next claim to
 * split follows its last accepted split.
 */
export async function measureApi(db: Db, env: Record<string, string>, options: ApiOptions, release: () => Promise<void>): Promise<ApiResult> {
  section("API under load: mixed workload (closed loop at saturation, then open loop), floor against a bare Next.js route");
  requestTimeoutMs = options.timeoutSeconds * 1000;
  say(`mix: ${MIX.map(([op, w]) => `${op} ${Math.round(w * 100)}%`).join(", ")}; ${options.seconds} s per level (then in-flight requests finish), at most ${fmt(options.maxRequests)} requests, ${options.timeoutSeconds} s timeout`);
  const [head] = await db.select({ size: ledgerHead.size }).from(ledgerHead);
  const receivers = (await db.select({ id: ledgerOrganisations.id }).from(ledgerOrganisations).where(like(ledgerOrganisations.id, "bsup_t4_%"))).map((r) => r.id);
  if (receivers.length === 0) throw new Error("the bench database has no bench suppliers: seed it first");
  const warmupClients = 6;
  const all = await planClients(db, warmupClients + Math.max(...options.levels));
  await release();
  say(`ledger of ${fmt(head?.size ?? 0)} transactions; ${all.length} clients planned`);
  const runs: ApiRun[] = [];
  for (const instances of options.instances) {
    const server = options.server ?? "serve";
    const each = server === "next" ? "next start" : "scripts/serve.ts: API tier + Next";
    section(`API with ${instances === 1 ? `one instance (${each})` : `${instances} instances behind haproxy (npm start, each ${each})`}`);
    const app = await startApp(env, { instances, server, ...(options.port === undefined ? {} : { port: options.port }) });
    try {
      runs.push(await measureOneSetup(app, all, receivers, instances, options));
    } finally {
      agent.destroy();
      const restarts = app.restarts();
      if (restarts.length > 0) say(`instances that exited during the run (npm start restarted them): ${restarts.length}; last: ${restarts.at(-1)}; stderr: ${lastLines(app, 5)}`);
      await app.stop();
    }
  }
  return { runs, ledgerSize: head?.size ?? 0 };
}

async function measureOneSetup(app: RunningApp, all: ClientPlan[], receivers: readonly string[], instances: number, options: ApiOptions): Promise<ApiRun> {
  const sessions = new Map<string, string>();
  for (const login of SUPPLIER_LOGINS) sessions.set(login.orgId, await signIn(app.baseUrl, login.email, DEMO_PASSWORD));
  for (const plan of all) plan.cookie = sessions.get(plan.identity.orgId) as string;
  // Warm up: every route compiled and cached once, a few seconds of light load.
  const warmup = all.slice(0, 6);
  const clients = all.slice(6);
  await runLevel(app.baseUrl, warmup, receivers, options.warmupSeconds, 2000);
  await runLevel(app.baseUrl, clients.slice(0, 50), receivers, 2, options.maxRequests, BARE);
  // The floor and the bare route, interleaved in two rounds, before any slow request can still be running on the server.
  const floor: LevelResult[] = [];
  const bare: LevelResult[] = [];
  for (let round = 0; round < 2; round++) {
    floor.push(await runLevel(app.baseUrl, clients.slice(0, 50), receivers, options.floorSeconds, options.maxRequests, FLOOR));
    bare.push(await runLevel(app.baseUrl, clients.slice(0, 50), receivers, options.floorSeconds, options.maxRequests, BARE));
  }
  for (const [index, result] of floor.entries()) {
    say(`floor round ${index + 1} (the cheapest authenticated procedure, ledger.operatorKey, only):`);
    reportLevel(result);
    say(`bare Next.js route handler round ${index + 1} (/healthz, a constant):`);
    reportLevel(bare[index] as LevelResult);
  }
  const answered = (results: LevelResult[]) => results.reduce((sum, r) => sum + r.requests - r.errors, 0) / results.reduce((sum, r) => sum + r.seconds, 0);
  const floorRatio = answered(floor) / answered(bare);
  say(`floor ratio (operatorKey ÷ bare route): ${floorRatio.toFixed(3)}`);
  const levels: LevelResult[] = [];
  for (const count of options.levels) {
    const result = await runLevel(app.baseUrl, clients.slice(0, count), receivers, options.seconds, options.maxRequests);
    levels.push(result);
    reportLevel(result);
  }
  const openLoop = await runOpenLoop(app.baseUrl, clients, receivers, options.openLoopPerSecond, options.openLoopSeconds);
  say(
    `open loop, ${openLoop.offeredPerSecond} req/s offered for ${options.openLoopSeconds} s: ${fmt(openLoop.answeredPerSecond, 1)} req/s answered, ${openLoop.errors} errors; ` +
      `latency from the scheduled start p50 ${fmt(openLoop.latency.p50)} ms, p95 ${fmt(openLoop.latency.p95)} ms, p99 ${fmt(openLoop.latency.p99)} ms`,
  );
  if (openLoop.firstError) say(`  first error: ${openLoop.firstError.slice(0, 300)}`);
  const apiRps = Math.max(...levels.map((level) => level.requestsPerSecond));
  return { instances, levels, floor, bare, openLoop, apiRps, floorRatio };
}

export function reportLevel(result: LevelResult): void {
  say(
    `${result.clients} clients: ${fmt(result.requests - result.errors)} answered in ${result.seconds.toFixed(1)} s = ${fmt(result.requestsPerSecond, 1)} req/s, ${result.errors} errors; ` +
      `latency (errors included) p50 ${fmt(result.latency.p50)} ms, p95 ${fmt(result.latency.p95)} ms, p99 ${fmt(result.latency.p99)} ms`,
  );
  for (const [op, s] of result.byOperation) {
    say(`  ${op.padEnd(10)} ${fmt(s.count - s.errors).padStart(6)} ok, ${String(s.errors).padStart(3)} errors: p50 ${fmt(s.p50)} ms, p95 ${fmt(s.p95)} ms, max ${fmt(s.max)} ms`);
  }
  say(`  ${describeCpu(result.cpu)}`);
  if (result.firstError) say(`  first error: ${result.firstError.slice(0, 300)}`);
}
