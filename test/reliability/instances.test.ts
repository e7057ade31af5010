import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { creditLines, ledgerCheckpoints } from "@/db/schema";
import { buildSigned, toWire } from "@/contracts/client";
import { sha256Hex } from "@/contracts/canonical";
import { hexToBytes, utf8ToBytes } from "@/contracts/hex";
import { verifyConsistency } from "@/contracts/merkle";
import { nodeVerifier } from "@/server/crypto/node-verifier";
import { verifyDatabase } from "@/server/ledger/export";
import { addDays, demoIdentity } from "@/server/seed/ledger-seed";
import { DEMO_PASSWORD } from "@/server/seed/demo-data";
import { createOwnDatabase, freePort, SERVER_SECRET, sessionCookie, signIn, sleep, trpcMutation, waitForBuild, type OwnDatabase } from "@/scripts/app-server";
import { addFigures } from "./figures";

/*
 * `npm start` as deployed (scripts/start.mjs): three instances of the built app behind
 * haproxy, all on one PostgreSQL database. Races across instances, a sample of the attack
 * matrix through the balancer, rate limits shared by the instances, the operator's endpoints,
 * and a SIGKILL of one instance while the balancer keeps serving from the other two.
 * RELIABILITY_PORT picks the balancer's port (the instances take the next three).
 */
const HAPROXY = ["/usr/sbin/haproxy", "/usr/bin/haproxy"].find((p) => fs.existsSync(p));
const INSTANCES = 3;

let own: OwnDatabase;
let supervisor: ChildProcess;
let output = "";
let balancer = "";
let instancePorts: number[] = [];
let lineId = "";
const core = demoIdentity("org_huaxin");

const instanceUrl = (i: number) => `http://127.0.0.1:${instancePorts[i]}`;
const DOCUMENTS = {
  invoiceSha256: sha256Hex(utf8ToBytes("instances invoice")),
  contractSha256: sha256Hex(utf8ToBytes("instances contract")),
  deliveryNoteSha256: sha256Hex(utf8ToBytes("instances delivery note")),
};

/** The documents with an invoice of their own: one invoice backs at most one live issuance. */
const freshDocuments = () => ({ ...DOCUMENTS, invoiceSha256: randomBytes(32).toString("hex") });
const issuance = () =>
  toWire(buildSigned(core, "claim.issue", { creditLineId: lineId, toOrgId: "org_pearl", amountMinor: 1_000n, currency: "CNY", maturityDate: addDays(Date.now(), 60), documents: freshDocuments() }, { nonce: randomBytes(16).toString("hex"), createdAtMs: Date.now() }));

async function ready(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(3000) })).status === 200;
  } catch {
    return false;
  }
}

async function until(what: string, condition: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms; output:\n${output.slice(-3000)}`);
    await sleep(250);
  }
}

/** The pid of instance i as the supervisor last announced it. */
function pidOf(i: number): number {
  const matches = [...output.matchAll(new RegExp(`\\[start\\] instance ${i + 1} pid (\\d+)`, "g"))];
  return Number(matches.at(-1)?.[1]);
}

beforeAll(async () => {
  if (!HAPROXY) throw new Error("haproxy is not installed: apt-get install -y haproxy (.ci/run installs it)");
  await waitForBuild(() => {});
  own = await createOwnDatabase(process.env.DATABASE_URL!, "dc_instances");
  const [line] = await own.database.db.select().from(creditLines).where(eq(creditLines.coreEnterpriseOrgId, "org_huaxin"));
  lineId = line!.id;
  const port = Number(process.env.RELIABILITY_PORT ?? (await freePort()));
  instancePorts = Array.from({ length: INSTANCES }, (_, i) => port + 1 + i);
  balancer = `http://127.0.0.1:${port}`;
  supervisor = spawn(process.execPath, [path.join(process.cwd(), "scripts", "start.mjs")], {
    cwd: process.cwd(),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NODE_ENV: "production", DEMO_DEPLOYMENT: "1", NEXT_TELEMETRY_DISABLED: "1", DATABASE_URL: own.url, NEXTAUTH_SECRET: SERVER_SECRET, NEXTAUTH_URL: balancer, PORT: String(port), HOST: "127.0.0.1", INSTANCES: String(INSTANCES), DISABLE_JOBS: "1", LEDGER_SUBMISSIONS_PER_MINUTE: "100000" },
  });
  supervisor.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  supervisor.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  for (let i = 0; i < INSTANCES; i += 1) await until(`instance ${i + 1} ready`, () => ready(instanceUrl(i)));
  await until("the balancer ready", () => ready(balancer));
}, 300_000);

