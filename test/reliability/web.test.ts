import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { platformKeys, users } from "@/db/schema";
import { bytesToHex } from "@/contracts/hex";
import { createCallerFactory, publicProcedure, router } from "@/server/trpc/init";
import { describeInternalError } from "@/server/errors";
import { createRuntime } from "@/server/runtime/runtime";
import { RateLimiter, submissionsPerMinute } from "@/server/auth/rate-limit";
import { DEMO_PASSWORD } from "@/server/seed/demo-data";
import {
  createOwnDatabase,
  freePort,
  SERVER_SECRET,
  sessionCookie,
  signIn,
  startAppServer,
  trpcMutation,
  type AppServer,
  type OwnDatabase,
} from "@/scripts/app-server";
import { addFigures } from "./figures";
import { ids, signed, stateHash } from "./support";

/*
 * The built app over HTTP (`next start`, production mode): security headers, next-auth's
 * CSRF protection, tRPC refusing anything but JSON POSTs for writes, cookie flags (plain
 * HTTP and behind an https:// public URL), the sign-in and submission rate limits, and a
 * server log free of secrets and personal data.
 */

let own: OwnDatabase;
let http: AppServer;
let https: AppServer;
const secretsSeen = new Set<string>();
const SUBMIT_LIMIT = 5;

beforeAll(async () => {
  own = await createOwnDatabase(process.env.DATABASE_URL!, "dc_web");
  const env = { LEDGER_SUBMISSIONS_PER_MINUTE: String(SUBMIT_LIMIT) };
  const log = (line: string) => console.log(`[web] ${line}`);
  http = await startAppServer({ databaseUrl: own.url, port: await freePort(), env, log });
  const httpsPort = await freePort();
  https = await startAppServer({ databaseUrl: own.url, port: httpsPort, publicUrl: `https://127.0.0.1:${httpsPort}`, env, log });
}, 300_000);
afterAll(async () => {
  await http?.kill("SIGTERM");
  await https?.kill("SIGTERM");
  await own?.drop();
});

/** "name=value; Attr; Attr=x" -> attributes, lower-cased names. */
function attributes(setCookie: string): { name: string; value: string; attrs: Map<string, string> } {
  const [pair, ...rest] = setCookie.split(";").map((p) => p.trim());
  const eq = pair!.indexOf("=");
  const attrs = new Map(rest.map((a) => [a.split("=")[0]!.toLowerCase(), a.split("=").slice(1).join("=")] as [string, string]));
  return { name: pair!.slice(0, eq), value: pair!.slice(eq + 1), attrs };
}

describe("security headers", () => {
  it.for(["/signin", "/dashboard", "/api/auth/csrf", "/api/trpc/ledger.status", "/api/export/holdings"])("on %s", async (path, { task }) => {
    const res = await fetch(`${http.url}${path}`, { redirect: "manual" });
    const csp = res.headers.get("content-security-policy") ?? "";
    const directives = new Map(csp.split(";").map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
    expect(directives.get("default-src")).toEqual(["'self'"]);
    expect(directives.get("frame-ancestors")).toEqual(["'none'"]);
    expect(directives.get("object-src")).toEqual(["'none'"]);
    expect(directives.get("base-uri")).toEqual(["'self'"]);
    expect(directives.get("form-action")).toEqual(["'self'"]);
    expect(directives.get("connect-src")).toEqual(["'self'"]);
    expect(directives.get("script-src")).not.toContain("'unsafe-eval'");
    expect(directives.get("script-src")).not.toContain("'unsafe-inline'");
    expect(directives.get("script-src")).toContain("'strict-dynamic'");
    expect(directives.get("script-src")?.filter((source) => /^'nonce-[A-Za-z0-9+/]{22}==?'$/.test(source))).toHaveLength(1);
    expect(directives.get("script-src")).not.toContain("*");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(res.headers.get("permissions-policy")).toContain("camera=()");
    expect(res.headers.get("cross-origin-opener-policy")).toBe("same-origin");
    expect(res.headers.get("strict-transport-security")).toMatch(/max-age=\d{8}/);
    expect(res.headers.get("x-powered-by")).toBeNull();
    addFigures(task, { webChecks: 1 });
  });
});

/** The nonce of a response's script-src. */
const nonceOf = (res: Response) => /'nonce-([^']+)'/.exec(res.headers.get("content-security-policy") ?? "")?.[1];

