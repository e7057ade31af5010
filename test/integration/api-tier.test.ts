import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encode } from "next-auth/jwt";
import type { Database } from "@/db/client";
import { seedDemo } from "@/server/seed/seed";
import { serverEnv } from "@/server/env";
import { createRuntime } from "@/server/runtime/runtime";
import { createTrpcNodeHandler } from "@/server/trpc/node-http";
import { createTestDatabase } from "../helpers/db";
import { callerFor } from "../helpers/callers";

/*
 * The API tier (server/trpc/node-http.ts: /api/trpc/* on plain node:http with tRPC's standalone
 * adapter, what scripts/serve.ts runs in production) over real HTTP: the session from
 * next-auth's cookie, refused without one, refused at once for a user disabled after the
 * cookie was made; JSON only; the request id echoed.
 */

let database: Database;
let server: http.Server;
let base: string;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
  const runtime = createRuntime(database.db, { limits: "memory" });
  const handler = createTrpcNodeHandler(() => Promise.resolve(runtime));
  server = http.createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await database.close();
});

/** next-auth's session cookie for the user, encrypted as next-auth does with the server's secret. */
async function sessionCookie(userId: string): Promise<string> {
  const token = await encode({ token: { sub: userId, name: "x" }, secret: serverEnv().NEXTAUTH_SECRET, maxAge: 3600 });
  return `next-auth.session-token=${token}`;
}

async function query(path: string, cookie?: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/api/trpc/${path}`, { headers: { ...(cookie ? { cookie } : {}), ...headers } });
  return { status: res.status, requestId: res.headers.get("x-request-id"), body: (await res.json()) as { result?: { data: { json: unknown } }; error?: { json: { data: { code: string; domainCode: string } } } } };
}

describe("the API tier on node:http", () => {
  it("refuses a request without a session, and one with a cookie that does not decrypt, as UNAUTHORIZED not_signed_in", async () => {
    for (const cookie of [undefined, "next-auth.session-token=not-a-token"]) {
      const answer = await query("ledger.operatorKey", cookie);
      expect(answer.status).toBe(401);
      expect(answer.body.error?.json.data).toMatchObject({ code: "UNAUTHORIZED", domainCode: "not_signed_in" });
    }
  });

  it("answers a signed-in member, then refuses the same cookie at once when the user is disabled", async () => {
    const cookie = await sessionCookie("usr_huaxin_2");
    const before = await query("ledger.operatorKey", cookie);
    expect(before.status).toBe(200);
    expect(before.body.result?.data.json).toMatchObject({ publicKeyHex: expect.stringMatching(/^[0-9a-f]{64}$/) });
    await callerFor(database.db, "usr_huaxin_1").users.update({ userId: "usr_huaxin_2", status: "disabled" });
    const after = await query("ledger.operatorKey", cookie);
    expect(after.status).toBe(401);
    expect(after.body.error?.json.data).toMatchObject({ code: "UNAUTHORIZED", domainCode: "session_invalid" });
  });

  it("echoes a well-formed X-Request-Id and makes one otherwise", async () => {
    expect((await query("ledger.status", undefined, { "x-request-id": "req-abc.123" })).requestId).toBe("req-abc.123");
    expect((await query("ledger.status", undefined, { "x-request-id": "bad id with spaces" })).requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("takes writes only as JSON: a form or text POST is refused with 415 before any procedure", async () => {
    const cookie = await sessionCookie("usr_huaxin_1");
    for (const type of ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"]) {
      const res = await fetch(`${base}/api/trpc/ledger.submit`, { method: "POST", headers: { cookie, "content-type": type }, body: "{}" });
      expect(res.status, type).toBe(415);
    }
  });
});
