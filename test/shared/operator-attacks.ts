/**
 * A malicious operator's attempts on the ledger (issue 14), as one table: each row builds a
 * signed transaction from the operator's platform key (or a key it made up) and names the
 * result code the contracts must refuse it with. The same rows run on the real service
 * (test/integration/operator-attacks.test.ts, PGlite and PostgreSQL) and in the reliability
 * suite (test/reliability/operator-attacks.test.ts), each checking that nothing changed.
 *
 * Plus the two attacks that need no operator: a revoked key signing, and a transaction
 * signed for another network (deployment) of the platform.
 */
import { randomBytes } from "node:crypto";
import { buildSigned, identityFor, toWire, type SigningIdentity } from "@/contracts/client";
import type { ResultCode } from "@/contracts/ledger/kinds";
import type { WireSignedTransaction } from "@/contracts/ledger/schema";
import type { TransactionBodies, TransactionType } from "@/contracts/ledger/types";

export interface AttackFixtures {
  /** The operator's platform key, an active key of org_operator: its admin (genesis) key. */
  operator: SigningIdentity;
  /** The operator's onboarding and overdue keys (contracts/ledger/roles.ts), registered by the demo seed. */
  onboarding: SigningIdentity;
  overdue: SigningIdentity;
  /** Pearl River's (tier 1's) demo key, an active key of org_pearl. */
  tier1: SigningIdentity;
  /** A claim Pearl River holds. */
  claimId: string;
  /** The bank's credit line to the core enterprise. */
  bankLineId: string;
  /** A second key of Pearl River that Pearl River registered and then revoked. */
  revokedKey: SigningIdentity;
}

export interface Attack {
  name: string;
  expected: ResultCode;
  build: (fx: AttackFixtures) => WireSignedTransaction;
}

const PEARL = { orgId: "org_pearl", orgName: "Pearl River Assembly Ltd.", role: "supplier" as const, keyRole: "admin" as const, holderUserId: "usr_pearl_1" };
const nonce = () => randomBytes(16).toString("hex");
const freshKey = (orgId: string) => identityFor(orgId, new Uint8Array(randomBytes(32)));

function sign<K extends TransactionType>(who: SigningIdentity, type: K, body: TransactionBodies[K], options: { cosigners?: SigningIdentity[]; networkId?: string } = {}) {
  return toWire(buildSigned(who, type, body, { nonce: nonce(), createdAtMs: Date.now(), ...options }));
}

/** The operator's key, claiming to sign for `orgId` (the envelope names it, the key is the operator's). */
const operatorAs = (fx: AttackFixtures, orgId: string): SigningIdentity => ({ ...fx.operator, orgId });

