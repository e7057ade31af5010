import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { platformKeys } from "@/db/schema";
import { seedDemo } from "@/server/seed/seed";
import { describeProductionRefusals, productionGuardApplies, productionRefusals } from "@/server/seed/production-guard";
import { createTestDatabase } from "../helpers/db";

/*
 * Issue 14, "operator keys ... in production": the app refuses to start in production with
 * the operator's private key in the database or not from the environment, demo keys, the demo
 * seed or the demo's network id. (test/reliability/production-guard.test.ts starts the built
 * app and sees it exit; here the rules, on a real database.)
 */

const opened: Database[] = [];
async function database(): Promise<Database> {
  const db = await createTestDatabase();
  opened.push(db);
  return db;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

const PRODUCTION = {
  NODE_ENV: "production",
  OPERATOR_SIGNING_KEY_HEX: randomBytes(32).toString("hex"),
  OPERATOR_CHECKPOINT_KEY_HEX: randomBytes(32).toString("hex"),
  OPERATOR_ONBOARDING_KEY_HEX: randomBytes(32).toString("hex"),
  OPERATOR_OVERDUE_KEY_HEX: randomBytes(32).toString("hex"),
  NETWORK_ID: "acme-scf-prod-1",
} as const;

describe("the production guard", () => {
  it("applies to a production process unless it declares itself a demo, and never in development", () => {
    expect(productionGuardApplies({ NODE_ENV: "production" })).toBe(true);
    expect(productionGuardApplies({ NODE_ENV: "production", DEMO_DEPLOYMENT: "1" })).toBe(false);
    expect(productionGuardApplies({ NODE_ENV: "production", DEMO_DEPLOYMENT: "true" })).toBe(true);
    expect(productionGuardApplies({ NODE_ENV: "development" })).toBe(false);
  });

  it("passes an empty database with the operator's keys and the network id from the environment", async () => {
    const db = await database();
    expect(await productionRefusals(db.db, PRODUCTION)).toEqual([]);
  });

  it("refuses the demo: its key in the database, demo signing keys, the demo seed and the demo network id", async () => {
    const db = await database();
    await seedDemo(db.db);
    const refusals = await productionRefusals(db.db, { NODE_ENV: "production" });
    expect(refusals.map((refusal) => refusal.code)).toEqual(["operator_key_not_from_environment", "operator_role_keys_not_from_environment", "operator_key_in_database", "demo_signing_keys", "demo_seed_present", "demo_network_id"]);
    const text = describeProductionRefusals(refusals);
    expect(text).toContain("OPERATOR_SIGNING_KEY_HEX");
    expect(text).toContain("org_huaxin");
    expect(text).toContain("DEMO_DEPLOYMENT=1");
  });

  it("names each problem on its own: a stored operator key alone is refused even with the environment's key set", async () => {
    const db = await database();
    await db.db.insert(platformKeys).values({ keyId: "k".repeat(16), privateKeyHex: "11".repeat(32), publicKeyHex: "22".repeat(32), createdAtMs: Date.now() });
    expect((await productionRefusals(db.db, PRODUCTION)).map((refusal) => refusal.code)).toEqual(["operator_key_in_database"]);
    expect((await productionRefusals(db.db, { ...PRODUCTION, NETWORK_ID: undefined })).map((refusal) => refusal.code)).toEqual(["operator_key_in_database", "demo_network_id"]);
  });

  it("refuses an operator role key missing from the environment, naming its variable, and one key reused for two duties", async () => {
    const db = await database();
    const refusals = await productionRefusals(db.db, { ...PRODUCTION, OPERATOR_OVERDUE_KEY_HEX: undefined });
    expect(refusals.map((refusal) => refusal.code)).toEqual(["operator_role_keys_not_from_environment"]);
    expect(refusals[0]!.message).toContain("OPERATOR_OVERDUE_KEY_HEX");
    expect(refusals[0]!.message).not.toContain("OPERATOR_CHECKPOINT_KEY_HEX");
    const reused = await productionRefusals(db.db, { ...PRODUCTION, OPERATOR_OVERDUE_KEY_HEX: PRODUCTION.OPERATOR_CHECKPOINT_KEY_HEX.toUpperCase() });
    expect(reused.map((refusal) => refusal.code)).toEqual(["operator_keys_not_distinct"]);
  });
});
