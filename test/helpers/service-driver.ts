import type { Db } from "@/db/client";
import { platformKeys } from "@/db/schema";
import { bytesToHex } from "@/contracts/hex";
import { encodeSignedTransaction } from "@/contracts/ledger/schema";
import { MemoryState } from "@/contracts/ledger/state";
import type { SignedLedgerTransaction, TransactionBodies, TransactionType } from "@/contracts/ledger/types";
import { transactionId, type SignedTransaction } from "@/contracts/transaction";
import { nobleVerifier } from "@/contracts/signing";
import { submitWire, type SubmitResult } from "@/server/ledger/service";
import { ACTORS, LedgerDriver, NOW_MS, type Actor, type TxOptions } from "../unit/ledger-fixtures";

/*
 * The fixtures' actors and transactions (test/unit/ledger-fixtures.ts), submitted to the real
 * ledger service on a database instead of applied to a MemoryState: the same keys, the same
 * frozen clock (the service's commit clock is the driver's), so a sequence that the contracts
 * accept in memory can be replayed against the SQL guards.
 */
export class ServiceDriver {
  /** Signs only; its state stays empty (the database holds the ledger). */
  private readonly signer: LedgerDriver;

  constructor(
    readonly db: Db,
    public nowMs: number = NOW_MS,
  ) {
    this.signer = new LedgerDriver(new MemoryState(), nowMs);
  }

  sign<K extends TransactionType>(who: Actor, type: K, body: TransactionBodies[K], options: TxOptions = {}): SignedLedgerTransaction<K> {
    this.signer.nowMs = this.nowMs;
    return this.signer.sign(who, type, body, options);
  }

  /** Submits one signed transaction as its own block, committed at the driver's clock. */
  async submit(signed: SignedTransaction): Promise<SubmitResult> {
    return submitWire(this.db, encodeSignedTransaction(signed), { clock: () => this.nowMs, verifier: nobleVerifier });
  }

  /** Signs and submits; throws unless accepted. Returns the transaction id. */
  async run<K extends TransactionType>(who: Actor, type: K, body: TransactionBodies[K], options: TxOptions = {}): Promise<string> {
    const signed = this.sign(who, type, body, options);
    const result = await this.submit(signed);
    if (result.status !== "accepted") throw new Error(`${type} by ${who.name} refused: ${result.code} ${result.detail ?? ""}`);
    return transactionId(signed.transaction);
  }

  /**
   * Makes the fixtures' operator the platform (its key signs the checkpoints, as the genesis
   * registration must name it), then registers every fixture actor: the operator first, as
   * genesis; the others cosigned by it.
   */
  async registerAll(): Promise<void> {
    await makeOperatorThePlatform(this.db);
    for (const who of [ACTORS.operator, ...Object.values(ACTORS).filter((actor) => actor !== ACTORS.operator)]) {
      const body = { orgId: who.orgId, orgName: `Org ${who.name}`, role: who.role, publicKeyHex: who.publicKeyHex, keyId: who.keyId, keyRole: "admin" as const, holderUserId: `usr_${who.name}` };
      const cosigners = who === ACTORS.operator ? [] : [{ orgId: ACTORS.operator.orgId, key: ACTORS.operator }];
      await this.run(who, "key.register", body, { cosigners });
    }
  }
}

/** The fixtures' operator key becomes the platform key: it signs the checkpoints, as verification expects. */
export async function makeOperatorThePlatform(db: Db): Promise<void> {
  const operator = ACTORS.operator;
  await db
    .insert(platformKeys)
    .values({ keyId: operator.keyId, privateKeyHex: bytesToHex(operator.privateKey), publicKeyHex: operator.publicKeyHex, createdAtMs: NOW_MS });
}
