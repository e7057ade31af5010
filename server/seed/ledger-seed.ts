import { randomBytes } from "node:crypto";
import { sha256 } from "@noble/hashes/sha2.js";
import type { Db } from "@/db/client";
import { buildSigned, identityFor, toWire, type SigningIdentity } from "@/contracts/client";
import { deriveId, sha256Hex } from "@/contracts/canonical";
import { utf8ToBytes } from "@/contracts/hex";
import type { SignedLedgerTransaction, TransactionBodies, TransactionType } from "@/contracts/ledger/types";
import { loadPlatformKey } from "../ledger/platform-key";
import { requireAccepted, submitBatch, type LedgerOptions } from "../ledger/service";
import { DEMO_ORGS } from "./demo-data";

/**
 * The demo supply chain, built only through real signed transactions: key registrations
 * (co-signed by the operator), credit lines, an issuance, acceptances, splits down to tier 3
 * and one financing. Demo keys are derived from a public label so the demo can sign in any
 * browser; real users generate theirs in the browser and the server never sees them.
 */
export function demoIdentity(orgId: string): SigningIdentity & { publicKeyHex: string } {
  return identityFor(orgId, sha256(utf8ToBytes(`double-chain demo signing key ${orgId}`)));
}

const DAY_MS = 86_400_000;
const nonce = () => randomBytes(16).toString("hex");

export function addDays(nowMs: number, days: number): string {
  return new Date(nowMs + days * DAY_MS).toISOString().slice(0, 10);
}

export interface DemoLedger {
  rootClaimId: string;
  tier1KeptClaimId: string;
  tier2ClaimId: string;
  tier2KeptClaimId: string;
  tier3ClaimId: string;
  pendingOfferClaimId: string;
  bankLineId: string;
  factorLineId: string;
}

export async function seedLedger(db: Db, options: LedgerOptions = {}): Promise<DemoLedger> {
  const clock = options.clock ?? Date.now;
  const platform = await loadPlatformKey(db);
  const operator = { orgId: "org_operator", keyId: platform.keyId, privateKey: platform.privateKey };
  const id = (orgId: string) => demoIdentity(orgId);
  const sign = <K extends TransactionType>(who: SigningIdentity, type: K, body: TransactionBodies[K], cosigners: SigningIdentity[] = []) =>
    buildSigned(who, type, body, { nonce: nonce(), createdAtMs: clock(), cosigners });
  const submit = async (...txs: SignedLedgerTransaction[]) => {
    const results = await submitBatch(db, txs.map(toWire), options);
    return results.map(requireAccepted);
  };
  const txId = async (signed: SignedLedgerTransaction) => (await submit(signed))[0]!.txId;

  // Genesis: the operator's platform key, then every approved organisation's key.
  await submit(sign(operator, "key.register", { orgId: "org_operator", orgName: "Double-chain Operations", role: "operator", publicKeyHex: platform.publicKeyHex, keyId: platform.keyId }));
  const members = DEMO_ORGS.filter((o) => o.status === "approved" && o.role !== "operator");
  await submit(
    ...members.map((org) => {
      const key = id(org.id);
      return sign(key, "key.register", { orgId: org.id, orgName: org.name, role: org.role, publicKeyHex: key.publicKeyHex, keyId: key.keyId }, [operator]);
    }),
  );

  const core = id("org_huaxin");
  const tier1 = id("org_pearl");
  const tier2 = id("org_lingnan");
  const tier3 = id("org_xinyuan");
  const bank = id("org_cmtb");
  const factor = id("org_gbfactor");
  const expiresAtMs = clock() + 365 * DAY_MS;
  const bankLineId = deriveId("cl", await txId(sign(bank, "creditLine.grant", { coreEnterpriseOrgId: "org_huaxin", currency: "CNY", limitMinor: 5_000_000_000n, expiresAtMs })), 0);
  const factorLineId = deriveId("cl", await txId(sign(factor, "creditLine.grant", { coreEnterpriseOrgId: "org_huaxin", currency: "CNY", limitMinor: 2_000_000_000n, expiresAtMs })), 0);

  const documents = {
    invoiceSha256: sha256Hex(utf8ToBytes("Invoice HX-2026-0418: 2,000 mainboard assemblies")),
    contractSha256: sha256Hex(utf8ToBytes("Framework purchase contract HX-PR-2026")),
    deliveryNoteSha256: sha256Hex(utf8ToBytes("Delivery note DN-77031, received 2026-11-20")),
  };
  const maturityDate = addDays(clock(), 180);
  const rootClaimId = deriveId("c", await txId(sign(core, "claim.issue", { creditLineId: bankLineId, toOrgId: "org_pearl", amountMinor: 100_000_000n, currency: "CNY", maturityDate, documents })), 0);
  await submit(sign(tier1, "claim.accept", { claimId: rootClaimId }));
  const split1 = await txId(sign(tier1, "claim.split", { claimId: rootClaimId, parts: [{ toOrgId: "org_lingnan", amountMinor: 30_000_000n }, { toOrgId: "org_pearl", amountMinor: 70_000_000n }] }));
  const tier2ClaimId = deriveId("c", split1, 0);
  await submit(sign(tier2, "claim.accept", { claimId: tier2ClaimId }));
  const split2 = await txId(sign(tier2, "claim.split", { claimId: tier2ClaimId, parts: [{ toOrgId: "org_xinyuan", amountMinor: 20_000n }, { toOrgId: "org_lingnan", amountMinor: 29_980_000n }] }));
  const tier3ClaimId = deriveId("c", split2, 0);
  await submit(sign(tier3, "claim.accept", { claimId: tier3ClaimId }));

  // One financing: the tier-3 vendor's 200.00 piece, financed by the bank.
  const financingId = deriveId("fin", await txId(sign(tier3, "financing.request", { claimId: tier3ClaimId, lenderOrgId: "org_cmtb" })), 0);
  await submit(sign(bank, "financing.offer", { financingId, rateBps: 450, feeMinor: 0n, disbursementDate: addDays(clock(), 0), recourse: false }));
  await submit(sign(tier3, "financing.accept", { financingId }));
  await submit(sign(bank, "financing.disburse", { financingId, paymentReference: "CMTB-DEMO-0001" }));

  // A second issuance waiting in tier 1's inbox.
  const pendingOfferClaimId = deriveId("c", await txId(sign(core, "claim.issue", { creditLineId: factorLineId, toOrgId: "org_pearl", amountMinor: 25_000_000n, currency: "CNY", maturityDate: addDays(clock(), 120), documents })), 0);

  return { rootClaimId, tier1KeptClaimId: deriveId("c", split1, 1), tier2ClaimId, tier2KeptClaimId: deriveId("c", split2, 1), tier3ClaimId, pendingOfferClaimId, bankLineId, factorLineId };
}
