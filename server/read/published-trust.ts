import type { Db } from "@/db/client";
import { formatVerifierKey, NOTE_SIGNATURE_TYPE_ED25519, noteVerifierKey } from "@/contracts/note";
import { TRUST_POLICY_FORMAT } from "@/contracts/trust-policy";
import { ledgerOrigin, witnessConfig } from "../env";
import { hexToBytes } from "@/contracts/hex";
import { loadPlatformKey, operatorKeyFor } from "../platform/key";
import { OPERATOR_ORG_ID } from "../platform/signer";

/*
 * The trust policy this deployment publishes (issue 15) at /trust-policy.json, in the file
 * format the CLIs and the Trust page take: the log's origin, the operator's checkpoint key and
 * the witnesses' keys with the quorum the deployment asks them for (LEDGER_WITNESSES,
 * LEDGER_WITNESS_QUORUM). The public verify page fetches it separately from the bundle it
 * checks, so a bundle cannot bring its own keys; but it comes from the platform all the same,
 * and a visitor who does not trust the platform compares it with keys pinned out of band (the
 * witnesses publish their own keys, a lender pins its policy on its Trust page) or pastes its
 * own policy on the verify page. A deployment without witnesses publishes none and quorum 0:
 * a checkpoint there is the operator's word alone, and the verify page says so.
 */

export interface PublishedTrustPolicy {
  format: typeof TRUST_POLICY_FORMAT;
  origin: string;
  operatorKeys: string[];
  witnesses: string[];
  quorum: number;
}

export async function publishedTrustPolicy(db: Db): Promise<PublishedTrustPolicy> {
  const origin = ledgerOrigin();
  const platformKey = await loadPlatformKey(db);
  // The checkpoint key in force signs the notes; the operator (genesis) key names the log (verify-log pins it).
  const checkpointKey = await operatorKeyFor(db, OPERATOR_ORG_ID, "checkpoint");
  const keys = [...new Set([checkpointKey.publicKeyHex, platformKey.publicKeyHex])].map((hex) => hexToBytes(hex, 32));
  const { witnesses, quorum } = witnessConfig();
  return {
    format: TRUST_POLICY_FORMAT,
    origin,
    operatorKeys: keys.map((publicKey) => formatVerifierKey(noteVerifierKey(origin, NOTE_SIGNATURE_TYPE_ED25519, publicKey))),
    witnesses: witnesses.map((witness) => witness.key),
    quorum,
  };
}