afterAll(async () => {
  if (supervisor?.pid) {
    try {
      process.kill(supervisor.pid, "SIGTERM");
    } catch {
      // gone
    }
    await Promise.race([new Promise((resolve) => supervisor.once("exit", resolve)), sleep(10_000)]);
    try {
      process.kill(-supervisor.pid, "SIGKILL");
    } catch {
      // the group is gone
    }
  }
  await own?.drop();
});

describe("three instances behind haproxy on one PostgreSQL", () => {
  it("the operator's endpoints: /healthz and /readyz on each instance and the balancer, /metrics per instance only, a request id on every answer", async () => {
    for (const url of [balancer, ...instancePorts.map((_, i) => instanceUrl(i))]) {
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: "alive" });
      const readiness = await fetch(`${url}/readyz`);
      expect(readiness.status).toBe(200);
      expect(await readiness.json()).toMatchObject({ status: "ready", checks: { database: { ok: true }, migrations: { ok: true }, ledgerHead: { ok: true } } });
    }
    const cookie = await sessionCookie(balancer, "core@demo.doublechain.cn", DEMO_PASSWORD);
    const me = await fetch(`${balancer}/api/trpc/auth.me`, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(me.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const mine = await fetch(`${balancer}/api/trpc/auth.me`, { headers: { cookie, "x-request-id": "operator-trace-42" } });
    expect(mine.headers.get("x-request-id")).toBe("operator-trace-42");
    expect((await fetch(`${balancer}/metrics`)).status).toBe(404);
    const scraped = await Promise.all(instancePorts.map(async (_, i) => (await fetch(`${instanceUrl(i)}/metrics`)).text()));
    for (const text of scraped) expect(text).toContain("# TYPE dc_trpc_requests_total counter");
    expect(scraped.join("\n")).toMatch(/dc_trpc_requests_total\{procedure="auth\.me",outcome="ok"\} \d+/);
    // The instances' JSON log lines: one per line, and none carries the password or the secret.
    expect(output).not.toContain(DEMO_PASSWORD);
    expect(output).not.toContain(SERVER_SECRET);
  });

  it("races across instances: one transaction sent to all three at once is one leaf; 30 at once through the balancer are 30 leaves; verify passes", async () => {
    const cookie = await sessionCookie(balancer, "core@demo.doublechain.cn", DEMO_PASSWORD);
    const same = issuance();
    const answers = await Promise.all(instancePorts.map((_, i) => trpcMutation<{ status: string; leafIndex: number; duplicate: boolean }>(instanceUrl(i), "ledger.submit", same, cookie)));
    expect(answers.map((a) => a.data?.status)).toEqual(["accepted", "accepted", "accepted"]);
    expect(new Set(answers.map((a) => a.data?.leafIndex)).size).toBe(1);
    expect(answers.filter((a) => a.data?.duplicate === false)).toHaveLength(1);
    const many = await Promise.all(Array.from({ length: 30 }, () => trpcMutation<{ status: string; leafIndex: number }>(balancer, "ledger.submit", issuance(), cookie)));
    expect(many.map((a) => a.data?.status)).toEqual(Array(30).fill("accepted"));
    expect(new Set(many.map((a) => a.data?.leafIndex)).size).toBe(30);
    const verified = await verifyDatabase(own.database.db, nodeVerifier);
    expect(verified.ok).toBe(true);
  });

  it("the attack matrix, a sample through the balancer: no session, another organisation's signature, a forged signature, a form POST", async () => {
    expect((await fetch(`${balancer}/api/trpc/auth.me`)).status).toBe(401);
    const tier1 = await sessionCookie(balancer, "tier1@demo.doublechain.cn", DEMO_PASSWORD);
    const forOther = await trpcMutation(balancer, "ledger.submit", issuance(), tier1);
    expect(forOther.error?.data.code).toBe("FORBIDDEN");
    const core = await sessionCookie(balancer, "core@demo.doublechain.cn", DEMO_PASSWORD);
    const signed = issuance();
    const forged = { ...signed, signatureHex: signed.signatureHex.replace(/^./, (c) => (c === "0" ? "1" : "0")) };
    const refused = await trpcMutation<{ status: string; code: string }>(balancer, "ledger.submit", forged, core);
    expect(refused.data?.status ?? refused.error?.data.code).toMatch(/refused|BAD_REQUEST/);
    const form = await fetch(`${balancer}/api/trpc/ledger.submit`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", cookie: core }, body: "a=b" });
    expect(form.status).toBe(415);
  });

  it("sign-in attempts are counted across the instances: ten wrong passwords spread over three instances block the eleventh on any", async () => {
    const email = "tier2@demo.doublechain.cn";
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const wrong = await signIn(instanceUrl(attempt % INSTANCES), email, `wrong-password-${attempt}`);
      expect(wrong.url).toContain("error=CredentialsSignin");
    }
    for (let i = 0; i < INSTANCES; i += 1) expect((await signIn(instanceUrl(i), email, DEMO_PASSWORD)).url).toContain("error=RateLimited");
  });

  it("a SIGKILLed instance: the balancer keeps answering from the other two, and the instance comes back", async ({ task }) => {
    const cookie = await sessionCookie(balancer, "core@demo.doublechain.cn", DEMO_PASSWORD);
    const victim = pidOf(1);
    expect(victim).toBeGreaterThan(0);
    const outcomes: { atMs: number; doneMs: number; ok: boolean; submitted: boolean }[] = [];
    let killedAtMs = Number.POSITIVE_INFINITY;
    let running = true;
    const lane = async () => {
      for (let n = 0; running; n += 1) {
        const atMs = Date.now();
        const submit = n % 3 === 0;
        try {
          const ok = submit ? (await trpcMutation<{ status: string }>(balancer, "ledger.submit", issuance(), cookie, 15_000)).data?.status === "accepted" : (await fetch(`${balancer}/api/trpc/auth.me`, { headers: { cookie }, signal: AbortSignal.timeout(15_000) })).status === 200;
          outcomes.push({ atMs, doneMs: Date.now(), ok, submitted: submit });
        } catch {
          outcomes.push({ atMs, doneMs: Date.now(), ok: false, submitted: submit });
        }
      }
    };
    const lanes = Array.from({ length: 6 }, lane);
    await sleep(2000);
    killedAtMs = Date.now();
    process.kill(victim, "SIGKILL");
    await sleep(6000);
    running = false;
    await Promise.all(lanes);
    // In flight at the kill or started after it.
    const after = outcomes.filter((o) => o.doneMs >= killedAtMs);
    const failedAfter = after.filter((o) => !o.ok);
    addFigures(task, { requestsAfterKill: after.length, failedAfterKill: failedAfter.length, submittedAfterKill: after.filter((o) => o.submitted && o.ok).length });
    expect(after.filter((o) => o.ok).length).toBeGreaterThan(20);
    // Only requests already in flight on the killed instance may fail; nothing started 2 s after the kill does.
    expect(failedAfter.filter((o) => o.atMs >= killedAtMs + 2000)).toEqual([]);
    expect(outcomes.filter((o) => o.doneMs < killedAtMs).every((o) => o.ok)).toBe(true);
    // The supervisor starts it again; the balancer's check brings it back.
    await until("the killed instance restarted", async () => pidOf(1) !== victim && (await ready(instanceUrl(1))));
    const verified = await verifyDatabase(own.database.db, nodeVerifier);
    expect(verified.ok).toBe(true);
  }, 240_000);

  it("log proofs from the restarted instance, which filled nothing at start, equal the warm instances' and verify", async () => {
    // Instance 2 was started again by the test above: it filled nothing, all three read log_subtree_hashes.
    const checkpoints = await own.database.db.select({ size: ledgerCheckpoints.size, root: ledgerCheckpoints.rootHash }).from(ledgerCheckpoints).orderBy(ledgerCheckpoints.size);
    const [older, newer] = [checkpoints[Math.floor(checkpoints.length / 3)]!, checkpoints.at(-1)!];
    expect(newer.size).toBeGreaterThan(older.size);
    const proofs = await Promise.all(
      instancePorts.map(async (_, i) => {
        const answer = await fetch(`${instanceUrl(i)}/api/ledger/consistency?old=${older.size}&new=${newer.size}`);
        expect(answer.status).toBe(200);
        return ((await answer.json()) as { proof: string[] }).proof;
      }),
    );
    expect(proofs[1]!.length).toBeGreaterThan(0);
    expect(proofs[1]).toEqual(proofs[0]);
    expect(proofs[1]).toEqual(proofs[2]);
    const hashes = proofs[1]!.map((hash) => new Uint8Array(Buffer.from(hash, "base64")));
    expect(verifyConsistency(older.size, newer.size, hexToBytes(older.root, 32), hexToBytes(newer.root, 32), hashes)).toEqual({ ok: true });
  });
});