export const ATTACKS: readonly Attack[] = [
  {
    name: "the operator registers a key it holds for Pearl River, self-signed and cosigned by the operator",
    expected: "key_set_change_by_operator",
    build: (fx) => {
      const key = freshKey("org_pearl");
      return sign(key, "key.register", { ...PEARL, publicKeyHex: key.publicKeyHex, keyId: key.keyId }, { cosigners: [fx.operator] });
    },
  },
  {
    name: "the operator registers a key it holds for Pearl River with no approval at all",
    expected: "organisation_approval_missing",
    build: () => {
      const key = freshKey("org_pearl");
      return sign(key, "key.register", { ...PEARL, publicKeyHex: key.publicKeyHex, keyId: key.keyId });
    },
  },
  {
    name: "the operator registers a key for the core enterprise, cosigned by the operator and by a supplier",
    expected: "key_set_change_by_operator",
    build: (fx) => {
      const key = freshKey("org_huaxin");
      const body = { orgId: "org_huaxin", orgName: "Huaxin Electronics Co., Ltd.", role: "core_enterprise" as const, publicKeyHex: key.publicKeyHex, keyId: key.keyId, keyRole: "admin" as const, holderUserId: "usr_huaxin_1" };
      return sign(key, "key.register", body, { cosigners: [fx.operator, fx.tier1] });
    },
  },
  {
    name: "the operator revokes Pearl River's key",
    expected: "key_set_change_by_operator",
    build: (fx) => sign(fx.operator, "key.revoke", { orgId: "org_pearl", keyId: fx.tier1.keyId, reason: "Compromised, says the operator" }),
  },
  {
    name: "the operator rotates Pearl River's key to one it holds",
    expected: "key_set_change_by_operator",
    build: (fx) => {
      const key = freshKey("org_pearl");
      return sign(fx.operator, "key.rotate", { orgId: "org_pearl", oldKeyId: fx.tier1.keyId, newKeyId: key.keyId, newPublicKeyHex: key.publicKeyHex }, { cosigners: [key] });
    },
  },
  {
    name: "the operator's key issues a claim on the core enterprise's credit line, naming the core enterprise as signer",
    expected: "signer_key_wrong_organisation",
    build: (fx) =>
      sign(operatorAs(fx, "org_huaxin"), "claim.issue", {
        creditLineId: fx.bankLineId,
        toOrgId: "org_pearl",
        amountMinor: 1_000_000n,
        currency: "CNY",
        maturityDate: "2099-01-01",
        documents: { invoiceSha256: "a".repeat(64), contractSha256: "b".repeat(64), deliveryNoteSha256: "c".repeat(64) },
      }),
  },
  {
    name: "the operator's key issues a claim on the core enterprise's credit line, as the operator",
    expected: "signer_not_core_enterprise",
    build: (fx) =>
      sign(fx.operator, "claim.issue", {
        creditLineId: fx.bankLineId,
        toOrgId: "org_pearl",
        amountMinor: 1_000_000n,
        currency: "CNY",
        maturityDate: "2099-01-01",
        documents: { invoiceSha256: "a".repeat(64), contractSha256: "b".repeat(64), deliveryNoteSha256: "c".repeat(64) },
      }),
  },
  {
    name: "the operator's key splits Pearl River's claim to itself, naming Pearl River as signer",
    expected: "signer_key_wrong_organisation",
    build: (fx) => sign(operatorAs(fx, "org_pearl"), "claim.split", { claimId: fx.claimId, parts: [{ toOrgId: "org_lingnan", amountMinor: 1_000_000n }] }),
  },
  {
    name: "the operator's key splits Pearl River's claim, as the operator",
    expected: "claim_not_held_by_signer",
    build: (fx) => sign(fx.operator, "claim.split", { claimId: fx.claimId, parts: [{ toOrgId: "org_lingnan", amountMinor: 1_000_000n }] }),
  },
  {
    name: "the operator's key pledges Pearl River's claim to the bank, as the operator",
    expected: "claim_not_held_by_signer",
    build: (fx) => sign(fx.operator, "claim.pledge", { claimId: fx.claimId, lenderOrgId: "org_cmtb" }),
  },
  {
    name: "the operator adds its cosignature to Pearl River's pledge",
    expected: "unexpected_cosignature",
    build: (fx) => sign(fx.tier1, "claim.pledge", { claimId: fx.claimId, lenderOrgId: "org_cmtb" }, { cosigners: [fx.operator] }),
  },
  // Operator keys by role: each key does its one duty, and the last key of a duty stays.
  {
    name: "the operator's admin key marks a claim overdue, though the operator has an overdue key",
    expected: "operator_key_outside_role",
    build: (fx) => sign(fx.operator, "claim.markOverdue", { rootClaimId: fx.claimId }),
  },
  {
    name: "the operator's onboarding key marks a claim overdue",
    expected: "operator_key_outside_role",
    build: (fx) => sign(fx.onboarding, "claim.markOverdue", { rootClaimId: fx.claimId }),
  },
  {
    name: "the operator's overdue key revokes the operator's onboarding key",
    expected: "operator_key_outside_role",
    build: (fx) => sign(fx.overdue, "key.revoke", { orgId: "org_operator", keyId: fx.onboarding.keyId, reason: "taking over onboarding" }),
  },
  {
    name: "the operator's overdue key revokes Pearl River's key",
    expected: "operator_key_outside_role",
    build: (fx) => sign(fx.overdue, "key.revoke", { orgId: "org_pearl", keyId: fx.tier1.keyId, reason: "the operator says so" }),
  },
  {
    name: "the operator revokes its last overdue key, leaving overdue marks to its admin key",
    expected: "last_operator_role_key",
    build: (fx) => sign(fx.operator, "key.revoke", { orgId: "org_operator", keyId: fx.overdue.keyId, reason: "one key for everything" }),
  },
  {
    name: "Pearl River revokes its last active admin key",
    expected: "last_admin_key",
    build: (fx) => sign(fx.tier1, "key.revoke", { orgId: "org_pearl", keyId: fx.tier1.keyId, reason: "nobody left to confirm keys" }),
  },
  {
    name: "a revoked key of Pearl River signs a pledge",
    expected: "signer_key_revoked",
    build: (fx) => sign(fx.revokedKey, "claim.pledge", { claimId: fx.claimId, lenderOrgId: "org_cmtb" }),
  },
  {
    name: "Pearl River's pledge signed for another network of the platform",
    expected: "network_id_mismatch",
    build: (fx) => sign(fx.tier1, "claim.pledge", { claimId: fx.claimId, lenderOrgId: "org_cmtb" }, { networkId: "another-network" }),
  },
];

/**
 * The fixtures on a seeded demo ledger: a claim Pearl River holds, and a second key of Pearl
 * River registered (confirmed by its demo key) and revoked by Pearl River itself.
 */
export function revokedKeyTransactions(tier1: SigningIdentity): { revokedKey: SigningIdentity; register: WireSignedTransaction; revoke: WireSignedTransaction } {
  const revokedKey = freshKey("org_pearl");
  const register = sign(revokedKey, "key.register", { ...PEARL, publicKeyHex: revokedKey.publicKeyHex, keyId: revokedKey.keyId }, { cosigners: [tier1] });
  const revoke = sign(tier1, "key.revoke", { orgId: "org_pearl", keyId: revokedKey.keyId, reason: "Laptop stolen" });
  return { revokedKey, register, revoke };
}
