import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { ledgerHead, organisations, users } from "@/db/schema";
import { hashPassword } from "../auth/password";
import { OPERATOR_ORG_ID } from "../platform/signer";
import { DEMO_ORGS, DEMO_PASSWORD, demoUserId } from "./demo-data";
import { seedLedger } from "./ledger-seed";

export async function isSeeded(db: Db): Promise<boolean> {
  const [row] = await db.select({ id: organisations.id }).from(organisations).where(eq(organisations.id, OPERATOR_ORG_ID));
  return Boolean(row);
}

async function ledgerIsEmpty(db: Db): Promise<boolean> {
  const [head] = await db.select({ size: ledgerHead.size }).from(ledgerHead);
  return (head?.size ?? 0) === 0;
}

/**
 * Creates the demo organisations, their users and the demo ledger, all in one database
 * transaction: a seed killed at any point (Ctrl-C during the first `npm run dev`) leaves
 * nothing behind, and the next start seeds the whole demo again. Safe to call twice: it does
 * nothing the second time.
 */
export async function seedDemo(db: Db, log: (line: string) => void = () => {}): Promise<boolean> {
  if (await isSeeded(db)) {
    // A database seeded by a version that committed the organisations and the ledger
    // separately may hold the organisations only; its ledger is completed here.
    if (!(await ledgerIsEmpty(db))) return false;
    await seedLedger(db);
    return true;
  }
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await db.transaction(async (tx) => {
    for (const org of DEMO_ORGS) {
      await tx.insert(organisations).values({
        id: org.id,
        name: org.name,
        role: org.role,
        city: org.city,
        registrationNumber: org.registrationNumber,
        status: org.status,
        reviewedAt: org.status === "approved" ? new Date() : null,
      });
      for (const [index, user] of org.users.entries()) {
        await tx.insert(users).values({
          id: demoUserId(org.id, index),
          orgId: org.id,
          email: user.email,
          name: user.name,
          passwordHash,
          permission: user.permission,
          status: "active",
        });
      }
      log(`  ${org.name} (${org.role}, ${org.status})`);
    }
    log("  ledger: keys, credit lines, issuances split down to tier 3 (two matured), financings, an auto-financing policy");
    // The ledger's blocks become savepoints of this transaction (drizzle nests them).
    await seedLedger(tx);
  });
  return true;
}
