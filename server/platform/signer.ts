import { randomBytes } from "node:crypto";
import type { DbOrTx } from "@/db/client";
import { buildSigned, type SigningIdentity } from "@/contracts/client";
import { cosignTransaction } from "@/contracts/transaction";
import type { SignedLedgerTransaction, TransactionBodies, TransactionType } from "@/contracts/ledger/types";
import { sealTransaction, type SealedTransaction } from "@/contracts/ledger/schema";
import type { OperatorKeyRole } from "@/contracts/ledger/types";
import { loadPlatformKey, operatorKeyFor, type PlatformKey } from "./key";

/*
 * The platform's own signer: the operator organisation signing with the platform key (key.ts).
 * It marks overdue pieces, confirms disbursements under a lender's policy as its settlement
 * agent, co-signs key registrations after review and registers itself in the seed. Every
 * transaction the platform signs is built here, so the operator's organisation id and key
 * are named in one place.
 */

/** The platform operator's organisation on the ledger. */
export const OPERATOR_ORG_ID = "org_operator";

export interface PlatformSigner {
  readonly orgId: string;
  readonly key: PlatformKey;
  /** The operator's signing identity (for code that builds transactions itself, like the seed). */
  readonly identity: SigningIdentity;
  /** A transaction signed by the operator, with a fresh nonce, sealed for the ledger engine. */
  sign<K extends TransactionType>(type: K, body: TransactionBodies[K], createdAtMs: number): SealedTransaction;
  /** Adds the operator's cosignature (key registrations after onboarding review). */
  cosign<K extends TransactionType>(signed: SignedLedgerTransaction<K>): SignedLedgerTransaction<K>;
}

export function signerFor(key: PlatformKey): PlatformSigner {
  const identity: SigningIdentity = { orgId: OPERATOR_ORG_ID, keyId: key.keyId, privateKey: key.privateKey };
  return {
    orgId: OPERATOR_ORG_ID,
    key,
    identity,
    sign: (type, body, createdAtMs) => sealTransaction(buildSigned(identity, type, body, { nonce: randomBytes(16).toString("hex"), createdAtMs })),
    cosign: (signed) => cosignTransaction(signed, OPERATOR_ORG_ID, key.keyId, key.privateKey),
  };
}

/** The platform's signer with the deployment's admin key (see loadPlatformKey): the genesis, and the operator's own key set. */
export async function platformSigner(db: DbOrTx): Promise<PlatformSigner> {
  return signerFor(await loadPlatformKey(db));
}

/**
 * The platform's signer for one duty (contracts/ledger/roles.ts OPERATOR_ROLE_DUTIES): its key
 * of that role once the ledger holds one, else its admin key (key.ts operatorKeyFor).
 */
export async function operatorSigner(db: DbOrTx, role: OperatorKeyRole): Promise<PlatformSigner> {
  return signerFor(await operatorKeyFor(db, OPERATOR_ORG_ID, role));
}
