import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { count } from "drizzle-orm";
import type { Database } from "@/db/client";
import { claims, ledgerEntries, ledgerOrganisations, pledges, signingKeys } from "@/db/schema";
import { loadOperatorRoleKey, loadPlatformKey } from "@/server/platform/key";
import { requireAccepted, submitWire } from "@/server/ledger/service";
import { verifyDatabase } from "@/server/ledger/export";
import { nodeVerifier } from "@/server/crypto/node-verifier";
import { seedDemo } from "@/server/seed/seed";
import { createTestDatabase } from "../helpers/db";
import { ATTACKS, revokedKeyTransactions, type AttackFixtures } from "../shared/operator-attacks";
import { bankLineId, heldClaims, ids } from "../reliability/support";

/*
 * A malicious operator against the real ledger service (issue 14): every attack of the shared
 * table is refused by the contracts with its own code and leaves the database exactly as it
 * was, on PGlite and on PostgreSQL (DATABASE_URL).
 */

let database: Database;
const fx = {} as AttackFixtures;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
  const platform = await loadPlatformKey(database.db);
  fx.operator = { orgId: "org_operator", keyId: platform.keyId, privateKey: platform.privateKey };
  for (const role of ["onboarding", "overdue"] as const) {
    const key = await loadOperatorRoleKey(database.db, role);
    fx[role] = { orgId: "org_operator", keyId: key.keyId, privateKey: key.privateKey };
  }
  fx.tier1 = ids.tier1;
  [fx.claimId] = (await heldClaims(database.db, 1)) as [string];
  fx.bankLineId = await bankLineId(database.db);
  const { revokedKey, register, revoke } = revokedKeyTransactions(ids.tier1);
  requireAccepted(await submitWire(database.db, register));
  requireAccepted(await submitWire(database.db, revoke));
  fx.revokedKey = revokedKey;
});
afterAll(async () => database?.close());

/** What an attack could change: the log's length, the organisations and keys on the ledger, the claims and pledges. */
async function snapshot(): Promise<string> {
  const db = database.db;
  const [entries] = await db.select({ n: count() }).from(ledgerEntries);
  const rows = await Promise.all([db.select().from(ledgerOrganisations), db.select().from(signingKeys), db.select().from(claims), db.select().from(pledges)]);
  const sorted = rows.map((table) => table.map((row) => JSON.stringify(row, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value))).sort());
  return JSON.stringify([entries?.n, sorted]);
}

describe("a malicious operator's transactions are refused by the contracts and change nothing", () => {
  it.each(ATTACKS.map((attack) => [attack.name, attack] as const))("%s", async (_name, attack) => {
    const before = await snapshot();
    const result = await submitWire(database.db, attack.build(fx));
    expect(result.status === "refused" ? result.code : "accepted").toBe(attack.expected);
    expect(await snapshot(), "the refused transaction changed the database").toBe(before);
  });

  it("the ledger still replays cleanly after every attempt", async () => {
    expect(await verifyDatabase(database.db, nodeVerifier)).toMatchObject({ ok: true });
  });
});
