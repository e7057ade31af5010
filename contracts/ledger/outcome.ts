/**
 * Shapes shared by every transition: success (upserts and events), failure (a result code
 * of the kind, codes.ts) and the context a transition runs in.
 */
import type { SignatureVerifier } from "../signing";
import type { LedgerEvent, Organisation, SignedLedgerTransaction, StateChange } from "./types";

export interface ApplyContext {
  /** Commit time of the transaction (the log's acceptedAtMs on replay). */
  nowMs: number;
  /** transactionId(signed.transaction); checked, since derived entity ids depend on it. */
  txId: string;
  verifier: SignatureVerifier;
  /** The network (deployment) id of this ledger: a transaction naming another is refused. */
  networkId: string;
  /**
   * Set only by a provenance replay, which holds one branch of the log: a split may then show
   * the parts off the branch as commitments alone (contracts/split-commitments.ts). The server,
   * the witnesses and the full replay never set it, so they refuse such a split.
   */
  partialReplay?: boolean;
}

export interface TransitionContext extends ApplyContext {
  /** The decoded transaction, for its cosignatures. */
  signed: SignedLedgerTransaction;
  /** The signer's organisation; undefined only for a key.register of a new organisation. */
  signerOrg: Organisation | undefined;
}

export interface Success {
  ok: true;
  changes: StateChange[];
  events: LedgerEvent[];
}

export interface Failure<C extends string = string> {
  ok: false;
  code: C;
  detail?: string;
}

export type Outcome<C extends string = string> = Success | Failure<C>;

export function fail<C extends string>(code: C, detail?: string): Failure<C> {
  return detail === undefined ? { ok: false, code } : { ok: false, code, detail };
}

export function succeed(changes: StateChange[], events: LedgerEvent[]): Success {
  return { ok: true, changes, events };
}

/**
 * Thrown when state that must always hold does not: a bug in a transition, corrupted
 * stored state, or a caller that broke the contract (for example a wrong ctx.txId).
 * Expected failures are never thrown; they are result codes.
 */
export class InvariantViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvariantViolation";
  }
}

export function invariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new InvariantViolation(message);
}
