import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { apiKeys } from "@/db/schema";
import { loadActor } from "@/server/auth/accounts";
import { authenticateApiKey, revokeApiKey } from "@/server/commands/api-keys";
import { seedDemo } from "@/server/seed/seed";
import { agentApiToken } from "@/scripts/trust-sidecars";
import { createTestDatabase } from "../helpers/db";

/*
 * The factor's settlement agent keeps the reference to its API key in its own folder
 * (scripts/trust-sidecars.ts): a restart reuses the key instead of making a new one, which
 * would announce a new machine credential to the factor's admins at every start.
 */

let database: Database;
const dir = mkdtempSync(path.join(tmpdir(), "agent-api-key-"));
const NOW = Date.parse("2026-12-04T03:00:00Z");
const DAY = 24 * 60 * 60 * 1000;

const factorKeys = () => database.db.select().from(apiKeys).where(eq(apiKeys.orgId, "org_gbfactor"));

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
}, 120_000);

afterAll(async () => {
  await database?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the settlement agent's API key", () => {
  it("is made once, kept in the agent's folder, and reused at the next start (no second key, so no second notice to the factor's admins)", async () => {
    const keysBefore = (await factorKeys()).length;
    const first = await agentApiToken(database.db, dir, NOW);
    expect(first.created).toBe(true);
    expect(JSON.parse(readFileSync(path.join(dir, "api-key.json"), "utf8")).token).toBe(first.token);
    expect((await factorKeys()).length).toBe(keysBefore + 1);

    const second = await agentApiToken(database.db, dir, NOW + DAY);
    expect(second).toEqual({ token: first.token, created: false });
    expect((await factorKeys()).length).toBe(keysBefore + 1);
    expect(await authenticateApiKey(database.db, second.token, NOW + DAY)).toMatchObject({ scopes: ["submit"], actor: { orgId: "org_gbfactor" } });
  });

  it("is replaced when the kept one was revoked, or expires within a day", async () => {
    const kept = await agentApiToken(database.db, dir, NOW);
    const admin = (await loadActor(database.db, "usr_gbfactor_1"))!;
    const [row] = (await factorKeys()).filter((key) => key.revokedAtMs === null);
    await revokeApiKey(database.db, admin, row!.id, NOW);
    const afterRevoke = await agentApiToken(database.db, dir, NOW);
    expect(afterRevoke.created).toBe(true);
    expect(afterRevoke.token).not.toBe(kept.token);

    // 30 days of life: 29.5 days on, it has less than a day left.
    const nearExpiry = await agentApiToken(database.db, dir, NOW + 29.5 * DAY);
    expect(nearExpiry.created).toBe(true);
    expect(nearExpiry.token).not.toBe(afterRevoke.token);
  });
});
