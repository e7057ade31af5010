/**
 * A small ledger for the trust tests (state map, checkpoints, witnesses), built with
 * LogBuilder: keys (one rotated), a credit line, an issuance split between two suppliers, a
 * pledge released again, a financing request. `blocks` says where each block ends, so a test
 * can checkpoint the log at any block. Not a test file itself.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { identityFor, type SigningIdentity } from "@/contracts/client";
import { deriveId } from "@/contracts/canonical";
import { utf8ToBytes } from "@/contracts/hex";
import { transactionId } from "@/contracts/transaction";
import type { TransactionBodies } from "@/contracts/ledger/types";
import { LogBuilder, T0 } from "./log-builder";

export const identity = (orgId: string) => identityFor(orgId, sha256(utf8ToBytes(`trust test key ${orgId}`)));
export const operator = identity("org_operator");
export const core = identity("org_core");
export const s1 = identity("org_s1");
export const s2 = identity("org_s2");
export const bank = identity("org_bank");
export const s1Rotated = identityFor("org_s1", sha256(utf8ToBytes("trust test key org_s1 rotated")));

export interface TrustLog {
  log: LogBuilder;
  /** Log size after each block. */
  blocks: number[];
  /** The claim split off to s2 (financing requested) and the one s1 kept (pledged, released). */
  claimIds: { root: string; toS2: string; keptByS1: string };
}

export function buildTrustLog(): TrustLog {
  const log = new LogBuilder(operator);
  const blocks: number[] = [];
  const block = (...transactions: Parameters<LogBuilder["block"]>) => {
    const ids = log.block(...transactions);
    blocks.push(log.entries.length);
    return ids;
  };
  const register = (who: SigningIdentity & { publicKeyHex: string }, name: string, role: TransactionBodies["key.register"]["role"], cosigners: SigningIdentity[]) =>
    log.sign(who, "key.register", { orgId: who.orgId, orgName: name, role, publicKeyHex: who.publicKeyHex, keyId: who.keyId, keyRole: "admin", holderUserId: `usr_${who.orgId}` }, cosigners);
  block(register(operator, "Operator", "operator", []));
  block(
    register(core, "Core Enterprise", "core_enterprise", [operator]),
    register(s1, "Supplier One", "supplier", [operator]),
    register(s2, "Supplier Two", "supplier", [operator]),
    register(bank, "Bank", "lender", [operator]),
  );
  const [grant] = block(log.sign(bank, "creditLine.grant", { coreEnterpriseOrgId: core.orgId, currency: "CNY", limitMinor: 10_000_000n, expiresAtMs: T0 + 365 * 86_400_000 }));
  const documents = { invoiceSha256: "a".repeat(64), contractSha256: "b".repeat(64), deliveryNoteSha256: "c".repeat(64) };
  const issue = log.sign(core, "claim.issue", { creditLineId: deriveId("cl", grant as string, 0), toOrgId: s1.orgId, amountMinor: 1_000_000n, currency: "CNY", maturityDate: "2026-07-01", documents });
  const root = deriveId("c", transactionId(issue.transaction), 0);
  block(issue, log.sign(s1, "claim.accept", { claimId: root }));
  const split = log.sign(s1, "claim.split", { claimId: root, parts: [{ toOrgId: s2.orgId, amountMinor: 300_000n }, { toOrgId: s1.orgId, amountMinor: 700_000n }] });
  const toS2 = deriveId("c", transactionId(split.transaction), 0);
  const keptByS1 = deriveId("c", transactionId(split.transaction), 1);
  block(split, log.sign(s2, "claim.accept", { claimId: toS2 }));
  block(log.sign(s1, "claim.pledge", { claimId: keptByS1, lenderOrgId: bank.orgId }), log.sign(s2, "financing.request", { claimId: toS2, lenderOrgId: bank.orgId }));
  block(
    log.sign(bank, "claim.release", { claimId: keptByS1 }),
    log.sign(s1, "key.rotate", { orgId: s1.orgId, oldKeyId: s1.keyId, newKeyId: s1Rotated.keyId, newPublicKeyHex: s1Rotated.publicKeyHex }, [s1Rotated]),
  );
  return { log, blocks, claimIds: { root, toS2, keptByS1 } };
}
