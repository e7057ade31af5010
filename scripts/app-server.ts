/*
 * The built app (scripts/serve.ts, as `npm start` runs each instance) on a loopback port against a database of its own, for the
 * crash script and the reliability suite's HTTP tests; plus the few HTTP calls they make
 * (next-auth sign-in with its CSRF token, tRPC calls in superjson's wire format).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import postgres from "postgres";
import { openDatabase, type Database } from "@/db/client";
import { seedDemo } from "@/server/seed/seed";

const ROOT = process.cwd();
const SERVE = path.join(ROOT, "scripts", "serve.ts");
const BUILD_ID = path.join(ROOT, ".next", "BUILD_ID");

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------
// A database of its own.

export interface OwnDatabase {
  url: string;
  name: string;
  database: Database;
  drop(): Promise<void>;
}

/** Creates, migrates and seeds a new database on the server named by `serverUrl`. */
export async function createOwnDatabase(serverUrl: string, prefix: string): Promise<OwnDatabase> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = openDatabase({ kind: "postgres", url: url.toString(), max: 5 });
  await database.migrate();
  await seedDemo(database.db);
  return {
    url: url.toString(),
    name,
    database,
    drop: async () => {
      await database.close();
      const dropper = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await dropper.unsafe(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}

// ---------------------------------------------------------------------------------------
// The built app.

/** True while some process runs `next build` (read from /proc; nothing is signalled). */
function buildRunning(): boolean {
  try {
    for (const pid of fs.readdirSync("/proc")) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const args = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        if (args.some((a) => /(^|\/)next(\.js)?$/.test(a)) && args.includes("build")) return true;
      } catch {
        // the process ended meanwhile
      }
    }
  } catch {
    // no /proc: rely on BUILD_ID alone
  }
  return false;
}

let staleWarned = false;

/** Waits until .next holds a finished production build and nobody is rebuilding it. */
export async function waitForBuild(log: (line: string) => void, timeoutMs = 15 * 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let said = false;
  for (;;) {
    const built = fs.existsSync(BUILD_ID) && Date.now() - fs.statSync(BUILD_ID).mtimeMs > 3000;
    if (built && !buildRunning()) {
      const stale = staleWarned ? null : newerThan(fs.statSync(BUILD_ID).mtimeMs);
      staleWarned = true;
      if (stale) log(`warning: ${stale} changed after the last build; run \`npm run build\` to test the current sources`);
      return;
    }
    if (Date.now() > deadline) throw new Error("No finished production build in .next: run `npm run build` first.");
    if (!said) log(built ? "waiting for a running `next build` to finish…" : "waiting for .next/BUILD_ID (run `npm run build`)…");
    said = true;
    await sleep(2000);
  }
}

/** A source file of the app modified after `sinceMs`, or null. */
function newerThan(sinceMs: number): string | null {
  const walk = (dir: string): string | null => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        const found = walk(full);
        if (found) return found;
      } else if (/\.(ts|tsx|css)$/.test(entry.name) && fs.statSync(full).mtimeMs > sinceMs) return path.relative(ROOT, full);
    }
    return null;
  };
  for (const dir of ["app", "server", "contracts", "db"]) {
    const found = fs.existsSync(path.join(ROOT, dir)) ? walk(path.join(ROOT, dir)) : null;
    if (found) return found;
  }
  return fs.statSync(path.join(ROOT, "next.config.ts")).mtimeMs > sinceMs ? "next.config.ts" : null;
}

function listenOn(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const { port: bound } = server.address() as net.AddressInfo;
      server.close(() => resolve(bound));
    });
  });
}

let nextInRange = 0;

/**
 * A free loopback port: any, or one of RELIABILITY_PORTS ("4200-4239") on a machine where
 * each user of it has a range of its own.
 */
export async function freePort(): Promise<number> {
  const range = /^(\d+)-(\d+)$/.exec(process.env.RELIABILITY_PORTS ?? "");
  if (!range) return listenOn(0);
  const [low, high] = [Number(range[1]), Number(range[2])];
  for (let tries = 0; tries <= high - low; tries++) {
    const port = low + ((nextInRange++) % (high - low + 1));
    try {
      return await listenOn(port);
    } catch {
      // taken: try the next one
    }
  }
  throw new Error(`no free port in RELIABILITY_PORTS=${process.env.RELIABILITY_PORTS}`);
}

export interface AppServerOptions {
  databaseUrl: string;
  port: number;
  /** The public URL next-auth signs cookies for; https:// makes them Secure and __Secure-/__Host- prefixed. */
  publicUrl?: string;
  env?: Record<string, string>;
  log?: (line: string) => void;
}

