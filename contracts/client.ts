/**
 * Building and signing ledger transactions: what a browser, a script or a test does before
 * submitting. Pure: the nonce and the clock reading are passed in.
 */
import { bytesToHex } from "./hex";
import { keyIdFor, publicKeyFromPrivate } from "./signing";
import { cosignTransaction, signTransaction } from "./transaction";
import { DEMO_NETWORK_ID, encodeSignedTransaction, type WireSignedTransaction } from "./ledger/schema";
import type { SignedLedgerTransaction, TransactionBodies, TransactionType } from "./ledger/types";

export interface SigningIdentity {
  orgId: string;
  keyId: string;
  privateKey: Uint8Array;
}

export function identityFor(orgId: string, privateKey: Uint8Array): SigningIdentity & { publicKeyHex: string } {
  const publicKey = publicKeyFromPrivate(privateKey);
  return { orgId, keyId: keyIdFor(publicKey), privateKey, publicKeyHex: bytesToHex(publicKey) };
}

export interface EnvelopeOptions {
  /**
   * The network (deployment) the transaction is for: the ledger refuses any other
   * (network_id_mismatch). The demo's id when not given; a browser passes its server's.
   */
  networkId?: string;
  /** 16 random bytes as 32 lowercase hex characters. */
  nonce: string;
  createdAtMs: number;
  cosigners?: SigningIdentity[];
}

export function buildSigned<K extends TransactionType>(
  signer: SigningIdentity,
  type: K,
  body: TransactionBodies[K],
  options: EnvelopeOptions,
): SignedLedgerTransaction<K> {
  const envelope = { type, networkId: options.networkId ?? DEMO_NETWORK_ID, body, signer: { orgId: signer.orgId, keyId: signer.keyId }, nonce: options.nonce, createdAtMs: options.createdAtMs };
  let signed = signTransaction(envelope, signer.privateKey) as SignedLedgerTransaction<K>;
  for (const cosigner of options.cosigners ?? []) {
    signed = cosignTransaction(signed, cosigner.orgId, cosigner.keyId, cosigner.privateKey) as SignedLedgerTransaction<K>;
  }
  return signed;
}

/** The JSON form sent to the server (amounts as decimal strings). */
export function toWire<K extends TransactionType>(signed: SignedLedgerTransaction<K>): WireSignedTransaction {
  return encodeSignedTransaction(signed);
}