describe("the Content Security Policy's nonce", () => {
  it.for(["/signin", "/apply", "/no-such-page"])("every script of %s carries this response's nonce, and the next request gets another", async (path, { task }) => {
    const first = await fetch(`${http.url}${path}`, { headers: { "accept-language": "en-GB" } });
    const nonce = nonceOf(first);
    expect(nonce).toBeDefined();
    const html = await first.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((match) => match[0]);
    // Next's bootstrap: its chunks and the inline flight data (self.__next_f.push).
    expect(scripts.length).toBeGreaterThan(3);
    expect(html).toContain("self.__next_f");
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    const second = await fetch(`${http.url}${path}`, { headers: { "accept-language": "en-GB" } });
    const nextNonce = nonceOf(second);
    expect(nextNonce).toBeDefined();
    expect(nextNonce).not.toBe(nonce);
    expect(await second.text()).not.toContain(nonce);
    addFigures(task, { webChecks: 1 });
  });
});

describe("CSRF", () => {
  it("sign-in needs next-auth's CSRF token, matching the CSRF cookie", async ({ task }) => {
    const missing = await signIn(http.url, "tier1@demo.doublechain.cn", DEMO_PASSWORD, { csrfToken: null });
    expect(missing.url).toContain("csrf=true");
    expect([...missing.cookies.keys()].some((n) => n.endsWith("session-token"))).toBe(false);
    const forged = await signIn(http.url, "tier1@demo.doublechain.cn", DEMO_PASSWORD, { csrfToken: "f".repeat(64) });
    expect(forged.url).toContain("csrf=true");
    expect([...forged.cookies.keys()].some((n) => n.endsWith("session-token"))).toBe(false);
    // A token fetched by another browser (the attacker's) does not match the victim's cookie.
    const attacker = (await (await fetch(`${http.url}/api/auth/csrf`)).json()) as { csrfToken: string };
    const stolen = await signIn(http.url, "tier1@demo.doublechain.cn", DEMO_PASSWORD, { csrfToken: attacker.csrfToken });
    expect([...stolen.cookies.keys()].some((n) => n.endsWith("session-token"))).toBe(false);
    const good = await signIn(http.url, "tier1@demo.doublechain.cn", DEMO_PASSWORD);
    expect([...good.cookies.keys()].some((n) => n.endsWith("session-token"))).toBe(true);
    for (const value of [...good.cookies.values()]) secretsSeen.add(value);
    addFigures(task, { webChecks: 4 });
  });

  it("tRPC writes only as POST with a JSON body: GET, forms and text/plain are refused and change nothing", async ({ task }) => {
    const cookie = await sessionCookie(http.url, "tier1@demo.doublechain.cn", DEMO_PASSWORD);
    secretsSeen.add(cookie.split("=").slice(1).join("="));
    const before = await stateHash(own.database.db);
    const wire = signed(ids.tier1, "claim.release", { claimId: `c_${"0".repeat(24)}` });
    const body = JSON.stringify({ json: wire });
    const get = await fetch(`${http.url}/api/trpc/ledger.submit?input=${encodeURIComponent(body)}`, { headers: { cookie } });
    expect(get.status).toBe(405);
    for (const type of ["multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "text/plain", "application/octet-stream"]) {
      const res = await fetch(`${http.url}/api/trpc/keys.decide`, { method: "POST", headers: { cookie, "content-type": type }, body: type.startsWith("multipart") ? `--x\r\nContent-Disposition: form-data; name="requestId"\r\n\r\nkreq\r\n--x--\r\n` : body });
      expect(res.status, type).toBe(415);
    }
    const noType = await fetch(`${http.url}/api/trpc/keys.decide`, { method: "POST", headers: { cookie }, body: new Blob([body]) });
    expect(noType.status).toBe(415);
    // No CORS: a cross-origin page's preflight is not granted, so its JSON POST never leaves the browser.
    const preflight = await fetch(`${http.url}/api/trpc/ledger.submit`, { method: "OPTIONS", headers: { origin: "https://evil.example", "access-control-request-method": "POST", "access-control-request-headers": "content-type" } });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    expect(preflight.headers.get("access-control-allow-credentials")).toBeNull();
    // The JSON POST itself works, and without the cookie it is anonymous.
    expect((await trpcMutation(http.url, "ledger.submit", wire, cookie)).data).toMatchObject({ status: "refused", code: "claim_not_found" });
    expect((await trpcMutation(http.url, "ledger.submit", wire, "")).status).toBe(401);
    expect(await stateHash(own.database.db)).toBe(before);
    addFigures(task, { webChecks: 9 });
  });

  it("CSV exports need a session, are private downloads and hold only the caller's own rows", async ({ task }) => {
    const anonymous = await fetch(`${http.url}/api/export/financings`);
    expect(anonymous.status).toBe(401);
    const cookie = await sessionCookie(http.url, "tier1@demo.doublechain.cn", DEMO_PASSWORD);
    secretsSeen.add(cookie.split("=").slice(1).join("="));
    const res = await fetch(`${http.url}/api/export/financings`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="double-chain-financings-/);
    expect(res.headers.get("cache-control")).toContain("no-store");
    // Tier 1 takes part in no financing: the header row only, never tier 3's with the bank.
    expect((await res.text()).trim().split("\r\n")).toHaveLength(1);
    expect((await fetch(`${http.url}/api/export/secrets`, { headers: { cookie } })).status).toBe(404);
    addFigures(task, { webChecks: 6 });
  });
});

describe("cookies", () => {
  it("over plain HTTP (the demo): session and CSRF cookies are httpOnly, SameSite=Lax, whole-site", async ({ task }) => {
    const result = await signIn(http.url, "tier2@demo.doublechain.cn", DEMO_PASSWORD);
    const session = result.setCookieHeaders.map(attributes).find((c) => c.name === "next-auth.session-token");
    expect(session).toBeDefined();
    expect(session!.attrs.has("httponly")).toBe(true);
    expect(session!.attrs.get("samesite")?.toLowerCase()).toBe("lax");
    expect(session!.attrs.get("path")).toBe("/");
    secretsSeen.add(session!.value);
    const csrf = (await fetch(`${http.url}/api/auth/csrf`)).headers.getSetCookie().map(attributes).find((c) => c.name.endsWith("next-auth.csrf-token"));
    expect(csrf!.attrs.has("httponly")).toBe(true);
    expect(csrf!.attrs.get("samesite")?.toLowerCase()).toBe("lax");
    addFigures(task, { webChecks: 2 });
  });

  it("behind an https:// URL (production): Secure, with the __Secure- and __Host- prefixes", async ({ task }) => {
    const result = await signIn(https.url, "tier2@demo.doublechain.cn", DEMO_PASSWORD);
    const cookies = result.setCookieHeaders.map(attributes);
    const session = cookies.find((c) => c.name === "__Secure-next-auth.session-token");
    expect(session, cookies.map((c) => c.name).join(", ")).toBeDefined();
    expect(session!.attrs.has("secure")).toBe(true);
    expect(session!.attrs.has("httponly")).toBe(true);
    expect(session!.attrs.get("samesite")?.toLowerCase()).toBe("lax");
    expect(cookies.some((c) => c.name === "next-auth.session-token")).toBe(false);
    secretsSeen.add(session!.value);
    const csrf = (await fetch(`${https.url}/api/auth/csrf`)).headers.getSetCookie().map(attributes).find((c) => c.name.endsWith("next-auth.csrf-token"));
    expect(csrf!.name).toBe("__Host-next-auth.csrf-token");
    expect(csrf!.attrs.has("secure")).toBe(true);
    expect(csrf!.attrs.has("httponly")).toBe(true);
    addFigures(task, { webChecks: 2 });
  });
});

describe("rate limits", () => {
  it("sign-in: after 10 failed attempts even the right password is refused for 15 minutes", async ({ task }) => {
    const email = "core.viewer@demo.doublechain.cn";
    for (let i = 0; i < 10; i += 1) {
      const wrong = await signIn(http.url, email, `wrong-password-${i}`);
      expect(wrong.url).toContain("error=CredentialsSignin");
      secretsSeen.add(`wrong-password-${i}`);
    }
    const blocked = await signIn(http.url, email, DEMO_PASSWORD);
    expect(blocked.url).toContain("error=RateLimited");
    expect([...blocked.cookies.keys()].some((n) => n.endsWith("session-token"))).toBe(false);
    // Another account is not affected.
    expect([...(await signIn(http.url, "core@demo.doublechain.cn", DEMO_PASSWORD)).cookies.keys()].some((n) => n.endsWith("session-token"))).toBe(true);
    addFigures(task, { webChecks: 12 });
  });

  it(`transaction submission: ${SUBMIT_LIMIT} per organisation per minute here (LEDGER_SUBMISSIONS_PER_MINUTE), then TOO_MANY_REQUESTS`, async ({ task }) => {
    const tier3 = await sessionCookie(http.url, "tier3@demo.doublechain.cn", DEMO_PASSWORD);
    const bank = await sessionCookie(http.url, "bank@demo.doublechain.cn", DEMO_PASSWORD);
    const before = await stateHash(own.database.db);
    const probe = (who = ids.tier3) => signed(who, "claim.release", { claimId: `c_${"0".repeat(24)}` });
    for (let i = 0; i < SUBMIT_LIMIT; i += 1) expect((await trpcMutation(http.url, "ledger.submit", probe(), tier3)).data).toMatchObject({ status: "refused" });
    const limited = await trpcMutation(http.url, "ledger.submit", probe(), tier3);
    expect(limited.status).toBe(429);
    expect(limited.error?.data).toMatchObject({ code: "TOO_MANY_REQUESTS", domainCode: "submission_rate_limited" });
    expect(limited.error?.message).toMatch(/more than 5 transactions in the last minute/);
    // Another organisation has its own budget.
    expect((await trpcMutation(http.url, "ledger.submit", probe(ids.bank), bank)).status).toBe(200);
    expect(await stateHash(own.database.db)).toBe(before);
    addFigures(task, { webChecks: SUBMIT_LIMIT + 2 });
  });

  it("the limiter: a fixed window per key, 120 a minute by default", () => {
    const limiter = new RateLimiter(2, 1000);
    expect([limiter.take("a", 0), limiter.take("a", 10), limiter.take("a", 20), limiter.take("b", 20)]).toEqual([true, true, false, true]);
    expect(limiter.take("a", 1000)).toBe(true);
    expect(submissionsPerMinute({})).toBe(120);
    expect(submissionsPerMinute({ LEDGER_SUBMISSIONS_PER_MINUTE: "7" })).toBe(7);
    expect(submissionsPerMinute({ LEDGER_SUBMISSIONS_PER_MINUTE: "-1" })).toBe(120);
  });
});

describe("logs", () => {
  it("an unexpected database error is logged without the values it was run with", async () => {
    const hash = "scrypt$32768$8$1$c2VjcmV0LXNhbHQ$c2VjcmV0LWhhc2gtdmFsdWU";
    const email = "private.person@example.com";
    const failing = router({
      boom: publicProcedure.mutation(async () => {
        // A foreign-key violation: the organisation does not exist.
        await own.database.db.insert(users).values({ id: "usr_log_probe", orgId: "org_missing", email, name: "Private Person", passwordHash: hash, permission: "admin", status: "active" });
      }),
    });
    // The runtime's logger (pino, server/runtime/signals.ts), writing where this test reads.
    const logged: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged.push(chunk.toString("utf8"));
        done();
      },
    });
    const runtime = createRuntime(own.database.db, { limits: "memory", signals: { logDestination: destination } });
    const error = await createCallerFactory(failing)({ runtime, db: runtime.db, userId: null }).boom().catch((e: unknown) => e as Error);
    expect((error as { code?: string }).code).toBe("INTERNAL_SERVER_ERROR");
    expect(describeInternalError((error as Error).cause)).toContain("23503");
    const text = logged.join("");
    const lines = text.split("\n").filter(Boolean).map((line) => JSON.parse(line) as { msg: string; path?: string; err?: { message: string } });
    const line = lines.find((entry) => entry.msg === "[trpc] internal error");
    expect(line?.path).toBe("boom");
    expect(line?.err?.message).toContain("insert into \"users\"");
    expect(text).not.toContain(hash);
    expect(text).not.toContain(email);
    expect(text).not.toContain("Private Person");
  });

  it("the servers logged no password, session or CSRF token, secret or private key", async () => {
    const [platform] = await own.database.db.select().from(platformKeys);
    const [hash] = await own.database.db.select({ h: users.passwordHash }).from(users).where(sql`${users.passwordHash} is not null`).limit(1);
    const forbidden = [
      DEMO_PASSWORD,
      SERVER_SECRET,
      platform!.privateKeyHex,
      bytesToHex(ids.tier1.privateKey),
      bytesToHex(ids.core.privateKey),
      hash!.h!,
      ...secretsSeen,
    ].filter((s) => s.length >= 8);
    const output = http.output() + https.output();
    expect(output.length).toBeGreaterThan(0);
    for (const secret of forbidden) expect(output.includes(secret), `the server log contains a secret (${secret.slice(0, 6)}…)`).toBe(false);
    expect(output).not.toMatch(/@demo\.doublechain\.cn/);
    expect(output).not.toMatch(/\[trpc\] internal error/);
  });
});
