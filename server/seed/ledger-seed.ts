import { randomBytes } from "node:crypto";
import { sha256 } from "@noble/hashes/sha2.js";
import type { Db } from "@/db/client";
import { buildSigned, identityFor, type SigningIdentity } from "@/contracts/client";
import { sealTransaction } from "@/contracts/ledger/schema";
import { deriveId, sha256Hex } from "@/contracts/canonical";
import { utf8ToBytes } from "@/contracts/hex";
import { commitSplitParts } from "@/contracts/split-commitments";
import { beijingDate } from "@/contracts/ledger/maturity";
import type { SignedLedgerTransaction, TransactionBodies, TransactionType } from "@/contracts/ledger/types";
import { outstandingMinor } from "@/contracts/ledger/claims";
import { claims } from "@/db/schema";
import { DUE_STATES, markOverdueClaims } from "../jobs/overdue";
import { inList } from "../ledger/repository";
import { OPERATOR_ORG_ID, platformSigner } from "../platform/signer";
import { loadOperatorRoleKeys } from "../platform/key";
import { latestCheckpointTextHash, requireAccepted, submitBatch, type LedgerOptions } from "../ledger/service";
import { DEMO_ORGS, demoUserId } from "./demo-data";
import { withTermsSalt } from "@/contracts/terms-commitments";

/**
 * The demo supply chain, built only through real signed transactions: key registrations
 * (co-signed by the operator), credit lines, an issuance, acceptances, splits down to tier 3
 * and one financing. Demo keys are derived from a public label so the demo can sign in any
 * browser; real users generate theirs in the browser and the server never sees them.
 */
export function demoIdentity(orgId: string): SigningIdentity & { publicKeyHex: string } {
  return identityFor(orgId, sha256(utf8ToBytes(`double-chain demo signing key ${orgId}`)));
}

/** The demo settlement agent's key of a lender (docs/witness.md §8): a second key of the lender, for its agent. */
export function demoAgentIdentity(orgId: string): SigningIdentity & { publicKeyHex: string } {
  return identityFor(orgId, sha256(utf8ToBytes(`double-chain demo settlement agent key ${orgId}`)));
}

/** The demo approver's key of an organisation: held by its user with the approver permission (demo-data.ts). */
export function demoApproverIdentity(orgId: string): SigningIdentity & { publicKeyHex: string } {
  return identityFor(orgId, sha256(utf8ToBytes(`double-chain demo approver key ${orgId}`)));
}

/** The core enterprise's approval policy in the demo: an issuance (or credit decision) above 1,000,000.00 needs an approver. */
export const DEMO_APPROVAL_ABOVE_MINOR = 100_000_000n;

/** The text of the demo's main invoice (the 1,000,000.00 issuance): a file holding exactly this matches its hash. */
export const DEMO_INVOICE_TEXT = "Invoice HX-2026-0418: 2,000 mainboard assemblies";

const DAY_MS = 86_400_000;
const nonce = () => randomBytes(16).toString("hex");

export function addDays(nowMs: number, days: number): string {
  return beijingDate(nowMs + days * DAY_MS);
}

export interface DemoLedger {
  rootClaimId: string;
  tier1KeptClaimId: string;
  tier2ClaimId: string;
  /** Tier 2's 100,000.00 piece (manual financing in the demo). */
  tier2KeptClaimId: string;
  /** Tier 3's 200.00 piece financed by the bank through the manual path. */
  tier3ClaimId: string;
  /** Tier 3's second 200.00 piece, free to finance under the factor's auto-financing policy. */
  tier3FreeClaimId: string;
  pendingOfferClaimId: string;
  bankLineId: string;
  factorLineId: string;
  factorPolicyId: string;
  /** An issuance that matured three days ago, unpaid and overdue; its tier-2 piece was financed by the factor with recourse. */
  overdueRootClaimId: string;
  /** An issuance that matured today, unpaid and overdue; its tier-2 piece was financed by the bank. */
  dueTodayRootClaimId: string;
}

/**
 * The operator roles the demo registers keys for. The checkpoint role stays with the admin
 * (genesis) key, which the demo's trust policies and exports pin (docs/ledger.md "Operator keys").
 */
export const SEEDED_OPERATOR_ROLES = ["onboarding", "overdue"] as const;

