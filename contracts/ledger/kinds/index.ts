/**
 * The registry of transaction kinds: one descriptor per type (descriptor.ts says what one
 * holds), and every table derived from them. `satisfies` makes a type without a descriptor,
 * a descriptor under the wrong type, or a descriptor missing a field a compile error.
 */
import type { z } from "zod";
import type { PrefetchKeys } from "../state";
import type { LedgerEnvelope, SignedLedgerTransaction, TransactionBodies, TransactionType } from "../types";
import { approvalPolicySet } from "./approvals";
import { claimAccept, claimIssue, claimMarkOverdue, claimPledge, claimReject, claimRelease, claimSplit, claimWithdraw } from "./claims";
import { creditLineAdjust, creditLineExpire, creditLineFreeze, creditLineGrant } from "./credit-lines";
import type { IntroducedKey, KindDescriptor, Lineage } from "./descriptor";
import {
  financingAccept,
  financingDecline,
  financingDisburse,
  financingOffer,
  financingRequest,
  financingRequestUnderPolicy,
} from "./financing";
import { keyRegister, keyRevoke, keyRotate } from "./keys";
import { financingPolicyRevoke, financingPolicySet } from "./policies";
import { repaymentRecord } from "./repayment";

export type { IntroducedKey, KindDescriptor, Lineage } from "./descriptor";

export const KINDS = {
  "key.register": keyRegister,
  "key.rotate": keyRotate,
  "key.revoke": keyRevoke,
  "approvalPolicy.set": approvalPolicySet,
  "creditLine.grant": creditLineGrant,
  "creditLine.adjust": creditLineAdjust,
  "creditLine.freeze": creditLineFreeze,
  "creditLine.expire": creditLineExpire,
  "claim.issue": claimIssue,
  "claim.accept": claimAccept,
  "claim.reject": claimReject,
  "claim.withdraw": claimWithdraw,
  "claim.split": claimSplit,
  "claim.pledge": claimPledge,
  "claim.release": claimRelease,
  "claim.markOverdue": claimMarkOverdue,
  "financingPolicy.set": financingPolicySet,
  "financingPolicy.revoke": financingPolicyRevoke,
  "financing.request": financingRequest,
  "financing.requestUnderPolicy": financingRequestUnderPolicy,
  "financing.offer": financingOffer,
  "financing.accept": financingAccept,
  "financing.decline": financingDecline,
  "financing.disburse": financingDisburse,
  "repayment.record": repaymentRecord,
} as const satisfies { [T in TransactionType]: KindDescriptor<T> };

type Kinds = typeof KINDS;

// Compile-time check that every body schema decodes to exactly the body type in types.ts.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type BodiesMatchTypes = { [T in TransactionType]: Exact<z.output<Kinds[T]["body"]>, TransactionBodies[T]> };
const bodiesMatchTypes: BodiesMatchTypes extends Record<TransactionType, true> ? true : false = true;
void bodiesMatchTypes;

/** The descriptor of any type, for code that works on every kind alike. */
export type AnyKind = { [T in TransactionType]: KindDescriptor<T> }[TransactionType];

/** Every descriptor, in the registry's order. */
export const KIND_LIST: readonly AnyKind[] = Object.values(KINDS);

/** The descriptor of `type` with its body typed loosely: for the generic reads (names, prefetch) of a decoded transaction. */
export function kindOf<T extends TransactionType>(type: T): KindDescriptor<T, CodeOf<T>> {
  // TypeScript cannot correlate KINDS[type] with T: each entry is checked against its own type above.
  return KINDS[type] as unknown as KindDescriptor<T, CodeOf<T>>;
}

function tableOf<F extends keyof KindDescriptor<TransactionType>>(field: F): { [T in TransactionType]: Kinds[T][F] } {
  return Object.fromEntries(KIND_LIST.map((kind) => [kind.type, kind[field]])) as { [T in TransactionType]: Kinds[T][F] };
}

/** Per type, every code it can return, in the order the checks run. */
export const CHECK_ORDER = tableOf("codes");
/** Per type, the zod schema of its body's wire form. */
export const bodySchemas = tableOf("body");

/** Codes a transition of type T may return. */
export type CodeOf<T extends TransactionType> = Kinds[T]["codes"][number];
/** Every failure code applyTransaction can return. */
export type ResultCode = CodeOf<TransactionType>;

/** All result codes, each once, in the order they first appear walking CHECK_ORDER. */
export const RESULT_CODES: readonly ResultCode[] = [...new Set(KIND_LIST.flatMap((kind) => kind.codes as readonly ResultCode[]))];

/** The types whose entries take part in provenance as `lineage`. */
export function typesWithLineage(lineage: Lineage): TransactionType[] {
  return KIND_LIST.filter((kind) => kind.lineage === lineage).map((kind) => kind.type);
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** The rows `signed` needs (see PrefetchKeys in state.ts for the transitive rule). */
export function prefetchKeys(signed: SignedLedgerTransaction): PrefetchKeys {
  const { signer, nonce } = signed.transaction;
  const fromBody = kindOf(signed.transaction.type).prefetch(signed.transaction);
  const cosigners = signed.cosignatures;
  return {
    orgIds: unique([signer.orgId, ...cosigners.map((c) => c.orgId), ...(fromBody.orgIds ?? [])]),
    keyIds: unique([signer.keyId, ...cosigners.map((c) => c.keyId), ...(fromBody.keyIds ?? [])]),
    creditLineIds: unique(fromBody.creditLineIds ?? []),
    claimIds: unique(fromBody.claimIds ?? []),
    financingIds: unique(fromBody.financingIds ?? []),
    policyIds: unique(fromBody.policyIds ?? []),
    activePolicies: fromBody.activePolicies ?? [],
    invoices: unique(fromBody.invoices ?? []),
    nonces: [{ orgId: signer.orgId, keyId: signer.keyId, nonce }],
    hasKeys: fromBody.hasKeys ?? false,
    // A registration's cosigner may be the operator's onboarding key: the operator's key set says whether it holds that role.
    keySets: unique([...(kindOf(signed.transaction.type).signing.cosigners === "operator-or-organisation" ? cosigners.map((c) => c.orgId) : []), ...(fromBody.keySets ?? [])]),
    checkpointHashes: unique(fromBody.checkpointHashes ?? []),
  };
}

/** Organisations an entry signs for or names, which the contracts look up when it replays. */
export function orgsNamed(signed: SignedLedgerTransaction): string[] {
  const { transaction } = signed;
  return [transaction.signer.orgId, ...signed.cosignatures.map((c) => c.orgId), ...kindOf(transaction.type).names.orgs(transaction.body)];
}

/** The key a transaction's body introduces (key.register, key.rotate), whose signatures can be checked before it is on the ledger. */
export function introducedKey(transaction: LedgerEnvelope): IntroducedKey | undefined {
  return kindOf(transaction.type).signing.introducesKey(transaction.body);
}
