import { randomBytes } from "node:crypto";
import type { Db } from "@/db/client";
import { organisations, users } from "@/db/schema";
import { buildSigned, toWire, type SigningIdentity } from "@/contracts/client";
import { deriveId, sha256Hex } from "@/contracts/canonical";
import { utf8ToBytes } from "@/contracts/hex";
import type { TransactionBodies, TransactionType } from "@/contracts/ledger/types";
import { hashPassword } from "@/server/auth/password";
import { loadPlatformKey } from "@/server/platform/key";
import { latestCheckpointTextHash, requireAccepted, submitWire } from "@/server/ledger/service";
import { DEMO_ORGS, DEMO_PASSWORD, demoUserId } from "@/server/seed/demo-data";
import { addDays, demoIdentity } from "@/server/seed/ledger-seed";

/*
 * A small ledger whose every figure the tests know, independent of the demo seed (which
 * grows with the product): the demo organisations and users, plus one supplier whose name
 * needs CSV quoting, then signed transactions only.
 */

export const QUOTED_SUPPLIER = { id: "org_wuparts", name: 'Wu "Golden Bull" Parts, Ltd.' };
export const FORMULA_REFERENCE = '=HYPERLINK("http://x")';

export interface KnownLedger {
  /** 1,000,000.00 on the bank's line, 180 days: tier 1 keeps 650,000.00, passes 300,000.00 to tier 2 and 50,000.00 to Wu. */
  rootA: string;
  tier1KeptA: string;
  tier2KeptA: string;
  wuPieceA: string;
  /** Tier 2's 200.00 piece, passed to tier 3 and financed by the bank at 4.50%. */
  tier3PieceA: string;
  /** 250,000.00 on the factor's line, 20 days, still offered to tier 1. */
  rootB: string;
  /** 80,000.00 on the bank's line, 60 days, financed by tier 1 with the factor at 6.00% plus 10.00. */
  rootC: string;
  bankFinancing: string;
  factorFinancingC: string;
  factorFinancingWu: string;
}

const nonce = () => randomBytes(16).toString("hex");
const DOCUMENTS = {
  invoiceSha256: sha256Hex(utf8ToBytes("known ledger invoice")),
  contractSha256: sha256Hex(utf8ToBytes("known ledger contract")),
  deliveryNoteSha256: sha256Hex(utf8ToBytes("known ledger delivery note")),
};

async function seedOrganisations(db: Db): Promise<void> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const orgs = [...DEMO_ORGS, { ...QUOTED_SUPPLIER, role: "supplier" as const, city: "Ningbo", registrationNumber: "", status: "approved" as const, users: [{ email: "wu@example.com", name: "Wu Fang", permission: "admin" as const }] }];
  for (const org of orgs) {
    await db.insert(organisations).values({ id: org.id, name: org.name, role: org.role, city: org.city, registrationNumber: org.registrationNumber, status: org.status });
    for (const [index, user] of org.users.entries()) {
      await db.insert(users).values({ id: demoUserId(org.id, index), orgId: org.id, email: user.email, name: user.name, passwordHash, permission: user.permission, status: "active" });
    }
  }
}