/** How far back the demo's history starts: the matured issuances were issued then. */
export const HISTORY_DAYS = 120;

export async function seedLedger(db: Db, options: LedgerOptions = {}): Promise<DemoLedger> {
  const presentClock = options.clock ?? Date.now;
  // The demo's history starts HISTORY_DAYS ago, so that some issuances have matured by now;
  // the log's times stay monotonic because the history is written first.
  let clock = () => presentClock() - HISTORY_DAYS * DAY_MS;
  const platform = await platformSigner(db);
  const operator = platform.identity;
  const id = (orgId: string) => demoIdentity(orgId);
  // Every kind with terms is signed with a terms salt, as the app signs it (terms-commitments.ts).
  const sign = <K extends TransactionType>(who: SigningIdentity, type: K, body: TransactionBodies[K], cosigners: SigningIdentity[] = []) =>
    buildSigned(who, type, withTermsSalt(type, body, randomBytes), { nonce: nonce(), createdAtMs: clock(), cosigners });
  const submit = async (...txs: SignedLedgerTransaction[]) => {
    const results = await submitBatch(db, txs.map(sealTransaction), { ...options, clock });
    return results.map(requireAccepted);
  };
  const txId = async (signed: SignedLedgerTransaction) => (await submit(signed))[0]!.txId;
  /** The checkpoint a lender's decision names: the latest, which closed with the previous block. */
  const checkpointNow = async () => {
    const hash = await latestCheckpointTextHash(db);
    if (hash === null) throw new Error("the demo ledger has no checkpoint note to decide on");
    return hash;
  };

  // Genesis: the operator's platform key, then every approved organisation's key.
  const operatorOrg = { orgId: OPERATOR_ORG_ID, orgName: "Double-chain Operations", role: "operator" as const, holderUserId: demoUserId(OPERATOR_ORG_ID) };
  await submit(sign(operator, "key.register", { ...operatorOrg, publicKeyHex: platform.key.publicKeyHex, keyId: platform.key.keyId, keyRole: "admin" }));
  // The operator's keys by role (contracts/ledger/roles.ts), each self-signed and confirmed by its admin key.
  const roleKeys = await loadOperatorRoleKeys(db);
  await submit(
    ...SEEDED_OPERATOR_ROLES.map((role) => {
      const key = roleKeys[role];
      return sign({ orgId: OPERATOR_ORG_ID, keyId: key.keyId, privateKey: key.privateKey }, "key.register", { ...operatorOrg, publicKeyHex: key.publicKeyHex, keyId: key.keyId, keyRole: role }, [operator]);
    }),
  );
  const onboarding: SigningIdentity = { orgId: OPERATOR_ORG_ID, keyId: roleKeys.onboarding.keyId, privateKey: roleKeys.onboarding.privateKey };
  const members = DEMO_ORGS.filter((o) => o.status === "approved" && o.role !== "operator");
  await submit(
    ...members.map((org) => {
      const key = id(org.id);
      return sign(key, "key.register", { orgId: org.id, orgName: org.name, role: org.role, publicKeyHex: key.publicKeyHex, keyId: key.keyId, keyRole: "admin", holderUserId: demoUserId(org.id) }, [onboarding]);
    }),
  );

  const core = id("org_huaxin");
  const tier1 = id("org_pearl");
  const tier2 = id("org_lingnan");
  const tier3 = id("org_xinyuan");
  const bank = id("org_cmtb");
  const factor = id("org_gbfactor");
  const expiresAtMs = presentClock() + 365 * DAY_MS;
  const bankLineId = deriveId("cl", await txId(sign(bank, "creditLine.grant", { coreEnterpriseOrgId: "org_huaxin", currency: "CNY", limitMinor: 5_000_000_000n, expiresAtMs })), 0);
  const factorLineId = deriveId("cl", await txId(sign(factor, "creditLine.grant", { coreEnterpriseOrgId: "org_huaxin", currency: "CNY", limitMinor: 2_000_000_000n, expiresAtMs })), 0);

  // Each issuance has its own invoice (one invoice backs one live issuance) under the one
  // framework contract. The "files" are these texts: a file holding exactly one of them
  // matches its hash on the claim's page.
  // The reference is the invoice's number, as the core enterprise's clerk types it.
  const documentsOf = (invoice: string, deliveryNote: string) => ({
    invoiceSha256: sha256Hex(utf8ToBytes(invoice)),
    contractSha256: sha256Hex(utf8ToBytes("Framework purchase contract HX-PR-2026")),
    deliveryNoteSha256: sha256Hex(utf8ToBytes(deliveryNote)),
    reference: /HX-\d{4}-\d{4}/.exec(invoice)?.[0] ?? invoice,
  });
  const issue = async (creditLineId: string, amountMinor: bigint, maturityDate: string, documents: ReturnType<typeof documentsOf>) =>
    deriveId("c", await txId(sign(core, "claim.issue", { creditLineId, toOrgId: "org_pearl", amountMinor, currency: "CNY", maturityDate, documents })), 0);
  /** Tier 1 accepts and passes `toTier2Minor` of it to tier 2, who accepts: [tier 1's piece, tier 2's piece]. */
  const passToTier2 = async (rootId: string, toTier2Minor: bigint, keptMinor: bigint) => {
    await submit(sign(tier1, "claim.accept", { claimId: rootId }));
    const split = await txId(sign(tier1, "claim.split", { claimId: rootId, parts: commitSplitParts([{ toOrgId: "org_lingnan", amountMinor: toTier2Minor }, { toOrgId: "org_pearl", amountMinor: keptMinor }], randomBytes) }));
    await submit(sign(tier2, "claim.accept", { claimId: deriveId("c", split, 0) }));
    return [deriveId("c", split, 1), deriveId("c", split, 0)] as const;
  };
  const finance = async (holder: SigningIdentity, lender: SigningIdentity, claimId: string, rateBps: number, recourse: boolean, paymentReference: string) => {
    const financingId = deriveId("fin", await txId(sign(holder, "financing.request", { claimId, lenderOrgId: lender.orgId })), 0);
    await submit(sign(lender, "financing.offer", { financingId, rateBps, feeMinor: 0n, disbursementDate: addDays(clock(), 0), recourse, checkpointHash: await checkpointNow() }));
    await submit(sign(holder, "financing.accept", { financingId }));
    await submit(sign(lender, "financing.disburse", { financingId, paymentReference, checkpointHash: await checkpointNow() }));
    return financingId;
  };

  // History: two issuances of four months ago, for the core enterprise's maturity desk. One
  // matured three days ago (its tier-2 piece financed by the factor with recourse), one
  // today (its tier-2 piece financed by the bank); both are unpaid, so the overdue job has
  // marked them overdue.
  const overdueRootClaimId = await issue(factorLineId, 5_000_000n, addDays(presentClock(), -3), documentsOf("Invoice HX-2026-0207: 500 power modules", "Delivery note DN-76102, received 2026-07-28"));
  const [, overdueTier2] = await passToTier2(overdueRootClaimId, 2_000_000n, 3_000_000n);
  await finance(tier2, factor, overdueTier2, 480, true, "GBF-DEMO-0007");
  const dueTodayRootClaimId = await issue(bankLineId, 8_000_000n, addDays(presentClock(), 0), documentsOf("Invoice HX-2026-0213: 800 display panels", "Delivery note DN-76240, received 2026-07-31"));
  const [, dueTier2] = await passToTier2(dueTodayRootClaimId, 3_000_000n, 5_000_000n);
  await finance(tier2, bank, dueTier2, 410, false, "CMTB-DEMO-0003");

  // The present.
  clock = presentClock;
  const maturityDate = addDays(clock(), 180);
  const rootClaimId = await issue(bankLineId, 100_000_000n, maturityDate, documentsOf(DEMO_INVOICE_TEXT, "Delivery note DN-77031, received 2026-11-20"));
  const [tier1KeptClaimId, tier2ClaimId] = await passToTier2(rootClaimId, 30_000_000n, 70_000_000n);
  const split2 = await txId(
    sign(tier2, "claim.split", {
      claimId: tier2ClaimId,
      // With commitments, so a piece's provenance bundle hides its siblings (split-commitments.ts).
      parts: commitSplitParts(
        [
          { toOrgId: "org_xinyuan", amountMinor: 20_000n },
          { toOrgId: "org_xinyuan", amountMinor: 20_000n },
          { toOrgId: "org_lingnan", amountMinor: 10_000_000n },
          { toOrgId: "org_lingnan", amountMinor: 19_960_000n },
        ],
        randomBytes,
      ),
    }),
  );
  const tier3ClaimId = deriveId("c", split2, 0);
  const tier3FreeClaimId = deriveId("c", split2, 1);
  await submit(sign(tier3, "claim.accept", { claimId: tier3ClaimId }), sign(tier3, "claim.accept", { claimId: tier3FreeClaimId }));

  // One manual financing: a tier-3 200.00 piece, financed by the bank.
  await finance(tier3, bank, tier3ClaimId, 450, false, "CMTB-DEMO-0001");

  // The factor finances small Huaxin tickets without a person: up to 5,000.00 a piece, up
  // to five hand-overs from the issuance, at 4.20% a year, no fee, without recourse.
  // The factor's settlement agent (server/witness/lender-agent.ts) signs the disbursements its
  // policy approves, with a key of its own that the factor registered for it (the platform key
  // may not), approved by the factor's own key. Derived from a public label like every demo key.
  // A maker key (it may settle, never decide credit), held by the factor's admin who runs the agent.
  const agent = demoAgentIdentity("org_gbfactor");
  const agentKey = { orgId: "org_gbfactor", orgName: DEMO_ORGS.find((org) => org.id === "org_gbfactor")!.name, role: "lender" as const, publicKeyHex: agent.publicKeyHex, keyId: agent.keyId };
  await submit(sign(agent, "key.register", { ...agentKey, keyRole: "maker", holderUserId: demoUserId("org_gbfactor") }, [factor]));
  const policyTx = await txId(sign(factor, "financingPolicy.set", { coreEnterpriseOrgId: "org_huaxin", currency: "CNY", maxAmountMinor: 500_000n, maxDepth: 5, rateBps: 420, feeMinor: 0n, recourse: false }));

  // A second issuance waiting in tier 1's inbox.
  const pendingOfferClaimId = await issue(factorLineId, 25_000_000n, addDays(clock(), 120), documentsOf("Invoice HX-2026-0421: 500 camera modules", "Delivery note DN-77055, received 2026-11-24"));

  // Maker-checker at the core enterprise: its approver (Wu Fang) holds an approver key, and
  // its policy asks for an approval of anything above 1,000,000.00. Set last, so the demo's own
  // issuances (none above it) were made as before.
  const approver = demoApproverIdentity("org_huaxin");
  const huaxin = DEMO_ORGS.find((org) => org.id === "org_huaxin")!;
  const approverIndex = huaxin.users.findIndex((user) => user.permission === "approver");
  await submit(sign(approver, "key.register", { orgId: "org_huaxin", orgName: huaxin.name, role: "core_enterprise", publicKeyHex: approver.publicKeyHex, keyId: approver.keyId, keyRole: "approver", holderUserId: demoUserId("org_huaxin", approverIndex) }, [core]));
  await submit(sign(core, "approvalPolicy.set", { approvalAboveMinor: DEMO_APPROVAL_ABOVE_MINOR, keyChangeAdmins: 1 }));

  // What the scheduled job did on the days the history issuances matured.
  // The demo depends on both history issuances being overdue: checked on their pieces, not
  // on how many issuances the run marked (more matured history would change that count).
  const overdue = await markOverdueClaims(db, options);
  const pieces = await db
    .select({ id: claims.id, state: claims.state, amountMinor: claims.amountMinor, settledMinor: claims.settledMinor })
    .from(claims)
    .where(inList(claims.rootId, [overdueRootClaimId, dueTodayRootClaimId]));
  const stillDue = pieces.filter((piece) => (DUE_STATES as readonly string[]).includes(piece.state) && outstandingMinor(piece) > 0n);
  if (overdue.refused.length > 0 || stillDue.length > 0) {
    throw new Error(`the demo's matured issuances were not marked overdue: ${JSON.stringify({ ...overdue, stillDue: stillDue.map((piece) => piece.id) })}`);
  }

  return {
    rootClaimId,
    tier1KeptClaimId,
    tier2ClaimId,
    tier2KeptClaimId: deriveId("c", split2, 2),
    tier3ClaimId,
    tier3FreeClaimId,
    pendingOfferClaimId,
    bankLineId,
    factorLineId,
    factorPolicyId: deriveId("pol", policyTx, 0),
    overdueRootClaimId,
    dueTodayRootClaimId,
  };
}