export interface AppServer {
  url: string;
  pid: number;
  /** Everything the server wrote to stdout and stderr, across its whole life. */
  output(): string;
  /** Sends the signal to the server's whole process group and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export const SERVER_SECRET = "reliability-secret-not-for-production";

/** Starts the built app (scripts/serve.ts) in its own process group and waits until it answers; retries around a concurrent build. */
export async function startAppServer(options: AppServerOptions): Promise<AppServer> {
  const log = options.log ?? (() => {});
  for (let attempt = 1; ; attempt += 1) {
    await waitForBuild(log);
    try {
      return await startOnce(options);
    } catch (error) {
      if (attempt >= 4) throw error;
      log(`the server did not start (${(error as Error).message.split("\n")[0]}); retrying`);
      await sleep(3000);
    }
  }
}

async function startOnce(options: AppServerOptions): Promise<AppServer> {
  const url = `http://127.0.0.1:${options.port}`;
  let output = "";
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", SERVE, "-p", String(options.port), "-H", "127.0.0.1"], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      // The reliability suite runs the demo; a test that wants the production guard sets DEMO_DEPLOYMENT in options.env.
      DEMO_DEPLOYMENT: "1",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: options.databaseUrl,
      NEXTAUTH_SECRET: SERVER_SECRET,
      NEXTAUTH_URL: options.publicUrl ?? url,
      ...options.env,
    },
  });
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let alive = true;
  void exited.then(() => (alive = false));
  const server: AppServer = {
    url,
    pid: child.pid!,
    output: () => output,
    kill: async (signal = "SIGTERM") => {
      if (!alive) return;
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // already gone
      }
      await Promise.race([exited, sleep(15_000)]);
    },
  };
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (!alive) throw new Error(`the app server exited: ${output.slice(-500)}`);
    try {
      const res = await fetch(`${url}/api/auth/csrf`, { signal: AbortSignal.timeout(5000) });
      if (res.ok) return server;
    } catch {
      // not listening yet
    }
    await sleep(150);
  }
  await server.kill("SIGKILL");
  throw new Error(`the app server did not answer within 90 s: ${output.slice(-500)}`);
}

// ---------------------------------------------------------------------------------------
// HTTP calls.

/** Cookie name -> value from Set-Cookie headers. */
export function cookiesFrom(res: Response): Map<string, string> {
  const jar = new Map<string, string>();
  for (const header of res.headers.getSetCookie()) {
    const [pair] = header.split(";");
    const eq = pair!.indexOf("=");
    jar.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
  }
  return jar;
}

export const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");

export interface SignInResult {
  status: number;
  /** Where next-auth sends the browser: /dashboard-like on success, ?error=… on failure. */
  url: string;
  cookies: Map<string, string>;
  setCookieHeaders: string[];
}

/** next-auth's credentials sign-in as the browser does it: fetch a CSRF token, then post it with the form. */
export async function signIn(baseUrl: string, email: string, password: string, opts: { csrfToken?: string | null } = {}): Promise<SignInResult> {
  const csrfRes = await fetch(`${baseUrl}/api/auth/csrf`);
  const jar = cookiesFrom(csrfRes);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const form = new URLSearchParams({ email, password, callbackUrl: `${baseUrl}/dashboard`, json: "true" });
  const token = opts.csrfToken === undefined ? csrfToken : opts.csrfToken;
  if (token !== null) form.set("csrfToken", token);
  const res = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar) },
    body: form,
  });
  let url = res.headers.get("location") ?? "";
  if (!url && (res.headers.get("content-type") ?? "").includes("json")) url = ((await res.json()) as { url?: string }).url ?? "";
  const cookies = cookiesFrom(res);
  return { status: res.status, url, cookies, setCookieHeaders: res.headers.getSetCookie() };
}

/** The session cookie of a successful sign-in, as a Cookie header (throws otherwise). */
export async function sessionCookie(baseUrl: string, email: string, password: string): Promise<string> {
  const result = await signIn(baseUrl, email, password);
  const session = [...result.cookies].find(([name]) => name.endsWith("next-auth.session-token"));
  if (!session) throw new Error(`sign-in as ${email} failed: ${result.status} ${result.url}`);
  return `${session[0]}=${session[1]}`;
}

export interface TrpcAnswer<T = unknown> {
  status: number;
  data?: T;
  error?: { message: string; data: { code: string; httpStatus: number; domainCode: string | null } };
}

/** One tRPC mutation over HTTP, input in superjson's wire form ({ json }). */
export async function trpcMutation<T = unknown>(baseUrl: string, procedure: string, input: unknown, cookie: string, timeoutMs = 30_000): Promise<TrpcAnswer<T>> {
  const res = await fetch(`${baseUrl}/api/trpc/${procedure}`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie },
    body: JSON.stringify({ json: input }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await res.json()) as { result?: { data?: { json?: T } }; error?: { json?: TrpcAnswer["error"] } };
  return { status: res.status, data: body.result?.data?.json, error: body.error?.json };
}