export async function buildKnownLedger(db: Db): Promise<KnownLedger> {
  await seedOrganisations(db);
  const platform = await loadPlatformKey(db);
  const operator: SigningIdentity = { orgId: "org_operator", keyId: platform.keyId, privateKey: platform.privateKey };
  const submit = async <K extends TransactionType>(who: SigningIdentity, type: K, body: TransactionBodies[K], cosigners: SigningIdentity[] = []) =>
    requireAccepted(await submitWire(db, toWire(buildSigned(who, type, body, { nonce: nonce(), createdAtMs: Date.now(), cosigners })))).txId;
  const created = async <K extends TransactionType>(prefix: Parameters<typeof deriveId>[0], who: SigningIdentity, type: K, body: TransactionBodies[K], index = 0) => deriveId(prefix, await submit(who, type, body), index);

  await submit(operator, "key.register", { orgId: "org_operator", orgName: "Double-chain Operations", role: "operator", publicKeyHex: platform.publicKeyHex, keyId: platform.keyId, keyRole: "admin", holderUserId: demoUserId("org_operator") });
  const members = [...DEMO_ORGS.filter((o) => o.status === "approved" && o.role !== "operator"), { ...QUOTED_SUPPLIER, role: "supplier" as const }];
  for (const org of members) {
    const key = demoIdentity(org.id);
    await submit(key, "key.register", { orgId: org.id, orgName: org.name, role: org.role, publicKeyHex: key.publicKeyHex, keyId: key.keyId, keyRole: "admin", holderUserId: demoUserId(org.id) }, [operator]);
  }
  const [core, tier1, tier2, tier3, bank, factor, wu] = ["org_huaxin", "org_pearl", "org_lingnan", "org_xinyuan", "org_cmtb", "org_gbfactor", QUOTED_SUPPLIER.id].map(demoIdentity) as SigningIdentity[] as [SigningIdentity, SigningIdentity, SigningIdentity, SigningIdentity, SigningIdentity, SigningIdentity, SigningIdentity];
  const now = Date.now();
  const expiresAtMs = now + 365 * 86_400_000;
  const bankLine = await created("cl", bank, "creditLine.grant", { coreEnterpriseOrgId: "org_huaxin", currency: "CNY", limitMinor: 500_000_000n, expiresAtMs });
  const factorLine = await created("cl", factor, "creditLine.grant", { coreEnterpriseOrgId: "org_huaxin", currency: "CNY", limitMinor: 200_000_000n, expiresAtMs });
  // Each issuance has an invoice of its own: one invoice backs at most one live issuance.
  let invoices = 0;
  const issue = (creditLineId: string, amountMinor: bigint, days: number) =>
    created("c", core, "claim.issue", { creditLineId, toOrgId: "org_pearl", amountMinor, currency: "CNY", maturityDate: addDays(now, days), documents: { ...DOCUMENTS, invoiceSha256: sha256Hex(utf8ToBytes(`known ledger invoice ${++invoices}`)) } });
  const finance = async (holder: SigningIdentity, claimId: string, lender: SigningIdentity, rateBps: number, feeMinor: bigint, paymentReference: string) => {
    const financingId = await created("fin", holder, "financing.request", { claimId, lenderOrgId: lender.orgId });
    await submit(lender, "financing.offer", { financingId, rateBps, feeMinor, disbursementDate: addDays(now, 0), recourse: false, checkpointHash: (await latestCheckpointTextHash(db))! });
    await submit(holder, "financing.accept", { financingId });
    await submit(lender, "financing.disburse", { financingId, paymentReference, checkpointHash: (await latestCheckpointTextHash(db))! });
    return financingId;
  };

  const rootA = await issue(bankLine, 100_000_000n, 180);
  await submit(tier1, "claim.accept", { claimId: rootA });
  const splitA = await submit(tier1, "claim.split", { claimId: rootA, parts: [{ toOrgId: "org_lingnan", amountMinor: 30_000_000n }, { toOrgId: QUOTED_SUPPLIER.id, amountMinor: 5_000_000n }, { toOrgId: "org_pearl", amountMinor: 65_000_000n }] });
  const [tier2A, wuPieceA, tier1KeptA] = [0, 1, 2].map((i) => deriveId("c", splitA, i)) as [string, string, string];
  await submit(tier2, "claim.accept", { claimId: tier2A });
  await submit(wu, "claim.accept", { claimId: wuPieceA });
  const split2 = await submit(tier2, "claim.split", { claimId: tier2A, parts: [{ toOrgId: "org_xinyuan", amountMinor: 20_000n }, { toOrgId: "org_lingnan", amountMinor: 29_980_000n }] });
  const tier3PieceA = deriveId("c", split2, 0);
  await submit(tier3, "claim.accept", { claimId: tier3PieceA });
  const bankFinancing = await finance(tier3, tier3PieceA, bank, 450, 0n, "CMTB-0001");
  const factorFinancingWu = await finance(wu, wuPieceA, factor, 500, 0n, FORMULA_REFERENCE);

  const rootB = await issue(factorLine, 25_000_000n, 20);
  const rootC = await issue(bankLine, 8_000_000n, 60);
  await submit(tier1, "claim.accept", { claimId: rootC });
  const factorFinancingC = await finance(tier1, rootC, factor, 600, 1_000n, "GBF-0002");
  return { rootA, tier1KeptA, tier2KeptA: deriveId("c", split2, 1), wuPieceA, tier3PieceA, rootB, rootC, bankFinancing, factorFinancingC, factorFinancingWu };
}
