import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database, Db } from "@/db/client";
import type { WireSignedTransaction } from "@/contracts/ledger/schema";
import { loadOperatorRoleKey, loadPlatformKey } from "@/server/platform/key";
import { requireAccepted, submitWire } from "@/server/ledger/service";
import { seedDemo } from "@/server/seed/seed";
import { createTestDatabase } from "../helpers/db";
import { callerFor, runtimeFor } from "../helpers/callers";
import { ATTACKS, revokedKeyTransactions, type AttackFixtures } from "../shared/operator-attacks";
import { addFigures } from "./figures";
import { bankLineId, codeOf, heldClaims, ids, stateHash, verifyOk } from "./support";

/*
 * The malicious operator of issue 14, through the API. The operator runs the server, so the
 * API's gate is no defence against it: each attack of the shared table
 * (test/shared/operator-attacks.ts) is submitted by a user of the organisation its envelope
 * names, so the gate lets it through and the contracts alone must refuse it. Each leaves the
 * database as it was.
 */

let database: Database;
let db: Db;
const fx = {} as AttackFixtures;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  await seedDemo(db);
  const platform = await loadPlatformKey(db);
  fx.operator = { orgId: "org_operator", keyId: platform.keyId, privateKey: platform.privateKey };
  for (const role of ["onboarding", "overdue"] as const) {
    const key = await loadOperatorRoleKey(db, role);
    fx[role] = { orgId: "org_operator", keyId: key.keyId, privateKey: key.privateKey };
  }
  fx.tier1 = ids.tier1;
  [fx.claimId] = (await heldClaims(db, 1)) as [string];
  fx.bankLineId = await bankLineId(db);
  const { revokedKey, register, revoke } = revokedKeyTransactions(ids.tier1);
  requireAccepted(await submitWire(db, register));
  requireAccepted(await submitWire(db, revoke));
  fx.revokedKey = revokedKey;
});
afterAll(async () => database?.close());

/** An admin of the organisation the envelope names as signer: the API lets only its own members submit. */
const SUBMITTER: Record<string, string> = { org_operator: "usr_operator_1", org_pearl: "usr_pearl_1", org_huaxin: "usr_huaxin_1" };
function submitterOf(wire: WireSignedTransaction): string {
  const userId = SUBMITTER[wire.transaction.signer.orgId];
  if (!userId) throw new Error(`no submitter for ${wire.transaction.signer.orgId}`);
  return userId;
}

describe("a malicious operator's transactions are refused and change nothing", () => {
  it.for(ATTACKS.map((attack) => [attack.name, attack] as const))("%s", async ([, attack], { task }) => {
    runtimeFor(db).limits.submissions.clear();
    const wire = attack.build(fx);
    const before = await stateHash(db);
    let answer: string;
    try {
      const result = await callerFor(db, submitterOf(wire)).ledger.submit(wire);
      answer = result.status === "refused" ? result.code : "accepted";
    } catch (error) {
      answer = await codeOf(Promise.reject(error));
    }
    expect(answer).toBe(attack.expected);
    expect(await stateHash(db), "the refused transaction changed the database").toBe(before);
    addFigures(task, { operatorAttacksRefused: 1 });
  });

  it("the log replays cleanly after all of it", async () => {
    await verifyOk(db);
  });
});
