/**
 * What a transaction kind is, in one value: the shape of a descriptor. Every kind has one
 * (the files beside this one), and the registry (index.ts) derives from them every table the
 * ledger, the server and the verifier use: body schemas, check order, transitions, prefetch,
 * provenance rules, signer rules. All fields are required, so a kind cannot leave one out.
 */
import type { z } from "zod";
import type { Outcome, TransitionContext } from "../outcome";
import type { PrefetchKeys, StateView } from "../state";
import type { LedgerEnvelope, TransactionBodies, TransactionType } from "../types";
import type { WebAuthnKeyParameters } from "../../webauthn";

/**
 * How an entry of the kind takes part in a claim's provenance bundle (contracts/provenance.ts):
 *  - "claims": in the bundle of every claim it names and of that claim's descendants;
 *  - "whole-tree": names the root but is left out, because it allocates over every live
 *    piece of the issuance, which one lineage's replay does not hold;
 *  - "credit-line": the root's credit-line history before the issuance, which decides whether
 *    the issuance was allowed;
 *  - "key-introduction": brought in when an included entry is signed by the key it
 *    introduces, or names the organisation it registers;
 *  - "policy-introduction": brought in when an included application was priced by the policy;
 *  - "none": never in a bundle.
 */
export type Lineage = "claims" | "whole-tree" | "credit-line" | "key-introduction" | "policy-introduction" | "none";

/** A public key that a transaction's body puts on the ledger. */
export interface IntroducedKey {
  keyId: string;
  publicKeyHex: string;
  /** A passkey's parameters; null for an Ed25519 key. */
  webauthn: WebAuthnKeyParameters | null;
}

/** Which keys sign a transaction of the kind. */
export interface Signing<T extends TransactionType> {
  /**
   * "registered-key": an active key of the signer's organisation, already on the ledger.
   * "key-it-registers": the key the body registers (only key.register: its key is not on the
   * ledger yet), so the public key is read from the body.
   */
  signer: T extends "key.register" ? "key-it-registers" : "registered-key";
  /**
   * Who co-signs: "none" (any cosignature is refused as unexpected_cosignature),
   * "operator-or-organisation" (an operator key approves an organisation's first key, the
   * organisation's own active keys approve every later one) or "new-key" (a rotation's new
   * key proves possession) or "approvals" (the organisation's approvals under its approval
   * policy: approvals.ts checks them after the transition).
   */
  cosigners: "none" | "operator-or-organisation" | "new-key" | "approvals";
  /** The key the body introduces, whose signatures can be checked before it is on the ledger. */
  introducesKey: (body: TransactionBodies[T]) => IntroducedKey | undefined;
}

/** What an entry of the kind names, read from the transaction alone (and the log's index for financings). */
export interface Names<T extends TransactionType> {
  /**
   * Claims the entry is about, the claims it creates included. A financing entry names the
   * claim of its financing, which `claimOfFinancing` finds (undefined when not known).
   */
  claims: (transaction: LedgerEnvelope<T>, txId: string, claimOfFinancing: (financingId: string) => string | undefined) => string[];
  /** Organisations the body names; the signer and cosigners are named by every kind. */
  orgs: (body: TransactionBodies[T]) => string[];
  /** Credit lines the entry creates or changes. */
  creditLines: (body: TransactionBodies[T], txId: string) => string[];
}

export interface KindDescriptor<T extends TransactionType, C extends string = string, B extends z.ZodType = z.ZodType> {
  type: T;
  /** Zod schema of the body's wire form; decodes to exactly TransactionBodies[T] (checked in index.ts). */
  body: B;
  /** Every code the kind can return, in the order the checks run (codes.ts). */
  codes: readonly C[];
  /** The pure transition; it may return only codes of `codes`. */
  transition: (view: StateView, transaction: LedgerEnvelope<T>, context: TransitionContext) => Outcome<NoInfer<C>>;
  /**
   * The rows the transition reads besides the signer's, cosigners' and nonce's (state.ts
   * PrefetchKeys says what the service loads transitively from these).
   */
  prefetch: (transaction: LedgerEnvelope<T>) => Partial<PrefetchKeys>;
  names: Names<T>;
  lineage: Lineage;
  signing: Signing<T>;
}

/** Declares one kind; infers its codes from `codes` alone, so a transition returning any other code does not compile. */
export function defineKind<T extends TransactionType, const C extends string, B extends z.ZodType>(
  descriptor: KindDescriptor<T, C, B>,
): KindDescriptor<T, C, B> {
  return descriptor;
}

/** A descriptor whose names, lineage and signing take no body: the common case. */
export const namesNothing = { claims: () => [], orgs: () => [], creditLines: () => [] } as const;
export const registeredSignerOnly = { signer: "registered-key", cosigners: "none", introducesKey: () => undefined } as const;
/** A registered signer whose organisation's approvals ride along as cosignatures (approvals.ts). */
export const approvedSigner = { signer: "registered-key", cosigners: "approvals", introducesKey: () => undefined } as const;
