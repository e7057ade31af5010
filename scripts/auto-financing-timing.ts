/**
 * How long a small ticket takes to finance itself, the ledger's part: from the holder's signed
 * application under the factor's policy reaching the API's submit service to the disbursement
 * signed with the factor's settlement agent key being on the ledger (two blocks, each with a
 * signed checkpoint). The agent's own part (waiting for the witnesses' cosignatures, its
 * replay) is not in it: test/trust/lender-agent.test.ts prints that whole path with three real
 * witness processes and the agent as a process.
 * Runs on a fresh embedded database (PGlite, in memory) unless DATABASE_URL names a server,
 * where it creates and drops a scratch database. Prints the figures; asserts nothing.
 *
 *   npx tsx scripts/auto-financing-timing.ts [--runs 30]
 */
import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import postgres from "postgres";
import { openDatabase, type Database } from "@/db/client";
import { claims, financingPolicies, financings } from "@/db/schema";
import { buildSigned, toWire } from "@/contracts/client";
import { deriveId } from "@/contracts/canonical";
import { beijingDate } from "@/contracts/ledger/maturity";
import { latestCheckpointTextHash, requireAccepted, submitWire } from "@/server/ledger/service";
import { paymentReference } from "@/server/witness/lender-agent";
import { loadActor } from "@/server/auth/accounts";
import { submitSigned } from "@/server/commands/submit";
import { createAppRuntime } from "@/server/runtime/runtime";
import { seedDemo } from "@/server/seed/seed";
import { demoAgentIdentity, demoIdentity } from "@/server/seed/ledger-seed";

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1] || 30);
const nonce = () => randomBytes(16).toString("hex");

async function open(): Promise<{ database: Database; done: () => Promise<void>; label: string }> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const database = openDatabase({ kind: "pglite", dataDir: null });
    return { database, done: () => database.close(), label: "PGlite (in memory)" };
  }
  const name = `dc_auto_timing_${process.pid}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  const database = openDatabase({ kind: "postgres", url: target.toString() });
  const done = async () => {
    await database.close();
    const dropper = postgres(url, { max: 1, onnotice: () => {} });
    await dropper.unsafe(`drop database if exists ${name} with (force)`);
    await dropper.end();
  };
  return { database, done, label: `PostgreSQL (${target.host})` };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function main() {
  const { database, done, label } = await open();
  try {
    const db = database.db;
    await database.migrate();
    await seedDemo(db);
    const [policy] = await db.select().from(financingPolicies).where(eq(financingPolicies.status, "active"));
    const tier2 = demoIdentity("org_lingnan");
    const tier3 = demoIdentity("org_xinyuan");
    const agent = demoAgentIdentity("org_gbfactor");
    const actor = await loadActor(db, "usr_xinyuan_1");
    if (!policy || !actor) throw new Error("the demo seed has no policy or no tier-3 user");
    // Tier 2 passes `runs` pieces of 200.00 to tier 3, who accepts them: the tickets to finance.
    const [source] = await db.select().from(claims).where(sql`${claims.holderOrgId} = 'org_lingnan' and ${claims.amountMinor} = 19960000`);
    const parts = [...Array.from({ length: runs }, () => ({ toOrgId: "org_xinyuan", amountMinor: 20_000n })), { toOrgId: "org_lingnan", amountMinor: 19_960_000n - BigInt(runs) * 20_000n }];
    const split = requireAccepted(await submitWire(db, toWire(buildSigned(tier2, "claim.split", { claimId: source!.id, parts }, { nonce: nonce(), createdAtMs: Date.now() }))));
    const pieces = Array.from({ length: runs }, (_, i) => deriveId("c", split.txId, i));
    for (const claimId of pieces) requireAccepted(await submitWire(db, toWire(buildSigned(tier3, "claim.accept", { claimId }, { nonce: nonce(), createdAtMs: Date.now() }))));

    const runtime = createAppRuntime(db);
    const timings: number[] = [];
    for (const claimId of pieces) {
      await runtime.limits.submissions.clear();
      const application = toWire(buildSigned(tier3, "financing.requestUnderPolicy", { claimId, policyId: policy.id, rateBps: policy.rateBps, feeMinor: policy.feeMinor, recourse: policy.recourse, disbursementDate: beijingDate(Date.now()) }, { nonce: nonce(), createdAtMs: Date.now() }));
      const startedMs = performance.now();
      const result = await submitSigned(runtime, actor, application);
      const financingId = deriveId("fin", result.txId ?? "0".repeat(64), 0);
      const checkpointHash = (await latestCheckpointTextHash(db)) ?? "";
      const disbursement = buildSigned(agent, "financing.disburse", { financingId, paymentReference: paymentReference(financingId), checkpointHash }, { nonce: nonce(), createdAtMs: Date.now() });
      requireAccepted(await submitWire(db, toWire(disbursement)));
      const elapsedMs = performance.now() - startedMs;
      const [financing] = await db.select().from(financings).where(eq(financings.id, financingId));
      if (financing?.status !== "disbursed") throw new Error(`piece ${claimId} was not disbursed: ${financing?.status ?? result.status}`);
      timings.push(elapsedMs);
    }
    const sorted = [...timings].sort((a, b) => a - b);
    console.log(`auto-financing, ${runs} tier-3 tickets of 200.00 on ${label}: application and the agent-signed disbursement committed (no cosigning round)`);
    console.log(`  p50 ${percentile(sorted, 50).toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms, max ${sorted.at(-1)?.toFixed(1)} ms`);
  } finally {
    await done();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
